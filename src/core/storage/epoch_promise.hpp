// logstore — what a storage node promised to the masters, kept on its disk
// (docs/protocol.md, "Master failover"): the highest epoch it promised and
// to whom, and the newest master record it accepted (opaque here: the
// master's code decodes it). Synced before the node answers, so a crash
// never forgets a promise: a stale master stays fenced across restarts.
// Layer: core/storage (no CAF). File "promise", replaced atomically (write
// "promise.new", sync, remove, rename; a leftover ".new" alone is
// complete and is promoted). A CRC32C covers the body.
#pragma once

#include "core/base/disk.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <string>

namespace logstore {

struct epoch_promise {
  uint64_t epoch = 0; ///< promised: commands of older epochs are refused
  node_name master;   ///< the master it was promised to
  uint64_t record_epoch = 0; ///< the accepted record's (0 = none)
  uint64_t record_version = 0;
  std::string record;

  std::string encode() const;
  /// False (and `err` says what) on a damaged or malformed file.
  static bool decode(const std::string& text, epoch_promise& out,
                     std::string& err);
};

/// The files epoch_promise uses, so that segment recovery leaves them be.
bool is_promise_file(const std::string& name);

/// True with a default promise when there is none yet; false with `err`
/// when the file is damaged.
bool load_epoch_promise(disk& d, epoch_promise& out, std::string& err);

/// Replaces the file atomically and durably.
disk_status save_epoch_promise(disk& d, const epoch_promise& p);

} // namespace logstore
