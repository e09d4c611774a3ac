// logstore — merging per-batch read results, and describing gaps.
// Layer: core (std only). The master merges the slices its replicas return
// and names the time ranges it could not read; both must be deterministic,
// so every tie is broken by a total order.
#include "core/client/merge.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cstddef>
#include <tuple>

namespace logstore {

namespace {

bool same_identity(const stored_entry& x, const stored_entry& y) {
  return std::tie(x.client, x.seq, x.index)
         == std::tie(y.client, y.seq, y.index);
}

bool sorted_in_read_order(const std::vector<stored_entry>& xs) {
  return std::is_sorted(xs.begin(), xs.end(), read_order_less);
}

/// The next unmerged entry of one slice.
struct cursor {
  size_t slice = 0;
  size_t pos = 0;
};

/// Heap order for std::push_heap (a max-heap): "x after y" puts the smallest
/// entry on top. Equal entries come from the lower slice first, so the merge
/// is deterministic even for duplicates.
class cursor_after {
public:
  explicit cursor_after(const std::vector<std::vector<stored_entry>>& slices)
    : slices_(slices) {
  }

  bool operator()(const cursor& x, const cursor& y) const {
    const auto& a = slices_[x.slice][x.pos];
    const auto& b = slices_[y.slice][y.pos];
    if (read_order_less(b, a))
      return true;
    if (read_order_less(a, b))
      return false;
    return x.slice > y.slice;
  }

private:
  const std::vector<std::vector<stored_entry>>& slices_;
};

/// Appends `x` unless it repeats the identity of the last entry in `out`.
void append_unique(std::vector<stored_entry>& out, stored_entry&& x) {
  if (!out.empty() && same_identity(out.back(), x))
    return;
  out.push_back(std::move(x));
}

bool adjacent_or_overlapping(const time_range& prev, const time_range& next) {
  // Inclusive integer ranges: [1,3] and [4,6] touch. Written as
  // next.from - 1 (safe: next.from > prev.to >= INT64_MIN) so that
  // prev.to + 1 cannot overflow.
  return next.from <= prev.to || next.from - 1 == prev.to;
}

/// A read's batches mostly follow each other in time: when the non-empty
/// slices, ordered by their first entry, do not overlap (each one's last
/// entry strictly before the next one's first, in read order), the merge
/// is their concatenation (no ties across slices, so nothing to choose),
/// O(n + k log k) instead of O(n log k). Returns false, touching nothing,
/// when they overlap.
bool concatenate_if_disjoint(std::vector<std::vector<stored_entry>>& slices,
                             std::vector<cursor> order,
                             std::vector<stored_entry>& out) {
  std::sort(order.begin(), order.end(), [&](const cursor& x, const cursor& y) {
    const auto& a = slices[x.slice].front();
    const auto& b = slices[y.slice].front();
    if (read_order_less(a, b))
      return true;
    if (read_order_less(b, a))
      return false;
    return x.slice < y.slice;
  });
  for (size_t i = 1; i < order.size(); ++i)
    if (!read_order_less(slices[order[i - 1].slice].back(),
                         slices[order[i].slice].front()))
      return false;
  for (auto& c : order)
    for (auto& e : slices[c.slice])
      append_unique(out, std::move(e));
  return true;
}

} // namespace

std::vector<stored_entry>
merge_sorted(std::vector<std::vector<stored_entry>> slices) {
  size_t total = 0;
  std::vector<cursor> heap;
  for (size_t i = 0; i < slices.size(); ++i) {
    LOGSTORE_ASSERT_MSG(sorted_in_read_order(slices[i]),
                        "every slice must be sorted in read order");
    total += slices[i].size();
    if (!slices[i].empty())
      heap.push_back(cursor{i, 0});
  }
  std::vector<stored_entry> result;
  result.reserve(total);
  if (concatenate_if_disjoint(slices, heap, result))
    return result;
  cursor_after after{slices};
  std::make_heap(heap.begin(), heap.end(), after);
  // Bound: each iteration consumes one of `total` entries.
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    auto& top = heap.back();
    append_unique(result, std::move(slices[top.slice][top.pos]));
    if (++top.pos < slices[top.slice].size())
      std::push_heap(heap.begin(), heap.end(), after);
    else
      heap.pop_back();
  }
  LOGSTORE_ASSERT(result.size() <= total);
  LOGSTORE_ASSERT(sorted_in_read_order(result));
  return result;
}

std::vector<time_range> coalesce_ranges(std::vector<time_range> ranges,
                                        time_range window) {
  std::vector<time_range> clipped;
  clipped.reserve(ranges.size());
  for (auto r : ranges) {
    r.from = std::max(r.from, window.from);
    r.to = std::min(r.to, window.to);
    if (r.from <= r.to)
      clipped.push_back(r);
  }
  std::sort(clipped.begin(), clipped.end(), [](const auto& x, const auto& y) {
    return std::tie(x.from, x.to) < std::tie(y.from, y.to);
  });
  std::vector<time_range> result;
  for (const auto& r : clipped) {
    if (!result.empty() && adjacent_or_overlapping(result.back(), r))
      result.back().to = std::max(result.back().to, r.to);
    else
      result.push_back(r);
  }
  for (size_t i = 1; i < result.size(); ++i)
    LOGSTORE_ASSERT(!adjacent_or_overlapping(result[i - 1], result[i]));
  LOGSTORE_ASSERT(result.size() <= ranges.size());
  return result;
}

bool covered_by(const std::vector<time_range>& ranges, timestamp_us ts) {
  // The first range starting after ts; the only candidate is the one before.
  auto i = std::upper_bound(ranges.begin(), ranges.end(), ts,
                            [](timestamp_us t, const time_range& r) {
                              return t < r.from;
                            });
  if (i == ranges.begin())
    return false;
  --i;
  LOGSTORE_ASSERT(i->from <= ts);
  return ts <= i->to;
}

} // namespace logstore
