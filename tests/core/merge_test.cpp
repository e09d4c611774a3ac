// Checks merge_sorted, coalesce_ranges and covered_by (src/core/client/merge.hpp):
// the k-way merge equals std::sort of the concatenation on random inputs,
// repeated identities are kept once, and gap ranges are clipped, sorted and
// coalesced (inclusive ranges: [1,3] and [4,6] touch).
// Reference: docs/protocol.md, "read_result" (sorted entries, missing ranges).
#include "core/client/merge.hpp"

#include "core/base/prng.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <tuple>

using namespace logstore;

namespace {

stored_entry make_entry(timestamp_us ts, std::string source, client_id client,
                        sequence_nr seq, uint32_t index) {
  stored_entry x;
  x.ts = ts;
  x.source = std::move(source);
  x.payload = "p" + std::to_string(seq) + "." + std::to_string(index);
  x.client = client;
  x.seq = seq;
  x.index = index;
  return x;
}

/// k sorted slices of entries with unique identities and many ties in
/// (ts, source), so the identity decides the order often.
std::vector<std::vector<stored_entry>> random_slices(prng& rng) {
  std::vector<std::vector<stored_entry>> slices(rng.below(7));
  sequence_nr seq = 0;
  for (auto& slice : slices) {
    auto n = rng.below(12);
    ++seq;
    for (uint32_t i = 0; i < n; ++i)
      slice.push_back(make_entry(static_cast<timestamp_us>(rng.below(5)),
                                 rng.chance(0.5) ? "a" : "b", rng.below(3),
                                 seq, i));
    std::sort(slice.begin(), slice.end(), read_order_less);
  }
  return slices;
}

std::vector<stored_entry>
sorted_concat(const std::vector<std::vector<stored_entry>>& slices) {
  std::vector<stored_entry> result;
  for (const auto& slice : slices)
    result.insert(result.end(), slice.begin(), slice.end());
  std::sort(result.begin(), result.end(), read_order_less);
  return result;
}

} // namespace

TEST_CASE("merge_sorted equals sorting the concatenation") {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    prng rng{seed};
    auto slices = random_slices(rng);
    auto expected = sorted_concat(slices);
    CAPTURE(seed);
    CHECK(merge_sorted(slices) == expected);
  }
}

TEST_CASE("merge_sorted keeps each identity once") {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    prng rng{seed};
    auto slices = random_slices(rng);
    auto expected = sorted_concat(slices);
    // Copy some slices again (a batch read from two replicas) and duplicate
    // single entries inside a slice.
    auto originals = slices.size();
    for (size_t i = 0; i < originals; ++i)
      if (rng.chance(0.4))
        slices.push_back(slices[i]);
    for (auto& slice : slices)
      if (!slice.empty() && rng.chance(0.3))
        slice.insert(slice.begin(), slice.front());
    CAPTURE(seed);
    CHECK(merge_sorted(slices) == expected);
  }
}

TEST_CASE("of two copies of one entry, the earliest slice's is kept") {
  // Replicas should hold identical copies; if they do not, the choice must
  // still be deterministic.
  for (size_t k = 2; k <= 9; ++k) {
    std::vector<std::vector<stored_entry>> slices;
    for (size_t i = 0; i < k; ++i) {
      auto x = make_entry(7, "s", 1, 1, 0);
      x.payload = "copy-" + std::to_string(i);
      auto y = make_entry(static_cast<timestamp_us>(i), "s", 2, i, 0);
      slices.push_back(y.ts < x.ts ? std::vector{y, x} : std::vector{x, y});
    }
    auto merged = merge_sorted(slices);
    CAPTURE(k);
    REQUIRE(merged.size() == k + 1);
    auto i = std::find_if(merged.begin(), merged.end(),
                          [](const auto& e) { return e.client == 1; });
    REQUIRE(i != merged.end());
    CHECK(i->payload == "copy-0");
  }
}

TEST_CASE("merge_sorted handles no slices and empty slices") {
  CHECK(merge_sorted({}).empty());
  CHECK(merge_sorted({{}, {}}).empty());
  auto x = make_entry(5, "s", 1, 1, 0);
  CHECK(merge_sorted({{}, {x}, {}}) == std::vector<stored_entry>{x});
}

TEST_CASE("merge_sorted orders by ts, then source, then identity") {
  auto a = make_entry(1, "b", 1, 1, 0);
  auto b = make_entry(2, "a", 1, 1, 1);
  auto c = make_entry(2, "b", 0, 9, 0);
  auto d = make_entry(2, "b", 1, 0, 0);
  auto merged = merge_sorted({{b, d}, {a, c}});
  CHECK(merged == std::vector<stored_entry>{a, b, c, d});
}

