// logstore — time-interval index: which batches overlap [from, to]?
// Layer: core. Used by the master's batch index and by every storage node.
//
// Shape (measured in bench/index_bench.cpp): sorted runs of keys by min_ts,
// each with a running maximum of max_ts, so a query binary-searches both
// ends of a run and then walks only the candidates between them:
// O(log n + k + f), where f counts batches that start in the window but
// end before `from` (bounded by the time skew between concurrently written
// batches).
//
// Two runs: `main_` takes batches that arrive in time order or nearly so
// (appended, or inserted within near_end of its end: amortised O(1));
// a batch far back in time (a backfill of old logs, a repair copy, a
// rebalance move onto a node that holds newer data) goes to the small
// `delta_` run, which is merged into main_ once it holds more than
// max(delta_min, sqrt(n)) keys. So an insert costs amortised O(sqrt(n)),
// never O(n): one sorted vector cost a memmove of everything after the
// insertion point, and a backfill into a node holding 250,000 batches
// spent 177 us per store on it (measured with `logstore append`).
// Erasing marks the key dead (a bit per key) instead of closing the gap;
// dead keys are dropped when a run is rebuilt, at latest when they are a
// quarter of it. (Retention erases the oldest keys, at the front: an
// erase that closed the gap was O(n) each.)
//
// Invariants, for each run:
//  1. keys are sorted by (min_ts, id), dead or alive.
//  2. run_max[i] >= max(keys[0..i].max_ts of live keys), nondecreasing,
//     and == it right after a rebuild (a dead key may leave it too high:
//     answers stay right, only slower, until the rebuild).
//  3. every live id appears at most once over both runs.
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

  /// Removes `id` (O(log n) amortised); returns false when absent.
  bool erase(batch_id id, timestamp_us min_ts);

  /// Ids of all intervals overlapping [r.from, r.to], ordered by
  /// (min_ts, id).
  std::vector<batch_id> overlapping(time_range r) const;

  size_t size() const {
    return live_;
  }

  /// Bytes used by the index itself (for the per-batch memory figure).
  size_t memory_bytes() const;

  /// How far from main_'s end an insert still goes into main_ (keys).
  static constexpr size_t near_end = 64;
  /// delta_ is merged into main_ beyond max(delta_min, sqrt(size)) keys.
  static constexpr size_t delta_min = 256;

private:
  struct key {
    timestamp_us min_ts;
    timestamp_us max_ts;
    batch_id id;
  };

  struct run {
    std::vector<key> keys;
    std::vector<timestamp_us> run_max;
    std::vector<bool> dead; ///< in step with keys
    size_t dead_count = 0;

    size_t size() const {
      return keys.size();
    }
    /// Inserts at its place (O(size - place)).
    void insert(const key& k);
    /// Index of the key (min_ts, id), or size() when absent.
    size_t find(timestamp_us min_ts, batch_id id) const;
    /// Appends the live keys overlapping r to out, in order.
    void overlapping(time_range r, std::vector<key>& out) const;
    /// Drops dead keys and recomputes run_max.
    void rebuild();
    size_t memory_bytes() const;
  };

  /// Merges delta_ into main_ (dropping dead keys of both).
  void merge_delta();

  run main_;
  run delta_;
  size_t live_ = 0;
};

} // namespace logstore
