// logstore — the master's record of every acknowledged batch.
// Layer: core. Memory per batch, never per entry: a batch is its id, time
// range, entry count, byte count and replica list (node numbers).
//
// Invariants:
//  1. every batch in the index was acknowledged to a client (or confirmed by
//     write_quorum nodes); pending writes are not here.
//  2. replicas of a batch are distinct node numbers.
//  3. the interval index and the meta table hold exactly the same ids.
//  4. metas_ is empty or its last entry is present (trailing holes trimmed).
//  5. metas_[first_present_] is the first present entry; the holes before
//     it fill at most half of metas_ (dropped lazily, see drop_holes()).
//  6. an id is in metas_ or in sparse_, never both. Ids are dense and
//     increasing when one master hands them out, so metas_ holds almost
//     all; an id far from the others (a batch from long ago adopted after a
//     restart, or a garbage id in a block report) goes to sparse_ instead
//     of opening millions of holes. No id is ever refused.
#pragma once

#include "core/base/interval_index.hpp"
#include "core/base/replica_list.hpp"
#include "core/base/types.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace logstore {

struct batch_meta {
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  uint32_t entries = 0;
  uint32_t bytes = 0;
  replica_list replicas;
  bool present = false; ///< false for ids never acknowledged (holes)
};

class batch_index {
public:
  /// REQUIRES: id not present, min_ts <= max_ts.
  void insert(batch_id id, const batch_meta& meta);

  const batch_meta* find(batch_id id) const;
  /// Callers may update replicas, entries and bytes, never min_ts, max_ts
  /// or present: the interval index is keyed on them.
  batch_meta* find(batch_id id);

  bool erase(batch_id id);

  /// Ids of batches overlapping [from, to], ordered by min_ts.
  std::vector<batch_id> overlapping(time_range r) const;

  /// Number of batches present.
  size_t size() const {
    return present_;
  }

  /// Calls f(id, meta) for every present batch, in id order.
  template <class F>
  void for_each(F&& f) const {
    auto sparse = sparse_.begin();
    auto sparse_until = [&](batch_id bound) {
      for (; sparse != sparse_.end() && sparse->first < bound; ++sparse)
        f(sparse->first, sparse->second);
    };
    for (size_t i = 0; i < metas_.size(); ++i)
      if (metas_[i].present) {
        auto id = static_cast<batch_id>(i) + base_;
        sparse_until(id);
        f(id, metas_[i]);
      }
    sparse_until(UINT64_MAX);
    if (sparse != sparse_.end()) // UINT64_MAX itself
      f(sparse->first, sparse->second);
  }

  /// Batches kept outside the dense table (see invariant 6).
  size_t sparse_size() const {
    return sparse_.size();
  }

  /// Bytes used by the index (meta table + interval index).
  size_t memory_bytes() const;

private:
  /// Index of `id` in metas_, growing or re-basing the table to hold it;
  /// false when that would open more than id_gap_max holes.
  bool slot_for(batch_id id, size_t& slot);

  /// Trims trailing holes and, once they fill half the table, leading ones.
  /// REQUIRES: present_ > 0.
  void drop_holes();

  batch_id base_ = 0; ///< id of metas_[0]
  std::vector<batch_meta> metas_;
  std::map<batch_id, batch_meta> sparse_; ///< ids far from metas_
  interval_index by_time_;
  size_t present_ = 0;
  size_t first_present_ = 0; ///< index of the first present meta
};

} // namespace logstore
