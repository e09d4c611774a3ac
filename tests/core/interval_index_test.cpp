// Reference: src/core/base/interval_index.hpp (invariants 1-3 and the query
// contract: every interval overlapping the inclusive [from, to], ordered by
// (min_ts, id)). Checks boundaries, out-of-order inserts, erases that must
// repair the running max, and a randomized comparison with a brute-force scan.
#include "core/base/interval_index.hpp"

#include "core/base/prng.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <tuple>
#include <vector>

using namespace logstore;

namespace {

using ids = std::vector<batch_id>;

struct interval {
  batch_id id;
  timestamp_us min_ts;
  timestamp_us max_ts;
};

// The reference answer: scan everything, then order by (min_ts, id).
ids brute_force(const std::vector<interval>& xs, time_range r) {
  std::vector<interval> hits;
  for (const auto& x : xs)
    if (overlaps(time_range{x.min_ts, x.max_ts}, r))
      hits.push_back(x);
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return std::tie(a.min_ts, a.id) < std::tie(b.min_ts, b.id);
  });
  ids result;
  for (const auto& x : hits)
    result.push_back(x.id);
  return result;
}

timestamp_us draw(prng& rng, timestamp_us lo, timestamp_us hi) {
  return lo + static_cast<timestamp_us>(rng.below(
           static_cast<uint64_t>(hi - lo + 1)));
}

} // namespace

TEST_CASE("an empty index overlaps nothing") {
  interval_index idx;
  CHECK(idx.size() == 0);
  CHECK(idx.overlapping({0, 100}).empty());
  CHECK_FALSE(idx.erase(1, 0));
}

TEST_CASE("both ends of the range and of each interval are inclusive") {
  interval_index idx;
  idx.insert(1, 10, 20);
  idx.insert(2, 20, 30);
  idx.insert(3, 31, 40);
  CHECK(idx.overlapping({20, 20}) == ids{1, 2});
  CHECK(idx.overlapping({0, 9}).empty());
  CHECK(idx.overlapping({0, 10}) == ids{1});
  CHECK(idx.overlapping({30, 31}) == ids{2, 3});
  CHECK(idx.overlapping({40, 50}) == ids{3});
  CHECK(idx.overlapping({41, 50}).empty());
  CHECK(idx.overlapping({0, 1000}) == ids{1, 2, 3});
}

TEST_CASE("a reversed range overlaps nothing") {
  interval_index idx;
  idx.insert(1, 10, 20);
  CHECK(idx.overlapping({15, 14}).empty());
}

TEST_CASE("results are ordered by min_ts, then id") {
  interval_index idx;
  idx.insert(7, 50, 60);
  idx.insert(9, 10, 60);
  idx.insert(3, 10, 60);
  idx.insert(5, 30, 60);
  CHECK(idx.overlapping({55, 55}) == ids{3, 9, 5, 7});
}

TEST_CASE("a long interval inserted out of order covers later starts") {
  interval_index idx;
  for (batch_id i = 1; i <= 5; ++i)
    idx.insert(i, static_cast<timestamp_us>(i) * 10,
               static_cast<timestamp_us>(i) * 10 + 5);
  // Starts first but ends last: every running max after it must rise.
  idx.insert(100, 0, 1000);
  CHECK(idx.size() == 6);
  CHECK(idx.overlapping({500, 600}) == ids{100});
  CHECK(idx.overlapping({30, 30}) == ids{100, 3});
}

TEST_CASE("erasing the interval that set the running max repairs it") {
  interval_index idx;
  idx.insert(1, 0, 1000);
  idx.insert(2, 10, 15);
  idx.insert(3, 20, 25);
  CHECK(idx.overlapping({500, 600}) == ids{1});
  CHECK_FALSE(idx.erase(1, 5)); // wrong min_ts: not found
  CHECK_FALSE(idx.erase(4, 0)); // wrong id: not found
  CHECK(idx.erase(1, 0));
  CHECK_FALSE(idx.erase(1, 0));
  CHECK(idx.size() == 2);
  CHECK(idx.overlapping({500, 600}).empty());
  CHECK(idx.overlapping({16, 19}).empty());
  CHECK(idx.overlapping({0, 100}) == ids{2, 3});
}

TEST_CASE("ids sharing a min_ts are erased one by one") {
  interval_index idx;
  idx.insert(4, 10, 40);
  idx.insert(2, 10, 20);
  idx.insert(3, 10, 30);
  CHECK(idx.erase(3, 10));
  CHECK(idx.overlapping({25, 25}) == ids{4});
  CHECK(idx.overlapping({0, 100}) == ids{2, 4});
  CHECK(idx.erase(4, 10));
  CHECK(idx.overlapping({25, 25}).empty());
}

TEST_CASE("memory_bytes covers at least the stored keys") {
  interval_index idx;
  auto empty = idx.memory_bytes();
  for (batch_id i = 0; i < 1000; ++i)
    idx.insert(i, static_cast<timestamp_us>(i), static_cast<timestamp_us>(i));
  CHECK(idx.memory_bytes() > empty);
  CHECK(idx.memory_bytes() >= 1000 * (3 * sizeof(int64_t)));
}

