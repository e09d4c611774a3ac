// logstore — what the master keeps on disk: only what it cannot recover
// from the storage nodes (GFS-style). The batch index is NOT here: after a
// restart it is rebuilt from the nodes' block reports.
// Layer: core. Pure encode/decode plus load/save through `disk`.
//
//   epoch           bumped at every start; fences a previous incarnation
//   reserved_until  batch ids below it may have been handed out; a
//                   restarted master continues from here (never reuses one)
//   members         name, address, zone, incarnation, flags (draining,
//                   redundant): who must report before the master trusts
//                   its rebuilt index (reads before that say "incomplete";
//                   retries are in doubt); a redundant member need not
//   failed          batches that ended in replication_failed, or twins of
//                   another batch for the same (client, seq): copies of
//                   them on nodes are garbage, never re-indexed
//   expired_before  the retention watermark: entries below it were deleted
//                   on purpose; reads there say so, reported copies of it
//                   are garbage (saved before the deletes are sent)
//
// File: "master-state", text, one record per line, written to a new file,
// synced, then renamed over the old one (atomic replace). Version 2; a
// version 1 file (no watermark, no incarnations) still loads.
#pragma once

#include "core/base/disk.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

struct member_record {
  node_name name;
  std::string address;
  std::string zone;
  uint64_t incarnation = 0; ///< 0 = unknown (a version 1 file)
  bool draining = false;    ///< a drain was started (it goes on)
  /// Dead or drained, with every batch it held also on a member that was
  /// up: a restarted master need not wait for its block report.
  bool redundant = false;
};

struct master_record {
  uint64_t epoch = 0;
  batch_id reserved_until = 1;
  timestamp_us expired_before = INT64_MIN; ///< INT64_MIN = nothing expired
  std::vector<member_record> members;
  std::vector<batch_id> failed; ///< ascending

  std::string encode() const;
  /// False (and `err` says where) on a malformed file.
  static bool decode(const std::string& text, master_record& out,
                     std::string& err);
};

/// Loads "master-state" from `d`. Returns true with a default record when
/// the file does not exist (a new cluster); false with `err` on damage.
bool load_master_record(disk& d, master_record& out, std::string& err);

/// Replaces "master-state" atomically and durably.
disk_status save_master_record(disk& d, const master_record& rec);

} // namespace logstore
