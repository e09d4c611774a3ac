// logstore — time-interval index: sorted runs plus a running max of max_ts.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// The shape and its cost model are described in interval_index.hpp; this
// file keeps each run's vectors in step and the invariants true.
#include "core/base/interval_index.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace logstore {

namespace {

// Orders keys by (min_ts, id): invariant 1.
template <class Key>
bool key_less(const Key& x, const Key& y) {
  return std::tie(x.min_ts, x.id) < std::tie(y.min_ts, y.id);
}

} // namespace

void interval_index::run::insert(const key& k) {
  auto pos = std::lower_bound(keys.begin(), keys.end(), k, key_less<key>);
  // Only a key with the same (min_ts, id) can sit here; invariant 3 forbids
  // a live one (the batch index and entry store check their own tables
  // first). A dead one is revived in place.
  auto i = static_cast<size_t>(pos - keys.begin());
  if (pos != keys.end() && pos->id == k.id && pos->min_ts == k.min_ts) {
    LOGSTORE_ASSERT(dead[i]);
    *pos = k;
    dead[i] = false;
    --dead_count;
  } else {
    keys.insert(pos, k);
    auto prev = i == 0 ? k.max_ts : run_max[i - 1];
    run_max.insert(run_max.begin() + static_cast<ptrdiff_t>(i),
                   std::max(prev, k.max_ts));
    dead.insert(dead.begin() + static_cast<ptrdiff_t>(i), false);
  }
  if (i > 0)
    run_max[i] = std::max(run_max[i - 1], k.max_ts);
  else
    run_max[i] = std::max(run_max[i], k.max_ts);
  // Each later running max becomes max(old value, max_ts). The old values
  // are nondecreasing, so stop at the first one already >= max_ts.
  for (auto j = i + 1; j < run_max.size() && run_max[j] < k.max_ts; ++j)
    run_max[j] = k.max_ts;
  LOGSTORE_ASSERT(keys.size() == run_max.size() && keys.size() == dead.size());
}

size_t interval_index::run::find(timestamp_us min_ts, batch_id id) const {
  key probe{min_ts, min_ts, id};
  auto pos = std::lower_bound(keys.begin(), keys.end(), probe,
                              key_less<key>);
  if (pos == keys.end() || pos->id != id || pos->min_ts != min_ts)
    return keys.size();
  return static_cast<size_t>(pos - keys.begin());
}

void interval_index::run::overlapping(time_range r,
                                      std::vector<key>& out) const {
  // Before `first`, every max_ts < r.from (invariant 2): nothing overlaps.
  auto first = std::lower_bound(run_max.begin(), run_max.end(), r.from)
               - run_max.begin();
  // From `last` on, every min_ts > r.to (invariant 1): nothing overlaps.
  auto last = std::upper_bound(keys.begin(), keys.end(), r.to,
                               [](timestamp_us to, const key& k) {
                                 return to < k.min_ts;
                               })
              - keys.begin();
  for (auto i = first; i < last; ++i) {
    auto u = static_cast<size_t>(i);
    if (keys[u].max_ts >= r.from && !dead[u])
      out.push_back(keys[u]);
  }
}

void interval_index::run::rebuild() {
  if (dead_count > 0) {
    size_t w = 0;
    for (size_t i = 0; i < keys.size(); ++i)
      if (!dead[i])
        keys[w++] = keys[i];
    keys.resize(w);
    dead.assign(w, false);
    dead_count = 0;
  }
  run_max.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i)
    run_max[i] = i == 0 ? keys[i].max_ts
                        : std::max(run_max[i - 1], keys[i].max_ts);
}

size_t interval_index::run::memory_bytes() const {
  return keys.capacity() * sizeof(key)
         + run_max.capacity() * sizeof(timestamp_us) + dead.capacity() / 8;
}

void interval_index::insert(batch_id id, timestamp_us min_ts,
                            timestamp_us max_ts) {
  LOGSTORE_ASSERT(min_ts <= max_ts);
  key k{min_ts, max_ts, id};
  ++live_;
  auto& keys = main_.keys;
  // Fast path: batches mostly arrive in time order, so append.
  if (keys.empty() || key_less(keys.back(), k)) {
    auto prev = main_.run_max.empty() ? max_ts : main_.run_max.back();
    keys.push_back(k);
    main_.run_max.push_back(std::max(prev, max_ts));
    main_.dead.push_back(false);
    return;
  }
  // Nearly in order (concurrent writers): a short move at main_'s end.
  auto near = keys.size() > near_end ? keys.size() - near_end : 0;
  if (!key_less(k, keys[near])) {
    main_.insert(k);
    return;
  }
  // Far back in time, unless it revives a dead key of main_ in place.
  if (auto i = main_.find(min_ts, id); i < main_.size()) {
    main_.insert(k);
    return;
  }
  delta_.insert(k);
  auto limit = std::max<size_t>(
    delta_min, static_cast<size_t>(std::sqrt(static_cast<double>(live_))));
  if (delta_.size() > limit)
    merge_delta();
}

void interval_index::merge_delta() {
  std::vector<key> merged;
  merged.reserve(main_.size() - main_.dead_count + delta_.size()
                 - delta_.dead_count);
  size_t i = 0, j = 0;
  auto& a = main_;
  auto& b = delta_;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && a.dead[i]) {
      ++i;
    } else if (j < b.size() && b.dead[j]) {
      ++j;
    } else if (j == b.size()
               || (i < a.size() && key_less(a.keys[i], b.keys[j]))) {
      merged.push_back(a.keys[i++]);
    } else {
      merged.push_back(b.keys[j++]);
    }
  }
  main_.keys = std::move(merged);
  main_.dead.assign(main_.keys.size(), false);
  main_.dead_count = 0;
  main_.rebuild();
  delta_ = run{};
}

bool interval_index::erase(batch_id id, timestamp_us min_ts) {
  for (auto* r : {&delta_, &main_}) {
    auto i = r->find(min_ts, id);
    if (i == r->size() || r->dead[i])
      continue;
    r->dead[i] = true;
    ++r->dead_count;
    --live_;
    // Dead keys are dropped at a rebuild, at latest when they are a
    // quarter of the run (amortised O(1) per erase).
    if (r->dead_count > delta_min && r->dead_count * 4 > r->size())
      r->rebuild();
    else if (r->dead_count == r->size())
      *r = run{};
    return true;
  }
  return false;
}

std::vector<batch_id> interval_index::overlapping(time_range r) const {
  std::vector<batch_id> result;
  if (r.from > r.to)
    return result;
  std::vector<key> hits;
  main_.overlapping(r, hits);
  if (delta_.size() > 0) {
    auto middle = hits.size();
    delta_.overlapping(r, hits);
    std::inplace_merge(hits.begin(),
                       hits.begin() + static_cast<ptrdiff_t>(middle),
                       hits.end(), key_less<key>);
  }
  result.reserve(hits.size());
  for (auto& k : hits)
    result.push_back(k.id);
  return result;
}

size_t interval_index::memory_bytes() const {
  return main_.memory_bytes() + delta_.memory_bytes();
}

} // namespace logstore
