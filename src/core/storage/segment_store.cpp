// logstore — durable storage engine: writes, reads and space (the recovery
// half is segment_recovery.cpp; the rules are in segment_store.hpp).
// Layer: core (standard library only; files only through `disk`).
#include "core/storage/segment_store.hpp"

#include "core/base/assert.hpp"
#include "core/base/frame.hpp"

#include <algorithm>

namespace logstore {

namespace {

bool same_identity(const std::vector<stored_entry>& entries) {
  for (const auto& x : entries)
    if (x.client != entries.front().client || x.seq != entries.front().seq)
      return false;
  return true;
}

// The frame CRC of a frame just encoded, read back through the decoder's
// header check (hcrc, length): the write-side half of the pair whose
// read-side half is slice()'s full verification. The body CRC is not
// recomputed here; at ~5 GB/s it would cost as much as encoding.
segment_store::put_result to_put_result(disk_status st) {
  switch (st) {
    case disk_status::ok:
      return segment_store::put_result::stored;
    case disk_status::no_space:
      return segment_store::put_result::no_space;
    case disk_status::io_error:
    case disk_status::not_found:
      return segment_store::put_result::io_error;
  }
  return segment_store::put_result::io_error;
}

} // namespace

segment_store::segment_store(disk& d, segment_store_options opts)
  : disk_(d), opts_(opts) {
  LOGSTORE_ASSERT(opts_.frame_bytes_max >= frame_header_bytes);
  LOGSTORE_ASSERT(opts_.segment_bytes_max > 0);
}

segment_store::put_result
segment_store::put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                   const std::vector<stored_entry>& entries) {
  LOGSTORE_ASSERT(recovered_);
  LOGSTORE_ASSERT(!entries.empty());
  LOGSTORE_ASSERT(std::is_sorted(entries.begin(), entries.end(),
                                 read_order_less));
  LOGSTORE_ASSERT(entries.front().ts == min_ts);
  LOGSTORE_ASSERT(entries.back().ts == max_ts);
  if (contains(id))
    return put_result::duplicate;
  if (!same_identity(entries))
    return put_result::invalid;
  // The bytes alone already too many: refuse before encoding (the frame's
  // length field has 32 bits).
  // (4: the fewest bytes an entry's varints take.)
  uint64_t bytes_min = frame_header_bytes + 4 * uint64_t{entries.size()};
  for (const auto& x : entries)
    bytes_min += x.source.size() + x.payload.size();
  if (bytes_min > opts_.frame_bytes_max)
    return put_result::too_large;
  std::string frame;
  encode_batch_frame(id, entries.front().client, entries.front().seq, min_ts,
                     max_ts, entries, frame);
  return put_frame(frame);
}

segment_store::put_result segment_store::put_frame(std::string_view frame) {
  LOGSTORE_ASSERT(recovered_);
  if (frame.size() > opts_.frame_bytes_max)
    return put_result::too_large;
  // The bytes came from the network: verified whole (header, CRC, every
  // entry) before anything depends on them, then stored as received.
  frame_header h;
  auto res = decode_frame(frame, opts_.frame_bytes_max, h, nullptr);
  if (res.status != decode_status::ok || res.consumed != frame.size()
      || h.type != frame_type::batch)
    return put_result::corrupt;
  if (contains(h.id))
    return put_result::duplicate;
  if (failed_)
    return put_result::io_error;
  auto st = prepare_active(frame.size());
  if (st == disk_status::ok)
    st = append_frame(frame);
  if (st != disk_status::ok)
    return to_put_result(st);
  auto& seg = segments_.at(*active_);
  location loc;
  loc.segment = *active_;
  loc.offset = seg.size - frame.size();
  loc.frame_bytes = static_cast<uint32_t>(frame.size());
  loc.min_ts = h.min_ts;
  loc.max_ts = h.max_ts;
  loc.entry_bytes = h.entry_bytes;
  loc.crc = h.crc;
  index_batch(h.id, loc);
  return put_result::stored;
}