TEST_CASE("coalesce_ranges clips, sorts and merges") {
  time_range window{0, 100};
  using ranges = std::vector<time_range>;
  SUBCASE("nothing in, nothing out") {
    CHECK(coalesce_ranges({}, window).empty());
  }
  SUBCASE("ranges outside the window vanish; others are clipped") {
    CHECK(coalesce_ranges({{-50, -1}, {101, 200}}, window).empty());
    CHECK(coalesce_ranges({{-50, 0}}, window) == ranges{{0, 0}});
    CHECK(coalesce_ranges({{90, 500}}, window) == ranges{{90, 100}});
    CHECK(coalesce_ranges({{-5, 500}}, window) == ranges{{0, 100}});
  }
  SUBCASE("adjacent integer ranges merge, a one-step gap does not") {
    CHECK(coalesce_ranges({{4, 6}, {1, 3}}, window) == ranges{{1, 6}});
    CHECK(coalesce_ranges({{1, 3}, {5, 6}}, window)
          == ranges{{1, 3}, {5, 6}});
  }
  SUBCASE("overlapping and contained ranges merge") {
    CHECK(coalesce_ranges({{10, 20}, {12, 14}, {15, 30}, {50, 60}}, window)
          == ranges{{10, 30}, {50, 60}});
    CHECK(coalesce_ranges({{10, 20}, {10, 20}}, window) == ranges{{10, 20}});
  }
  SUBCASE("inverted ranges are dropped") {
    CHECK(coalesce_ranges({{20, 10}}, window).empty());
  }
  SUBCASE("extreme values do not overflow") {
    constexpr auto lo = std::numeric_limits<timestamp_us>::min();
    constexpr auto hi = std::numeric_limits<timestamp_us>::max();
    time_range all{lo, hi};
    CHECK(coalesce_ranges({{lo, 0}, {1, hi}}, all) == ranges{{lo, hi}});
    CHECK(coalesce_ranges({{hi, hi}, {lo, lo}}, all)
          == ranges{{lo, lo}, {hi, hi}});
  }
}

TEST_CASE("coalesce_ranges agrees with a bitmap on random input") {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    prng rng{seed};
    time_range window{10, 50};
    std::vector<time_range> input(rng.below(8));
    std::vector<bool> bitmap(64, false);
    for (auto& r : input) {
      r.from = static_cast<timestamp_us>(rng.below(60));
      r.to = r.from + static_cast<timestamp_us>(rng.below(10));
      for (auto t = std::max(r.from, window.from);
           t <= std::min(r.to, window.to); ++t)
        bitmap[static_cast<size_t>(t)] = true;
    }
    auto out = coalesce_ranges(input, window);
    CAPTURE(seed);
    for (timestamp_us t = 0; t < 64; ++t)
      CHECK(covered_by(out, t) == bitmap[static_cast<size_t>(t)]);
    for (size_t i = 1; i < out.size(); ++i)
      CHECK(out[i - 1].to + 1 < out[i].from);
  }
}

TEST_CASE("covered_by checks the edges of every range") {
  std::vector<time_range> rs{{1, 3}, {10, 10}, {20, 25}};
  CHECK_FALSE(covered_by({}, 0));
  CHECK_FALSE(covered_by(rs, 0));
  CHECK(covered_by(rs, 1));
  CHECK(covered_by(rs, 3));
  CHECK_FALSE(covered_by(rs, 4));
  CHECK_FALSE(covered_by(rs, 9));
  CHECK(covered_by(rs, 10));
  CHECK_FALSE(covered_by(rs, 11));
  CHECK(covered_by(rs, 25));
  CHECK_FALSE(covered_by(rs, 26));
}

TEST_CASE("merge_sorted of batches that follow each other in time, in any "
          "order, equals sorting the concatenation") {
  // The common read: slices that do not overlap (concatenated), handed over
  // in any order; some touch (the last ts of one is the first of the next,
  // decided by source or identity) and some overlap (the heap merge).
  for (uint64_t seed = 0; seed < 500; ++seed) {
    prng rng{seed};
    std::vector<std::vector<stored_entry>> slices(1 + rng.below(12));
    timestamp_us ts = 0;
    sequence_nr seq = 0;
    for (auto& slice : slices) {
      ++seq;
      auto n = rng.below(10);
      if (rng.chance(0.3) && ts > 0)
        --ts; // touches or overlaps the previous slice
      for (uint32_t i = 0; i < n; ++i) {
        ts += static_cast<timestamp_us>(rng.below(3));
        slice.push_back(make_entry(ts, rng.chance(0.5) ? "a" : "b",
                                   rng.below(2), seq, i));
      }
      std::sort(slice.begin(), slice.end(), read_order_less);
    }
    auto expected = sorted_concat(slices);
    for (size_t i = slices.size(); i > 1; --i) // shuffle the slices
      std::swap(slices[i - 1], slices[rng.below(i)]);
    CAPTURE(seed);
    CHECK(merge_sorted(slices) == expected);
  }
}

TEST_CASE("merge_sorted keeps one copy of a batch read from two replicas") {
  // Disjoint batches, one of them twice (two replicas answered for it):
  // each identity once, from the earliest slice.
  std::vector<stored_entry> a, b, c;
  for (uint32_t i = 0; i < 5; ++i) {
    a.push_back(make_entry(10 + i, "s", 1, 1, i));
    b.push_back(make_entry(20 + i, "s", 1, 2, i));
  }
  c = a;
  for (auto& e : c)
    e.payload = "other replica";
  auto merged = merge_sorted({b, a, c});
  REQUIRE(merged.size() == 10);
  CHECK(merged.front().payload == a.front().payload);
  CHECK(std::is_sorted(merged.begin(), merged.end(), read_order_less));
}
