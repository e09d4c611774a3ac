// logstore — a storage node's copies of batches, in memory.
// Layer: core. A durable engine replaces this in its own issue; the interface
// (put / slice / overlapping) stays.
//
// Invariants:
//  1. each stored batch's entries are sorted in read order.
//  2. a batch id is stored at most once (put is idempotent).
//  3. bytes() == sum of payload+source sizes of stored entries.
#pragma once

#include "core/base/interval_index.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace logstore {

class entry_store {
public:
  enum class put_result { stored, duplicate };

  /// Stores a copy. REQUIRES: entries non-empty and sorted in read order,
  /// min_ts/max_ts are their first/last timestamps.
  put_result put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 std::vector<stored_entry> entries);

  bool contains(batch_id id) const;

  /// Appends the entries of `id` with r.from <= ts <= r.to to `out` (sorted,
  /// found by binary search). Returns false when the batch is not held.
  bool slice(batch_id id, time_range r, std::vector<stored_entry>& out) const;

  /// Ids of held batches overlapping r (node-local range query).
  std::vector<batch_id> overlapping(time_range r) const;

  bool erase(batch_id id);

  uint64_t batches() const {
    return batches_.size();
  }
  uint64_t bytes() const {
    return bytes_;
  }

  /// All held batch ids, ascending (for block reports).
  std::vector<batch_id> ids() const;

  /// XXH64 over the batch's entries (identity, ts, source, payload), so two
  /// replicas can be compared. Returns false when the batch is not held.
  bool digest(batch_id id, uint64_t& out) const;

private:
  struct stored_batch {
    timestamp_us min_ts;
    timestamp_us max_ts;
    std::vector<stored_entry> entries;
  };
  std::unordered_map<batch_id, stored_batch> batches_;
  interval_index by_time_;
  uint64_t bytes_ = 0;
};

/// Content digest of a batch's entries (see entry_store::digest).
uint64_t digest_of(const std::vector<stored_entry>& entries);

} // namespace logstore
