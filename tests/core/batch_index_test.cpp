// Reference: src/core/master/batch_index.hpp (invariants 2-5). Checks replica_list
// add/remove/contains, the dense table with holes and late (smaller) ids,
// that erase removes a batch from both the table and the interval index,
// and a randomized run against a std::map model.
#include "core/master/batch_index.hpp"

#include "core/base/prng.hpp"

#include <doctest/doctest.h>

#include <map>
#include <vector>

using namespace logstore;

namespace {

using ids = std::vector<batch_id>;

batch_meta make_meta(timestamp_us min_ts, timestamp_us max_ts) {
  batch_meta meta;
  meta.min_ts = min_ts;
  meta.max_ts = max_ts;
  meta.entries = 3;
  meta.bytes = 300;
  return meta;
}

ids present_ids(const batch_index& idx) {
  ids result;
  idx.for_each([&](batch_id id, const batch_meta& meta) {
    CHECK(meta.present);
    result.push_back(id);
  });
  return result;
}

} // namespace

TEST_CASE("replica_list holds distinct nodes, at most replicas_max") {
  replica_list xs;
  CHECK(xs.add(3));
  CHECK(xs.add(1));
  CHECK_FALSE(xs.add(3));
  CHECK(xs.contains(1));
  CHECK_FALSE(xs.contains(2));
  for (node_number n = 10; xs.count < replicas_max; ++n)
    CHECK(xs.add(n));
  CHECK_FALSE(xs.add(99));
  CHECK(xs.count == replicas_max);
}

TEST_CASE("replica_list remove keeps the order of the others") {
  replica_list xs;
  xs.add(5);
  xs.add(6);
  xs.add(7);
  CHECK(xs.remove(6));
  CHECK_FALSE(xs.remove(6));
  CHECK(std::vector<node_number>(xs.begin(), xs.end())
        == std::vector<node_number>{5, 7});
  CHECK(xs.remove(5));
  CHECK(xs.remove(7));
  CHECK(xs.count == 0);
  CHECK(xs.begin() == xs.end());
}

TEST_CASE("find returns present batches and nothing for holes") {
  batch_index idx;
  idx.insert(10, make_meta(100, 200));
  idx.insert(13, make_meta(150, 250));
  CHECK(idx.size() == 2);
  REQUIRE(idx.find(10) != nullptr);
  CHECK(idx.find(10)->min_ts == 100);
  CHECK(idx.find(10)->present);
  CHECK(idx.find(11) == nullptr); // hole
  CHECK(idx.find(9) == nullptr);  // below base
  CHECK(idx.find(14) == nullptr); // past the end
  CHECK(present_ids(idx) == ids{10, 13});
}

TEST_CASE("a smaller id arriving late re-bases the table") {
  batch_index idx;
  idx.insert(100, make_meta(1000, 1100));
  idx.insert(95, make_meta(950, 1050));
  idx.insert(97, make_meta(970, 1070));
  CHECK(idx.size() == 3);
  REQUIRE(idx.find(95) != nullptr);
  CHECK(idx.find(95)->max_ts == 1050);
  REQUIRE(idx.find(100) != nullptr);
  CHECK(idx.find(100)->min_ts == 1000);
  CHECK(idx.find(96) == nullptr);
  CHECK(present_ids(idx) == ids{95, 97, 100});
  CHECK(idx.overlapping({1060, 1060}) == ids{97, 100});
}

TEST_CASE("replicas are updated in place through find") {
  batch_index idx;
  idx.insert(1, make_meta(0, 10));
  idx.find(1)->replicas.add(4);
  idx.find(1)->replicas.add(2);
  CHECK(idx.find(1)->replicas.contains(4));
  CHECK(idx.find(1)->replicas.count == 2);
}

TEST_CASE("erase removes a batch from the table and the interval index") {
  batch_index idx;
  idx.insert(1, make_meta(0, 10));
  idx.insert(2, make_meta(5, 15));
  idx.insert(3, make_meta(20, 30));
  CHECK(idx.erase(2));
  CHECK_FALSE(idx.erase(2));
  CHECK_FALSE(idx.erase(42));
  CHECK(idx.find(2) == nullptr);
  CHECK(idx.size() == 2);
  CHECK(idx.overlapping({11, 15}).empty());
  CHECK(idx.overlapping({0, 100}) == ids{1, 3});
  CHECK(idx.erase(3)); // the last one: trailing holes go
  CHECK(idx.find(3) == nullptr);
  CHECK(present_ids(idx) == ids{1});
}

TEST_CASE("an emptied index starts afresh at any id") {
  batch_index idx;
  idx.insert(5, make_meta(0, 10));
  CHECK(idx.erase(5));
  CHECK(idx.size() == 0);
  idx.insert(1000000, make_meta(7, 8));
  idx.insert(999999, make_meta(6, 7));
  CHECK(present_ids(idx) == ids{999999, 1000000});
  CHECK(idx.overlapping({7, 7}) == ids{999999, 1000000});
}

