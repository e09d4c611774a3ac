// logstore — time-interval index: sorted keys plus a running max of max_ts.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// The shape and its cost model are described in interval_index.hpp; this
// file keeps the two vectors in step and the invariants true.
#include "core/base/interval_index.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <tuple>

namespace logstore {

namespace {

// Orders keys by (min_ts, id): invariant 1.
template <class Key>
bool key_less(const Key& x, const Key& y) {
  return std::tie(x.min_ts, x.id) < std::tie(y.min_ts, y.id);
}

} // namespace

void interval_index::insert(batch_id id, timestamp_us min_ts,
                            timestamp_us max_ts) {
  LOGSTORE_ASSERT(min_ts <= max_ts);
  LOGSTORE_ASSERT(keys_.size() == run_max_.size());
  key k{min_ts, max_ts, id};
  // Fast path: batches mostly arrive in time order, so append.
  if (keys_.empty() || key_less(keys_.back(), k)) {
    auto prev = run_max_.empty() ? max_ts : run_max_.back();
    keys_.push_back(k);
    run_max_.push_back(std::max(prev, max_ts));
    return;
  }
  auto pos = std::lower_bound(keys_.begin(), keys_.end(), k, key_less<key>);
  // Only a key with the same (min_ts, id) can sit here; invariant 3 forbids
  // it. (A duplicate id with another min_ts is the caller's to prevent: the
  // batch index and entry store check their own tables first.)
  LOGSTORE_ASSERT(pos == keys_.end() || pos->id != id
                  || pos->min_ts != min_ts);
  auto i = static_cast<size_t>(pos - keys_.begin());
  auto prev = i == 0 ? max_ts : run_max_[i - 1];
  keys_.insert(pos, k);
  run_max_.insert(run_max_.begin() + static_cast<ptrdiff_t>(i),
                  std::max(prev, max_ts));
  // Each later running max becomes max(old value, max_ts). The old values
  // are nondecreasing, so stop at the first one already >= max_ts.
  for (auto j = i + 1; j < run_max_.size() && run_max_[j] < max_ts; ++j)
    run_max_[j] = max_ts;
  LOGSTORE_ASSERT(keys_.size() == run_max_.size());
  LOGSTORE_ASSERT(run_max_holds_at(i));
}

bool interval_index::erase(batch_id id, timestamp_us min_ts) {
  LOGSTORE_ASSERT(keys_.size() == run_max_.size());
  key probe{min_ts, min_ts, id};
  auto pos = std::lower_bound(keys_.begin(), keys_.end(), probe,
                              key_less<key>);
  if (pos == keys_.end() || pos->id != id || pos->min_ts != min_ts)
    return false;
  auto i = static_cast<size_t>(pos - keys_.begin());
  keys_.erase(pos);
  run_max_.erase(run_max_.begin() + static_cast<ptrdiff_t>(i));
  repair_run_max(i);
  LOGSTORE_ASSERT(keys_.size() == run_max_.size());
  // A stale (too high) running max would still give right answers, only
  // slower; this catches it where the tests cannot see it.
  LOGSTORE_ASSERT(i == keys_.size() || run_max_holds_at(i));
  return true;
}

void interval_index::repair_run_max(size_t first) {
  // Recompute run_max_[first..]. Once a recomputed value equals the stored
  // one, every later value is unchanged too (each depends only on its
  // predecessor and its own key), so the loop usually ends at once.
  for (auto j = first; j < run_max_.size(); ++j) {
    auto value = j == 0 ? keys_[j].max_ts
                        : std::max(run_max_[j - 1], keys_[j].max_ts);
    if (value == run_max_[j])
      return;
    run_max_[j] = value;
  }
}

bool interval_index::run_max_holds_at(size_t i) const {
  auto prev = i == 0 ? keys_[i].max_ts : run_max_[i - 1];
  return run_max_[i] == std::max(prev, keys_[i].max_ts);
}

std::vector<batch_id> interval_index::overlapping(time_range r) const {
  LOGSTORE_ASSERT(keys_.size() == run_max_.size());
  std::vector<batch_id> result;
  if (r.from > r.to)
    return result;
  // Before `first`, every max_ts < r.from (invariant 2): nothing overlaps.
  auto first = std::lower_bound(run_max_.begin(), run_max_.end(), r.from)
               - run_max_.begin();
  // From `last` on, every min_ts > r.to (invariant 1): nothing overlaps.
  auto last = std::upper_bound(keys_.begin(), keys_.end(), r.to,
                               [](timestamp_us to, const key& k) {
                                 return to < k.min_ts;
                               })
              - keys_.begin();
  for (auto i = first; i < last; ++i) {
    const auto& k = keys_[static_cast<size_t>(i)];
    if (k.max_ts >= r.from)
      result.push_back(k.id);
  }
  return result;
}

size_t interval_index::memory_bytes() const {
  return keys_.capacity() * sizeof(key)
         + run_max_.capacity() * sizeof(timestamp_us);
}

} // namespace logstore
