// logstore — helpers shared by the storage engine tests: batches with
// recognisable contents, and "put it, remember it" bookkeeping.
#pragma once

#include "core/storage/segment_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace logstore::test {

/// `count` entries at first_ts, first_ts + step, ...; payloads derived from
/// the batch id so a mix-up between batches is visible.
inline std::vector<stored_entry> make_batch(batch_id id, timestamp_us first_ts,
                                            uint32_t count = 3,
                                            size_t payload_bytes = 20,
                                            timestamp_us step = 1) {
  std::vector<stored_entry> xs;
  for (uint32_t i = 0; i < count; ++i) {
    std::string payload(payload_bytes, static_cast<char>('a' + id % 26));
    payload.replace(0, std::min(payload.size(), std::to_string(id).size()),
                    std::to_string(id).substr(0, payload.size()));
    xs.push_back({first_ts + step * i, "src-" + std::to_string(i % 2),
                  std::move(payload), id % 5, id, i});
  }
  std::sort(xs.begin(), xs.end(), read_order_less);
  return xs;
}

/// What a test wrote, to compare the store against.
struct model {
  std::map<batch_id, std::vector<stored_entry>> batches;

  segment_store::put_result put(segment_store& store, batch_id id,
                                std::vector<stored_entry> xs) {
    auto r = store.put(id, xs.front().ts, xs.back().ts, xs);
    if (r == segment_store::put_result::stored)
      batches[id] = std::move(xs);
    return r;
  }
};

/// The whole batch, read back through the store.
inline segment_store::read_result read_all(segment_store& store, batch_id id,
                                           std::vector<stored_entry>& out) {
  out.clear();
  return store.slice(id, {INT64_MIN, INT64_MAX}, out);
}

/// Every batch the store claims is readable and equals what was written.
inline void check_served_batches_match(segment_store& store,
                                       const model& m) {
  for (auto id : store.ids()) {
    INFO("batch " << id);
    auto i = m.batches.find(id);
    REQUIRE(i != m.batches.end());
    std::vector<stored_entry> out;
    REQUIRE(read_all(store, id, out) == segment_store::read_result::ok);
    CHECK(out == i->second);
  }
}

inline segment_store_options small_segments(uint64_t segment_bytes) {
  segment_store_options opts;
  opts.segment_bytes_max = segment_bytes;
  opts.frame_bytes_max = 1u << 20;
  return opts;
}

} // namespace logstore::test