TEST_CASE("retention from the oldest end keeps the rest findable") {
  batch_index idx;
  for (batch_id id = 1; id <= 1000; ++id)
    idx.insert(id, make_meta(static_cast<timestamp_us>(id) * 10,
                             static_cast<timestamp_us>(id) * 10 + 15));
  auto full = idx.memory_bytes();
  for (batch_id id = 1; id <= 990; ++id)
    REQUIRE(idx.erase(id));
  CHECK(idx.size() == 10);
  CHECK(present_ids(idx).front() == 991);
  CHECK(idx.find(990) == nullptr);
  REQUIRE(idx.find(991) != nullptr);
  CHECK(idx.find(991)->min_ts == 9910);
  CHECK(idx.overlapping({9925, 9925}) == ids{991, 992});
  // Appending again reuses the table: no growth beyond the full size.
  for (batch_id id = 1001; id <= 1500; ++id)
    idx.insert(id, make_meta(static_cast<timestamp_us>(id) * 10,
                             static_cast<timestamp_us>(id) * 10 + 15));
  CHECK(idx.memory_bytes() <= full);
  CHECK(idx.size() == 510);
}

TEST_CASE("memory_bytes counts the meta table and the interval index") {
  batch_index idx;
  for (batch_id id = 0; id < 100; ++id)
    idx.insert(id, make_meta(0, 1));
  CHECK(idx.memory_bytes() >= 100 * sizeof(batch_meta));
}

TEST_CASE("randomized: find, for_each and overlapping match a map model") {
  prng rng{7};
  batch_index idx;
  std::map<batch_id, batch_meta> model;
  // One id in 20 lands far away (the sparse side, invariant 6).
  auto draw_id = [&] {
    auto near = static_cast<batch_id>(1000 + rng.below(600));
    return rng.chance(0.05) ? near * 4'000'000 : near;
  };
  for (int round = 0; round < 4000; ++round) {
    auto id = draw_id();
    auto hit = model.count(id) != 0;
    if (hit && rng.chance(0.5)) {
      CHECK(idx.erase(id));
      model.erase(id);
    } else if (!hit) {
      auto min_ts = static_cast<timestamp_us>(id % 4'000'000) * 10
                    + static_cast<timestamp_us>(rng.below(50));
      auto span = 5 + static_cast<timestamp_us>(rng.below(30));
      auto meta = make_meta(min_ts, min_ts + span);
      idx.insert(id, meta);
      model[id] = meta;
    }
    REQUIRE(idx.size() == model.size());
    auto probe = rng.chance(0.5) ? static_cast<batch_id>(990 + rng.below(620))
                                 : draw_id();
    auto* found = idx.find(probe);
    REQUIRE((found != nullptr) == (model.count(probe) != 0));
    if (found != nullptr)
      CHECK(found->max_ts == model[probe].max_ts);
  }
  ids expected;
  for (const auto& kv : model)
    expected.push_back(kv.first);
  CHECK(present_ids(idx) == expected);
  CHECK(idx.overlapping({0, 1000000}).size() == model.size());
  CHECK(idx.sparse_size() > 0);
}

TEST_CASE("an id far from the others is kept aside, never refused") {
  // Block reports are remote input: a batch from long ago (or a garbage id)
  // must neither abort the master nor allocate the gap (invariant 6).
  batch_index index;
  auto m = [](timestamp_us t) {
    batch_meta x;
    x.min_ts = t;
    x.max_ts = t;
    x.entries = 1;
    return x;
  };
  index.insert(5'000'000, m(50));
  index.insert(5'000'001, m(51));
  index.insert(7, m(7));                  // far below: sparse
  index.insert(uint64_t{1} << 62, m(99)); // far above: sparse
  index.insert(UINT64_MAX, m(100));
  CHECK(index.size() == 5);
  CHECK(index.sparse_size() == 3);
  CHECK(index.memory_bytes() < 4096);
  REQUIRE(index.find(7) != nullptr);
  CHECK(index.find(7)->min_ts == 7);
  CHECK(index.find(uint64_t{1} << 62) != nullptr);
  CHECK(index.find(8) == nullptr);
  std::vector<batch_id> order;
  index.for_each([&](batch_id id, const batch_meta&) { order.push_back(id); });
  CHECK(order == std::vector<batch_id>{7, 5'000'000, 5'000'001,
                                       uint64_t{1} << 62, UINT64_MAX});
  CHECK(index.overlapping({0, 200}).size() == 5);
  CHECK(index.erase(7));
  CHECK(index.erase(UINT64_MAX));
  CHECK(index.find(7) == nullptr);
  CHECK(index.size() == 3);
  CHECK(index.erase(5'000'000));
  CHECK(index.erase(5'000'001));
  CHECK(index.size() == 1);
  index.insert(9, m(9)); // the dense table starts afresh
  CHECK(index.size() == 2);
  CHECK(index.sparse_size() == 1);
}
