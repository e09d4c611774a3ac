// logstore — offline verification of a segment directory (read only).
// Layer: core (standard library only; files only through `disk`). Backs
// `logstore segment verify|dump`; applies the same classification as
// segment_store::recover() (R2/R3 in segment_store.hpp) but changes nothing.
#pragma once

#include "core/base/disk.hpp"
#include "core/storage/segment_scan.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace logstore {

struct segment_verdict {
  segment_file file;
  uint64_t bytes = 0;
  uint64_t frames = 0;     ///< verified, before any bad offset
  uint64_t batches = 0;    ///< batch frames among them
  uint64_t tombstones = 0; ///< tombstone frames among them
  std::optional<uint64_t> bad_offset;
  std::string what;        ///< the decoder's reason at bad_offset
  /// The bad bytes are a torn tail that recovery would truncate (R2):
  /// expected after a crash, not corruption.
  bool torn_tail = false;
  std::vector<batch_id> damaged_ids;

  /// Corruption: a bad frame that is not a torn tail, or a file already
  /// quarantined by an earlier recovery.
  bool corrupt() const {
    return (bad_offset && !torn_tail) || file.quarantined;
  }
};

struct verify_report {
  disk_status status = disk_status::ok; ///< not ok: incomplete
  std::vector<segment_verdict> segments;
  std::vector<std::string> other_files;

  bool corrupt() const {
    for (const auto& x : segments)
      if (x.corrupt())
        return true;
    return false;
  }
};

using verify_frame_callback
  = std::function<void(const segment_file&, const scanned_frame&)>;

/// Scans every segment file, in number order, and classifies it. Calls
/// `on_frame` (may be empty) for every verified frame.
verify_report verify_segments(disk& d, uint32_t frame_bytes_max,
                              const verify_frame_callback& on_frame);

} // namespace logstore
