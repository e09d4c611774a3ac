// logstore — a small file that is replaced as a whole, atomically and
// durably, through the `disk` seam (disk.hpp): the master's record
// (core/master/master_record.hpp) and a storage node's promise
// (core/storage/epoch_promise.hpp).
// Layer: core/base (standard library only).
//
// rename() does not replace an existing file on every disk, so a replace
// writes NAME.new, syncs it, removes NAME and renames. A crash between the
// remove and the rename leaves only NAME.new, complete and synced: a read
// takes it (and renames it into place once the caller accepts it).
#pragma once

#include "core/base/disk.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace logstore {

/// Replaces `name` with `text`, durably, before it returns ok.
disk_status replace_file(disk& d, const std::string& name,
                         std::string_view text);

enum class replaced_read : uint8_t {
  found,  ///< `text` holds the file
  absent, ///< no file (nor an acceptable NAME.new)
  failed, ///< the disk refused the read
};

/// Reads what replace_file() wrote. When only NAME.new exists and `valid`
/// accepts its text, it is renamed to NAME first.
replaced_read read_replaced(disk& d, const std::string& name,
                            std::string& text,
                            const std::function<bool(const std::string&)>& valid);

} // namespace logstore
