// logstore — time-interval index: which batches overlap [from, to]?
// Layer: core. Used by the master's batch index and by every storage node.
//
// Shape (measured in bench/index_bench.cpp): entries sorted by min_ts, plus a
// running maximum of max_ts, so a query binary-searches both ends and then
// walks only the candidates between them: O(log n + k + f), where f counts
// batches that start in the window but end before `from` (bounded by the
// time skew between concurrently written batches). Inserts that arrive in
// time order (the common case) are amortised O(1).
//
// Invariants:
//  1. keys_ is sorted by (min_ts, id).
//  2. run_max_[i] == max(keys_[0..i].max_ts), so run_max_ is nondecreasing.
//  3. every id appears at most once.
#pragma once

#include "core/base/types.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logstore {

class interval_index {
public:
  /// REQUIRES: min_ts <= max_ts and `id` not present.
  void insert(batch_id id, timestamp_us min_ts, timestamp_us max_ts);

  /// Removes `id` (O(n)); returns false when absent.
  bool erase(batch_id id, timestamp_us min_ts);

  /// Ids of all intervals overlapping [r.from, r.to], ordered by min_ts.
  std::vector<batch_id> overlapping(time_range r) const;

  size_t size() const {
    return keys_.size();
  }

  /// Bytes used by the index itself (for the per-batch memory figure).
  size_t memory_bytes() const;

private:
  struct key {
    timestamp_us min_ts;
    timestamp_us max_ts;
    batch_id id;
  };

  /// Recomputes run_max_ from index `first` after an erase.
  void repair_run_max(size_t first);

  /// Whether invariant 2 holds at index i (relative to run_max_[i - 1]).
  bool run_max_holds_at(size_t i) const;

  std::vector<key> keys_;
  std::vector<timestamp_us> run_max_;
};

} // namespace logstore
