// logstore — a storage node's copies of batches, in memory.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// Batches are kept whole, their entries sorted in read order, so a time
// slice is two binary searches and a copy.
#include "core/storage/entry_store.hpp"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

namespace {

uint64_t total_bytes(const std::vector<stored_entry>& entries) {
  uint64_t sum = 0;
  for (const auto& x : entries)
    sum += entry_bytes(x);
  return sum;
}

} // namespace

entry_store::put_result
entry_store::put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 std::vector<stored_entry> entries) {
  LOGSTORE_ASSERT(!entries.empty());
  LOGSTORE_ASSERT(std::is_sorted(entries.begin(), entries.end(),
                                 read_order_less));
  LOGSTORE_ASSERT(entries.front().ts == min_ts);
  LOGSTORE_ASSERT(entries.back().ts == max_ts);
  // Idempotent: a retried or duplicated store changes nothing.
  if (contains(id))
    return put_result::duplicate;
  auto sum = total_bytes(entries);
  batches_.emplace(id, stored_batch{min_ts, max_ts, std::move(entries)});
  by_time_.insert(id, min_ts, max_ts);
  bytes_ += sum;
  LOGSTORE_ASSERT(batches_.size() == by_time_.size());
  return put_result::stored;
}

bool entry_store::contains(batch_id id) const {
  return batches_.count(id) != 0;
}

bool entry_store::slice(batch_id id, time_range r,
                        std::vector<stored_entry>& out) const {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return false;
  if (r.from > r.to)
    return true;
  const auto& xs = i->second.entries;
  auto first = std::lower_bound(xs.begin(), xs.end(), r.from,
                                [](const stored_entry& x, timestamp_us ts) {
                                  return x.ts < ts;
                                });
  auto last = std::upper_bound(first, xs.end(), r.to,
                               [](timestamp_us ts, const stored_entry& x) {
                                 return ts < x.ts;
                               });
  LOGSTORE_ASSERT(first == last || first->ts >= r.from);
  LOGSTORE_ASSERT(first == last || (last - 1)->ts <= r.to);
  out.insert(out.end(), first, last);
  return true;
}

std::vector<batch_id> entry_store::overlapping(time_range r) const {
  return by_time_.overlapping(r);
}

bool entry_store::erase(batch_id id) {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return false;
  auto sum = total_bytes(i->second.entries);
  LOGSTORE_ASSERT(sum <= bytes_);
  auto erased = by_time_.erase(id, i->second.min_ts);
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

bool entry_store::digest(batch_id id, uint64_t& out) const {
  auto i = batches_.find(id);
  if (i == batches_.end())
    return false;
  out = digest_of(i->second.entries);
  return true;
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