segment_store::read_result segment_store::frame(batch_id id,
                                                std::string& out) {
  LOGSTORE_ASSERT(recovered_);
  auto i = batches_.find(id);
  if (i == batches_.end())
    return read_result::not_found;
  auto loc = i->second;
  const auto& seg = segments_.at(loc.segment);
  LOGSTORE_ASSERT(loc.offset + loc.frame_bytes <= seg.size);
  std::string buf;
  auto st = disk_.read(seg.file, loc.offset, loc.frame_bytes, buf);
  if (st != disk_status::ok)
    return read_result::io_error;
  frame_header h;
  auto res = decode_frame(buf, opts_.frame_bytes_max, h, nullptr);
  if (res.status != decode_status::ok || res.consumed != loc.frame_bytes
      || h.type != frame_type::batch || h.id != id || h.crc != loc.crc) {
    unindex_batch(id);
    read_corruptions_.push_back(id);
    return read_result::corrupt;
  }
  out = std::move(buf);
  return read_result::ok;
}

bool segment_store::overlaps(batch_id id, time_range r) const {
  auto i = batches_.find(id);
  return i != batches_.end() && i->second.min_ts <= r.to
         && r.from <= i->second.max_ts;
}

segment_store::read_result
segment_store::slice(batch_id id, time_range r,
                     std::vector<stored_entry>& out) {
  LOGSTORE_ASSERT(recovered_);
  if (!contains(id))
    return read_result::not_found;
  if (r.from > r.to)
    return read_result::ok;
  std::string buf;
  auto st = frame(id, buf);
  if (st != read_result::ok)
    return st;
  std::vector<stored_entry> entries;
  frame_header h;
  auto res = decode_frame(buf, opts_.frame_bytes_max, h, &entries);
  LOGSTORE_ASSERT(res.status == decode_status::ok); // frame() verified it
  slice_entries(std::move(entries), r, out);
  return read_result::ok;
}

segment_store::erase_result segment_store::erase(batch_id id) {
  LOGSTORE_ASSERT(recovered_);
  erase_result result;
  auto i = batches_.find(id);
  if (i == batches_.end())
    return result;
  auto loc = unindex_batch(id);
  result.erased = true;
  result.tombstone = disk_status::io_error;
  if (!failed_) {
    scratch_.clear();
    encode_tombstone_frame(id, loc.min_ts, loc.max_ts, scratch_);
    result.tombstone = prepare_active(scratch_.size());
    if (result.tombstone == disk_status::ok)
      result.tombstone = append_frame(scratch_);
    if (result.tombstone == disk_status::ok)
      note_tombstone(*active_, loc.segment);
  }
  reclaim();
  return result;
}

disk_status segment_store::sync() {
  LOGSTORE_ASSERT(recovered_);
  LOGSTORE_ASSERT(active_ || unsynced_bytes_ == 0); // invariant 4
  if (failed_)
    return disk_status::io_error;
  if (unsynced_bytes_ == 0)
    return disk_status::ok;
  auto st = disk_.sync(segments_.at(*active_).file);
  if (st != disk_status::ok) {
    failed_ = true;
    return st;
  }
  unsynced_bytes_ = 0;
  return st;
}

std::vector<batch_id> segment_store::ids() const {
  std::vector<batch_id> result;
  result.reserve(batches_.size());
  for (const auto& kv : batches_)
    result.push_back(kv.first); // std::map: already sorted
  return result;
}

std::vector<batch_id> segment_store::ids_after(batch_id cursor,
                                               size_t n) const {
  std::vector<batch_id> result;
  result.reserve(std::min(n, batches_.size()));
  auto i = batches_.upper_bound(cursor);
  while (result.size() < n && result.size() < batches_.size()) {
    if (i == batches_.end())
      i = batches_.begin();
    result.push_back(i->first);
    ++i;
  }
  return result;
}

std::vector<batch_id> segment_store::take_read_corruptions() {
  std::vector<batch_id> result;
  result.swap(read_corruptions_);
  return result;
}

std::vector<segment_store::segment_summary> segment_store::segments() const {
  std::vector<segment_summary> result;
  for (const auto& [number, seg] : segments_)
    result.push_back(segment_summary{seg.file, seg.size, seg.live,
                                     seg.has_batches, seg.min_ts, seg.max_ts,
                                     active_ == number, seg.quarantined});
  return result;
}

// --- private -----------------------------------------------------------------

void segment_store::index_batch(batch_id id, const location& loc) {
  LOGSTORE_ASSERT(batches_.count(id) == 0);
  auto& seg = segments_.at(loc.segment);
  LOGSTORE_ASSERT(loc.offset + loc.frame_bytes <= seg.size);
  batches_.emplace(id, loc);
  by_time_.insert(id, loc.min_ts, loc.max_ts);
  bytes_ += loc.entry_bytes;
  seg.live += 1;
  seg.min_ts = seg.has_batches ? std::min(seg.min_ts, loc.min_ts) : loc.min_ts;
  seg.max_ts = seg.has_batches ? std::max(seg.max_ts, loc.max_ts) : loc.max_ts;
  seg.has_batches = true;
  LOGSTORE_ASSERT(batches_.size() == by_time_.size()); // invariant 1
}

