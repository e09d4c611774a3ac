// logstore — what the master keeps on disk: only what it cannot recover
// from the storage nodes (GFS-style). The batch index is NOT here: after a
// restart it is rebuilt from the nodes' block reports.
// Layer: core. Pure encode/decode plus load/save through `disk`.
//
//   epoch           bumped at every start; fences a previous incarnation
//   reserved_until  batch ids below it may have been handed out; a
//                   restarted master continues from here (never reuses one)
//   members         name, address, zone: who must report before the master
//                   trusts its rebuilt index (reads before that say
//                   "incomplete"; appends get "unavailable")
//   failed          batches that ended in replication_failed: copies of
//                   them on nodes are garbage, never re-indexed
//
// File: "master-state", text, one record per line, written to a new file,
// synced, then renamed over the old one (atomic replace).
#pragma once

#include "core/disk.hpp"
#include "core/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

struct member_record {
  node_name name;
  std::string address;
  std::string zone;
};

struct master_record {
  uint64_t epoch = 0;
  batch_id reserved_until = 1;
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
