// Checks choose_replicas (src/core/master/placement.hpp): replicas are distinct and
// never more than the candidates; a seed fixes the random choice and the
// random choice is roughly uniform; least-loaded orders by (bytes, node);
// zones spread replicas over as many distinct zones as there are.
// Reference: docs/protocol.md, "append" (the master places RF copies).
#include "core/master/placement.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

using namespace logstore;

namespace {

std::vector<placement_candidate> plain_nodes(size_t n) {
  std::vector<placement_candidate> result;
  for (size_t i = 0; i < n; ++i)
    result.push_back({static_cast<node_number>(i + 10), 0, ""});
  return result;
}

bool distinct(std::vector<node_number> xs) {
  std::sort(xs.begin(), xs.end());
  return std::adjacent_find(xs.begin(), xs.end()) == xs.end();
}

std::set<std::string> zones_of(const std::vector<node_number>& chosen,
                               const std::vector<placement_candidate>& cs) {
  std::set<std::string> result;
  for (auto n : chosen)
    for (const auto& c : cs)
      if (c.node == n)
        result.insert(c.zone);
  return result;
}

constexpr placement_policy both_policies[] = {placement_policy::random,
                                              placement_policy::least_loaded};

} // namespace

TEST_CASE("replicas are distinct and never more than the candidates") {
  for (auto policy : both_policies) {
    for (uint64_t seed = 0; seed < 50; ++seed) {
      prng rng{seed};
      for (size_t n = 0; n <= 6; ++n) {
        for (size_t count = 0; count <= 8; ++count) {
          auto chosen = choose_replicas(policy, plain_nodes(n), count, rng);
          CHECK(chosen.size() == std::min(n, count));
          CHECK(distinct(chosen));
          for (auto x : chosen) {
            CHECK(x >= 10);
            CHECK(x < 10 + n);
          }
        }
      }
    }
  }
}

TEST_CASE("random placement is fixed by the seed") {
  auto candidates = plain_nodes(8);
  std::set<std::vector<node_number>> seen;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    prng first{seed};
    prng second{seed};
    auto x = choose_replicas(placement_policy::random, candidates, 3, first);
    auto y = choose_replicas(placement_policy::random, candidates, 3, second);
    CHECK(x == y);
    seen.insert(x);
  }
  // Different seeds must not all give the same answer.
  CHECK(seen.size() > 10);
}

TEST_CASE("random placement spreads evenly over many draws") {
  auto candidates = plain_nodes(6);
  prng rng{42};
  std::map<node_number, int> hits;
  constexpr int draws = 12'000;
  for (int i = 0; i < draws; ++i)
    for (auto n : choose_replicas(placement_policy::random, candidates, 3, rng))
      ++hits[n];
  // Each node is in a given draw with probability 3/6: 6000 expected hits;
  // the standard deviation is about 55, so 5% is over 5 sigma.
  REQUIRE(hits.size() == 6);
  for (const auto& [node, count] : hits) {
    CAPTURE(node);
    CHECK(count > 5700);
    CHECK(count < 6300);
  }
}

TEST_CASE("random placement also varies the first replica") {
  auto candidates = plain_nodes(4);
  prng rng{7};
  std::map<node_number, int> first;
  for (int i = 0; i < 4000; ++i)
    ++first[choose_replicas(placement_policy::random, candidates, 4, rng)[0]];
  REQUIRE(first.size() == 4);
  for (const auto& [node, count] : first) {
    CAPTURE(node);
    CHECK(count > 850);
    CHECK(count < 1150);
  }
}

TEST_CASE("least-loaded picks the fewest bytes, ties by node number") {
  std::vector<placement_candidate> cs{
    {4, 300, ""}, {2, 100, ""}, {1, 100, ""}, {3, 50, ""}, {5, 1000, ""}};
  prng rng{1};
  auto chosen = choose_replicas(placement_policy::least_loaded, cs, 3, rng);
  CHECK(chosen == std::vector<node_number>{3, 1, 2});
  chosen = choose_replicas(placement_policy::least_loaded, cs, 9, rng);
  CHECK(chosen == std::vector<node_number>{3, 1, 2, 4, 5});
}

TEST_CASE("least-loaded ignores the seed") {
  std::vector<placement_candidate> cs{{1, 9, ""}, {2, 8, ""}, {3, 7, ""}};
  prng first{1};
  prng second{2};
  CHECK(choose_replicas(placement_policy::least_loaded, cs, 2, first)
        == choose_replicas(placement_policy::least_loaded, cs, 2, second));
}

TEST_CASE("zones: one replica per zone before any zone gets two") {
  std::vector<placement_candidate> cs{{1, 1, "a"},  {2, 2, "a"},
                                      {3, 3, "a"},  {4, 10, "b"},
                                      {5, 20, "c"}, {6, 30, "b"}};
  SUBCASE("least-loaded keeps its order inside and across zones") {
    prng rng{0};
    auto pick = [&](size_t count) {
      return choose_replicas(placement_policy::least_loaded, cs, count, rng);
    };
    CHECK(pick(3) == std::vector<node_number>{1, 4, 5});
    CHECK(pick(4) == std::vector<node_number>{1, 4, 5, 2});
    CHECK(pick(6).size() == 6);
  }
  SUBCASE("random spreads over every zone for every seed") {
    for (uint64_t seed = 0; seed < 200; ++seed) {
      prng rng{seed};
      auto chosen = choose_replicas(placement_policy::random, cs, 3, rng);
      CAPTURE(seed);
      CHECK(distinct(chosen));
      CHECK(zones_of(chosen, cs).size() == 3);
    }
  }
  SUBCASE("more replicas than zones still uses every zone") {
    for (auto policy : both_policies) {
      prng rng{3};
      auto chosen = choose_replicas(policy, cs, 4, rng);
      CHECK(chosen.size() == 4);
      CHECK(distinct(chosen));
      CHECK(zones_of(chosen, cs).size() == 3);
    }
  }
}

TEST_CASE("zones: a node without a zone counts as its own zone") {
  std::vector<placement_candidate> cs{
    {1, 1, "a"}, {2, 2, "a"}, {3, 50, ""}, {4, 60, ""}};
  prng rng{0};
  auto chosen = choose_replicas(placement_policy::least_loaded, cs, 3, rng);
  CHECK(chosen == std::vector<node_number>{1, 3, 4});
}