TEST_CASE("randomized: overlapping agrees with a brute-force scan") {
  prng rng{20240611};
  interval_index idx;
  std::vector<interval> live;
  constexpr int rounds = 6000;
  batch_id next_id = 1;
  for (int round = 0; round < rounds; ++round) {
    auto roll = rng.below(10);
    if (roll < 6 || live.empty()) {
      // Mostly near "now" with jitter; sometimes far in the past, sometimes
      // long, sometimes a point: out-of-order inserts hit every path.
      auto now = static_cast<timestamp_us>(round) * 10;
      auto min_ts = rng.chance(0.2) ? draw(rng, 0, now)
                                    : now - draw(rng, 0, 30);
      auto span = rng.chance(0.1) ? draw(rng, 0, 5000) : draw(rng, 0, 40);
      live.push_back({next_id, min_ts, min_ts + span});
      idx.insert(next_id++, min_ts, min_ts + span);
    } else if (roll < 8) {
      auto k = static_cast<size_t>(rng.below(live.size()));
      CHECK(idx.erase(live[k].id, live[k].min_ts));
      live[k] = live.back();
      live.pop_back();
    } else {
      auto k = static_cast<size_t>(rng.below(live.size()));
      CHECK_FALSE(idx.erase(live[k].id, live[k].min_ts + 1));
    }
    REQUIRE(idx.size() == live.size());
    auto hi = static_cast<timestamp_us>(round) * 10 + 100;
    for (int q = 0; q < 3; ++q) {
      auto from = draw(rng, -50, hi);
      auto to = from + draw(rng, 0, rng.chance(0.5) ? 20 : 2000);
      time_range r{from, to};
      REQUIRE(idx.overlapping(r) == brute_force(live, r));
    }
  }
  CHECK(live.size() > 1000); // the index really grew to thousands
}

TEST_CASE("randomized backfill: far inserts, merges, dead keys and revivals "
          "agree with a brute-force scan") {
  // Half of the inserts land far back in time (the delta run, merged into
  // the main run again and again); erases kill keys in both runs, enough to
  // rebuild them; erased ids come back under their old (min_ts, id).
  prng rng{7};
  interval_index idx;
  std::vector<interval> live, erased;
  batch_id next_id = 1;
  for (int round = 0; round < 40'000; ++round) {
    auto roll = rng.below(20);
    if (roll < 10 || live.empty()) {
      auto now = static_cast<timestamp_us>(round) * 10;
      auto min_ts = rng.chance(0.5) ? draw(rng, 0, now) : now;
      auto span = draw(rng, 0, rng.chance(0.05) ? 20'000 : 50);
      live.push_back({next_id, min_ts, min_ts + span});
      idx.insert(next_id++, min_ts, min_ts + span);
    } else if (roll < 16) {
      auto k = static_cast<size_t>(rng.below(live.size()));
      REQUIRE(idx.erase(live[k].id, live[k].min_ts));
      CHECK_FALSE(idx.erase(live[k].id, live[k].min_ts)); // gone already
      erased.push_back(live[k]);
      live[k] = live.back();
      live.pop_back();
    } else if (!erased.empty()) {
      // A batch deleted and copied back (rebalance): same id and min_ts,
      // maybe another max_ts.
      auto k = static_cast<size_t>(rng.below(erased.size()));
      auto x = erased[k];
      x.max_ts = x.min_ts + draw(rng, 0, 100);
      idx.insert(x.id, x.min_ts, x.max_ts);
      live.push_back(x);
      erased[k] = erased.back();
      erased.pop_back();
    }
    REQUIRE(idx.size() == live.size());
    if (round % 7 == 0) {
      auto hi = static_cast<timestamp_us>(round) * 10 + 100;
      auto from = draw(rng, -50, hi);
      auto to = from + draw(rng, 0, rng.chance(0.5) ? 200 : 50'000);
      time_range r{from, to};
      REQUIRE(idx.overlapping(r) == brute_force(live, r));
    }
  }
  CHECK(live.size() > 5000);
  auto all = idx.overlapping({std::numeric_limits<timestamp_us>::min(),
                              std::numeric_limits<timestamp_us>::max()});
  CHECK(all.size() == live.size());
}

TEST_CASE("erasing everything, oldest first, leaves an empty index") {
  interval_index idx;
  for (batch_id i = 0; i < 10'000; ++i)
    idx.insert(i, static_cast<timestamp_us>(i), static_cast<timestamp_us>(i));
  for (batch_id i = 0; i < 10'000; ++i) {
    REQUIRE(idx.erase(i, static_cast<timestamp_us>(i)));
    if (i % 1000 == 0)
      REQUIRE(idx.overlapping({0, 20'000}).size() == 10'000 - i - 1);
  }
  CHECK(idx.size() == 0);
  CHECK(idx.overlapping({0, 20'000}).empty());
  CHECK(idx.memory_bytes() < 10'000 * 8); // the storage went with the keys
}
