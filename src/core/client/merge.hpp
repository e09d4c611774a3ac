// logstore — merging per-batch read results, and describing gaps.
// Layer: core.
#pragma once

#include "core/base/types.hpp"

#include <vector>

namespace logstore {

/// K-way merge of slices that are each sorted in read order into one vector
/// sorted by read_order_less. Entries with the same identity (client, seq,
/// index) are kept once; of equal entries, the one from the earliest slice
/// is kept. O(n log k).
std::vector<stored_entry>
merge_sorted(std::vector<std::vector<stored_entry>> slices);

/// Clips every range to `window`, sorts and coalesces overlapping or
/// adjacent ranges. Used to name the missing parts of an incomplete read.
std::vector<time_range> coalesce_ranges(std::vector<time_range> ranges,
                                        time_range window);

/// True when ts lies inside one of the (coalesced, sorted) ranges.
bool covered_by(const std::vector<time_range>& ranges, timestamp_us ts);

} // namespace logstore
