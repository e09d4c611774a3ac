// logstore — reading a whole segment file back: every frame verified, the
// first bad byte located and classified.
// Layer: core (standard library only; files only through `disk`). Shared by
// segment_store::recover(), segment_store::verify() and the offline
// `segment verify` / `segment dump` commands, so they can never disagree.
//
// Classification of the first bad offset X (frame.hpp says why it works):
//   torn_tail_candidate  no verified frame starts after X, and the bytes
//                        from X are a PREFIX of a frame (decode says torn)
//                        or all zero (blocks allocated but never written).
//                        That is what a crash mid-append leaves. Whether it
//                        is truncated depends on which segment this is
//                        (segment_store.hpp, recovery rule).
//   otherwise            corruption: a complete frame failed its CRC, the
//                        header failed hcrc, nonzero garbage, or a bad
//                        frame followed by good ones.
#pragma once

#include "core/base/disk.hpp"
#include "core/base/frame.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace logstore {

/// "seg-000042.log" for 42 (at least six digits).
std::string segment_file_name(uint32_t number);

/// The quarantined name of a segment: "seg-000042.log.corrupt".
std::string quarantine_file_name(uint32_t number);

/// Parses either name form; false for any other file name.
bool parse_segment_file_name(const std::string& name, uint32_t& number,
                             bool& quarantined);

struct segment_file {
  uint32_t number = 0;
  std::string name;
  bool quarantined = false;
};

/// The segment files among `names`, ascending by number; every other name
/// goes to `others`. A number seen twice ("seg-N.log" and
/// "seg-N.log.corrupt": an operator's doing, never a crash's) keeps the
/// live file and lists the other in `others`.
std::vector<segment_file> select_segment_files(
  const std::vector<std::string>& names, std::vector<std::string>& others);

struct scanned_frame {
  uint64_t offset = 0;
  frame_header header;
};

struct segment_scan {
  disk_status status = disk_status::ok; ///< not ok: the scan is incomplete
  uint64_t file_bytes = 0;
  /// Verified frames before the first bad offset (each was passed to the
  /// callback, in file order).
  uint64_t frame_count = 0;
  /// Set when something in the file failed to verify.
  std::optional<uint64_t> bad_offset;
  const char* what = ""; ///< why the frame at bad_offset failed
  bool torn_tail_candidate = false;
  /// Batch ids seen from bad_offset on: the failed frame's own id when its
  /// header verified, ids of later headers that verify, and ids of later
  /// whole frames (tombstones excluded). A lower bound: an id inside a
  /// destroyed header is lost; the master reconciles with block reports.
  std::vector<batch_id> damaged_ids;
  /// Verified frames after bad_offset (not served; see recovery rule).
  std::vector<scanned_frame> frames_after_bad;
};

using frame_callback = std::function<void(const scanned_frame&)>;

/// Reads `name` in chunks and verifies every frame, calling `on_frame` (may
/// be empty) for each verified frame before the first bad offset. Memory is
/// bounded by the chunk size plus frame_bytes_max, whatever the file holds.
segment_scan scan_segment(disk& d, const std::string& name,
                          uint32_t frame_bytes_max,
                          const frame_callback& on_frame);

} // namespace logstore