segment_store::location segment_store::unindex_batch(batch_id id) {
  auto i = batches_.find(id);
  LOGSTORE_ASSERT(i != batches_.end());
  auto loc = i->second;
  auto erased = by_time_.erase(id, loc.min_ts);
  LOGSTORE_ASSERT(erased);
  LOGSTORE_ASSERT(bytes_ >= loc.entry_bytes); // invariant 2
  bytes_ -= loc.entry_bytes;
  auto& seg = segments_.at(loc.segment);
  LOGSTORE_ASSERT(seg.live > 0);
  seg.live -= 1;
  batches_.erase(i);
  LOGSTORE_ASSERT(batches_.size() == by_time_.size()); // invariant 1
  return loc;
}

void segment_store::note_tombstone(uint32_t number, uint32_t target) {
  if (number == target)
    return; // goes away together with its target
  auto& targets = segments_.at(number).tombstone_targets;
  if (std::find(targets.begin(), targets.end(), target) == targets.end())
    targets.push_back(target);
}

disk_status segment_store::prepare_active(size_t frame_bytes) {
  if (active_) {
    auto& seg = segments_.at(*active_);
    if (seg.size == 0 || seg.size + frame_bytes <= opts_.segment_bytes_max)
      return disk_status::ok;
    // Seal: everything but the last segment is durable in full, so damage
    // in a sealed segment can never be mistaken for a torn write.
    auto st = sync();
    if (st != disk_status::ok)
      return st;
    active_.reset();
  }
  auto number = next_number_++;
  segments_.emplace(number, segment{segment_file_name(number), 0, 0, false,
                                    0, 0, false, {}});
  active_ = number;
  LOGSTORE_ASSERT(segments_.rbegin()->first == number); // invariant 3
  return disk_status::ok;
}

disk_status segment_store::append_frame(std::string_view bytes) {
  LOGSTORE_ASSERT(active_);
  auto& seg = segments_.at(*active_);
  LOGSTORE_ASSERT(!seg.quarantined); // invariant 3
  auto st = disk_.append(seg.file, bytes);
  if (st != disk_status::ok) {
    // A short write may have left part of the frame behind: cut it off, or
    // stop writing (the next recovery truncates it as a torn tail).
    auto cut = disk_.truncate(seg.file, seg.size);
    if (cut != disk_status::ok && cut != disk_status::not_found)
      failed_ = true;
    return st;
  }
  seg.size += bytes.size();
  unsynced_bytes_ += bytes.size();
  return disk_status::ok;
}

bool segment_store::removable(uint32_t number, const segment& seg) const {
  if (seg.live != 0 || seg.quarantined || active_ == number)
    return false;
  for (auto target : seg.tombstone_targets)
    if (segments_.count(target) != 0)
      return false;
  return true;
}

void segment_store::reclaim() {
  // One pass in ascending order: removing a segment can only make LATER
  // segments removable (tombstones point backwards), so one pass suffices.
  for (auto i = segments_.begin(); i != segments_.end();) {
    if (!removable(i->first, i->second)
        || disk_.remove(i->second.file) != disk_status::ok) {
      ++i;
      continue;
    }
    i = segments_.erase(i);
  }
  LOGSTORE_ASSERT(!active_ || segments_.count(*active_) == 1);
}

std::string_view to_string(segment_store::put_result x) {
  using r = segment_store::put_result;
  switch (x) {
    case r::stored:
      return "stored";
    case r::duplicate:
      return "duplicate";
    case r::invalid:
      return "invalid";
    case r::corrupt:
      return "corrupt";
    case r::too_large:
      return "too_large";
    case r::no_space:
      return "no_space";
    case r::io_error:
      return "io_error";
  }
  return "unknown";
}

std::string_view to_string(segment_store::read_result x) {
  using r = segment_store::read_result;
  switch (x) {
    case r::ok:
      return "ok";
    case r::not_found:
      return "not_found";
    case r::corrupt:
      return "corrupt";
    case r::io_error:
      return "io_error";
  }
  return "unknown";
}

} // namespace logstore
