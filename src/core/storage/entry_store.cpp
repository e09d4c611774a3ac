// logstore — a storage node's copies of batches, in memory.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// Batches are kept as their verified frames; a time slice decodes the
// frame (verifying it again) and takes two binary searches.
#include "core/storage/entry_store.hpp"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "core/base/assert.hpp"

#include <algorithm>
#include <limits>

namespace logstore {

entry_store::put_result
entry_store::put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 const std::vector<stored_entry>& entries) {
  LOGSTORE_ASSERT(!entries.empty());
  LOGSTORE_ASSERT(std::is_sorted(entries.begin(), entries.end(),
                                 read_order_less));
  LOGSTORE_ASSERT(entries.front().ts == min_ts);
  LOGSTORE_ASSERT(entries.back().ts == max_ts);
  // Idempotent: a retried or duplicated store changes nothing.
  if (contains(id))
    return put_result::duplicate;
  std::string frame;
  encode_batch_frame(id, entries.front().client, entries.front().seq, min_ts,
                     max_ts, entries, frame);
  return put_frame(std::move(frame));
}

entry_store::put_result entry_store::put_frame(std::string frame,
                                               uint32_t frame_bytes_max) {
  frame_bytes_max_ = frame_bytes_max;
  frame_header h;
  auto res = decode_frame(frame, frame_bytes_max, h, nullptr);
  if (res.status != decode_status::ok || res.consumed != frame.size()
      || h.type != frame_type::batch)
    return put_result::corrupt;
  if (contains(h.id))
    return put_result::duplicate;
  by_time_.insert(h.id, h.min_ts, h.max_ts);
  bytes_ += h.entry_bytes;
  batches_.emplace(h.id, stored_batch{h, std::move(frame)});
  LOGSTORE_ASSERT(batches_.size() == by_time_.size());
  return put_result::stored;
}

bool entry_store::contains(batch_id id) const {
  return batches_.count(id) != 0;
}

void entry_store::drop_corrupt(batch_id id) {
  erase(id);
  corruptions_.push_back(id);
}

entry_store::read_result entry_store::frame(batch_id id, std::string& out) {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return read_result::not_found;
  frame_header h;
  auto res = decode_frame(i->second.frame, frame_bytes_max_, h, nullptr);
  if (res.status != decode_status::ok || h.id != id
      || h.crc != i->second.header.crc) {
    drop_corrupt(id);
    return read_result::corrupt;
  }
  out = i->second.frame;
  return read_result::ok;
}

entry_store::read_result entry_store::slice(batch_id id, time_range r,
                                            std::vector<stored_entry>& out) {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return read_result::not_found;
  if (r.from > r.to)
    return read_result::ok;
  std::vector<stored_entry> entries;
  frame_header h;
  auto res = decode_frame(i->second.frame, frame_bytes_max_, h, &entries);
  if (res.status != decode_status::ok || h.id != id
      || h.crc != i->second.header.crc) {
    drop_corrupt(id);
    return read_result::corrupt;
  }
  slice_entries(std::move(entries), r, out);
  return read_result::ok;
}

bool entry_store::overlaps(batch_id id, time_range r) const {
  auto i = batches_.find(id);
  return i != batches_.end() && i->second.header.min_ts <= r.to
         && r.from <= i->second.header.max_ts;
}

std::vector<batch_id> entry_store::overlapping(time_range r) const {
  return by_time_.overlapping(r);
}

bool entry_store::erase(batch_id id) {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return false;
  auto sum = i->second.header.entry_bytes;
  LOGSTORE_ASSERT(sum <= bytes_);
  auto erased = by_time_.erase(id, i->second.header.min_ts);
  LOGSTORE_ASSERT(erased);
  bytes_ -= sum;
  batches_.erase(i);
  LOGSTORE_ASSERT(batches_.size() == by_time_.size());
  return true;
}

std::vector<batch_id> entry_store::ids() const {
  std::vector<batch_id> result;
  result.reserve(batches_.size());
  for (const auto& kv : batches_)
    result.push_back(kv.first);
  std::sort(result.begin(), result.end());
  return result;
}

entry_store::read_result entry_store::digest(batch_id id, uint64_t& out) {
  std::vector<stored_entry> entries;
  auto r = slice(id, {std::numeric_limits<timestamp_us>::min(),
                      std::numeric_limits<timestamp_us>::max()},
                 entries);
  if (r == read_result::ok)
    out = digest_of(entries);
  return r;
}

bool entry_store::info(batch_id id, batch_info& out) const {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return false;
  const auto& h = i->second.header;
  out.batch = id;
  out.min_ts = h.min_ts;
  out.max_ts = h.max_ts;
  out.entries = h.count;
  out.bytes = static_cast<uint32_t>(h.entry_bytes);
  out.client = h.client;
  out.seq = h.seq;
  return true;
}

std::vector<batch_id> entry_store::take_corruptions() {
  auto out = std::move(corruptions_);
  corruptions_.clear();
  return out;
}

std::string* entry_store::bytes_of(batch_id id) {
  auto i = batches_.find(id);
  return i == batches_.end() ? nullptr : &i->second.frame;
}

uint64_t digest_of(const std::vector<stored_entry>& entries) {
  XXH64_state_t state;
  XXH64_reset(&state, 0);
  for (auto& e : entries) {
    uint64_t fixed[4] = {static_cast<uint64_t>(e.ts), e.client, e.seq,
                         e.index};
    XXH64_update(&state, fixed, sizeof(fixed));
    auto sizes = (uint64_t{e.source.size()} << 32) | e.payload.size();
    XXH64_update(&state, &sizes, sizeof(sizes));
    XXH64_update(&state, e.source.data(), e.source.size());
    XXH64_update(&state, e.payload.data(), e.payload.size());
  }
  return XXH64_digest(&state);
}

} // namespace logstore
