// logstore — offline verification of a segment directory (read only).
// Layer: core (standard library only; files only through `disk`).
#include "core/storage/segment_verify.hpp"

#include "core/base/assert.hpp"

namespace logstore {

verify_report verify_segments(disk& d, uint32_t frame_bytes_max,
                              const verify_frame_callback& on_frame) {
  LOGSTORE_ASSERT(frame_bytes_max >= frame_header_bytes);
  verify_report report;
  std::vector<std::string> names;
  report.status = d.list(names);
  if (report.status != disk_status::ok)
    return report;
  auto files = select_segment_files(names, report.other_files);
  for (const auto& file : files) {
    segment_verdict v;
    v.file = file;
    auto scan = scan_segment(d, file.name, frame_bytes_max,
                             [&](const scanned_frame& frame) {
                               if (frame.header.type == frame_type::batch)
                                 ++v.batches;
                               else
                                 ++v.tombstones;
                               if (on_frame)
                                 on_frame(file, frame);
                             });
    if (scan.status != disk_status::ok) {
      report.status = scan.status;
      return report;
    }
    v.bytes = scan.file_bytes;
    v.frames = scan.frame_count;
    LOGSTORE_ASSERT(v.frames == v.batches + v.tombstones);
    v.bad_offset = scan.bad_offset;
    v.what = scan.what;
    // R2: only the last segment, not already quarantined, can be torn.
    bool last = file.number == files.back().number;
    v.torn_tail = scan.bad_offset && scan.torn_tail_candidate && last
                  && !file.quarantined;
    v.damaged_ids = std::move(scan.damaged_ids);
    report.segments.push_back(std::move(v));
  }
  return report;
}

} // namespace logstore
