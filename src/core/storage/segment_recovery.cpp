// logstore — durable storage engine: recovery at start (rules R1-R7 in
// segment_store.hpp). Scans every segment in number order, replays the
// verified frames into the index, truncates a torn tail, quarantines
// corrupt segments and collects the affected batch ids.
// Layer: core (standard library only; files only through `disk`).
#include "core/storage/epoch_promise.hpp"
#include "core/storage/segment_store.hpp"

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

namespace {

using issue_kind = segment_store::recovery_issue::kind;

} // namespace

segment_store::recovery_report segment_store::recover() {
  LOGSTORE_ASSERT(!recovered_);
  LOGSTORE_ASSERT(segments_.empty() && batches_.empty());
  recovered_ = true;
  recovery_report report;
  std::vector<std::string> names;
  report.status = disk_.list(names);
  if (report.status != disk_status::ok) {
    failed_ = true;
    return report;
  }
  std::vector<std::string> others;
  auto listed = select_segment_files(names, others);
  for (const auto& name : others)
    if (!is_promise_file(name)) // the node's promise lives beside them
      report.issues.push_back({issue_kind::unknown_file, name, 0, 0, ""});
  for (const auto& entry : listed) {
    auto& seg = segments_[entry.number];
    seg.file = entry.name;
    seg.quarantined = entry.quarantined;
    bool last = entry.number == listed.back().number;
    recover_segment(entry.number, seg, last, report);
    ++report.segments;
    next_number_ = entry.number + 1;
    if (report.status != disk_status::ok) {
      failed_ = true; // serve what was indexed; write nothing
      break;
    }
  }
  // R6: only what the store does not hold after all (a later copy of a
  // damaged batch may have been replayed from a later segment).
  auto& affected = report.affected;
  std::sort(affected.begin(), affected.end());
  affected.erase(std::unique(affected.begin(), affected.end()),
                 affected.end());
  affected.erase(std::remove_if(affected.begin(), affected.end(),
                                [this](batch_id id) { return contains(id); }),
                 affected.end());
  if (!failed_)
    choose_active();
  reclaim();
  LOGSTORE_ASSERT(batches_.size() == by_time_.size()); // invariant 1
  LOGSTORE_ASSERT(unsynced_bytes_ == 0);
  return report;
}

void segment_store::recover_segment(uint32_t number, segment& seg, bool last,
                                    recovery_report& report) {
  auto scan = scan_segment(disk_, seg.file, opts_.frame_bytes_max,
                           [this, number](const scanned_frame& frame) {
                             replay(number, frame);
                           });
  report.frames += scan.frame_count;
  if (scan.status != disk_status::ok) {
    report.status = scan.status;
    return;
  }
  seg.size = scan.file_bytes;
  if (!scan.bad_offset)
    return;
  auto bad = *scan.bad_offset;
  auto rest = scan.file_bytes - bad;
  auto& affected = report.affected;
  affected.insert(affected.end(), scan.damaged_ids.begin(),
                  scan.damaged_ids.end());
  seg.size = bad; // R5: nothing from the bad offset on is served
  if (seg.quarantined) {
    report.issues.push_back({issue_kind::quarantined_found, seg.file, bad,
                             rest, scan.what});
    return;
  }
  if (last && scan.torn_tail_candidate) { // R2
    auto st = disk_.truncate(seg.file, bad);
    if (st == disk_status::ok)
      st = disk_.sync(seg.file);
    if (st != disk_status::ok) {
      report.status = st;
      return;
    }
    report.truncated_bytes += rest;
    report.issues.push_back({issue_kind::torn_tail_truncated, seg.file, bad,
                             rest, scan.what});
    return;
  }
  // R3, R4: quarantine; R5: the verified prefix stays indexed.
  seg.quarantined = true;
  auto target = quarantine_file_name(number);
  if (disk_.rename(seg.file, target) != disk_status::ok) {
    report.issues.push_back({issue_kind::quarantine_failed, seg.file, bad,
                             rest, scan.what});
    return;
  }
  report.issues.push_back({issue_kind::segment_quarantined, target, bad,
                           rest, scan.what});
  report.quarantined.push_back(target);
  seg.file = target;
}

void segment_store::replay(uint32_t number, const scanned_frame& frame) {
  const auto& h = frame.header;
  switch (h.type) {
    case frame_type::batch: {
      if (contains(h.id))
        return; // an older copy is live already: this one is dead bytes
      location loc{number, frame.offset, h.frame_bytes, h.crc,
                   h.min_ts, h.max_ts, h.entry_bytes};
      auto& seg = segments_.at(number);
      // The scan has not set the size yet; index_batch checks against it.
      seg.size = std::max(seg.size, frame.offset + h.frame_bytes);
      index_batch(h.id, loc);
      return;
    }
    case frame_type::tombstone: {
      if (!contains(h.id))
        return; // R7: nothing to delete (gone, or in a damaged region)
      auto loc = unindex_batch(h.id);
      note_tombstone(number, loc.segment);
      return;
    }
  }
  LOGSTORE_ASSERT_MSG(false, "decode_frame accepts only known frame types");
}

void segment_store::choose_active() {
  LOGSTORE_ASSERT(!active_);
  if (segments_.empty())
    return;
  auto& [number, seg] = *segments_.rbegin();
  // Invariant 3: only the last segment may take appends, and only when it
  // is healthy and has room; otherwise the next put starts a new number.
  if (seg.quarantined || seg.size >= opts_.segment_bytes_max)
    return;
  active_ = number;
  LOGSTORE_ASSERT(next_number_ == number + 1);
}

std::string_view to_string(segment_store::recovery_issue::kind x) {
  switch (x) {
    case issue_kind::torn_tail_truncated:
      return "torn_tail_truncated";
    case issue_kind::segment_quarantined:
      return "segment_quarantined";
    case issue_kind::quarantined_found:
      return "quarantined_found";
    case issue_kind::quarantine_failed:
      return "quarantine_failed";
    case issue_kind::unknown_file:
      return "unknown_file";
  }
  return "unknown";
}

} // namespace logstore
