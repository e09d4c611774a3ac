// Checks read_plan (src/core/client/read_plan.hpp), a client read's state machine:
// a failed replica's batches move to another replica; with every replica
// down the batch's range is named as missing; a late or duplicated result is
// not counted twice; not_found and ignored batches are retried elsewhere; a
// second fetch in flight at the same node is waited for; the first
// assignment uses as few fetches as possible, and spreads reads of
// different windows over the replicas; a prefetch's slices count.
// Reference: docs/protocol.md, "read_plan_reply" / "fetch_req" / "read_result".
#include "core/client/read_plan.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

using namespace logstore;

namespace {

using ids = std::vector<batch_id>;
/// Fetches by node: what the tests compare.
using groups = std::map<node_number, ids>;

/// The plan as the master drives it, by node: each node's fetches are
/// answered (or fail) in the order they were sent; an answer for a node
/// with no fetch in flight names no known fetch (a late or duplicated
/// reply, which the plan ignores).
class driver {
public:
  driver(time_range window, std::vector<read_plan::batch_ref> batches,
         read_plan::live_fn is_live)
    : plan(window, std::move(batches), std::move(is_live)) {
  }

  groups start() {
    return note(plan.start());
  }
  groups result(node_number n, std::vector<batch_slice> slices, ids nf) {
    return note(plan.on_result(take(n), std::move(slices), nf));
  }
  groups fail(node_number n) {
    return note(plan.on_failure(take(n)));
  }
  bool in_flight(node_number n) const {
    auto i = sent_.find(n);
    return i != sent_.end() && !i->second.empty();
  }

  read_plan plan;

private:
  groups note(read_plan::groups fetches) {
    groups out;
    for (auto& f : fetches) {
      sent_[f.node].push_back(f.id);
      auto& xs = out[f.node];
      xs.insert(xs.end(), f.batches.begin(), f.batches.end());
    }
    return out;
  }
  uint64_t take(node_number n) {
    auto& q = sent_[n];
    if (q.empty())
      return 0; // no fetch in flight: an id the plan never issued
    auto id = q.front();
    q.erase(q.begin());
    return id;
  }
  std::map<node_number, std::vector<uint64_t>> sent_;
};

replica_list replicas(std::initializer_list<node_number> nodes) {
  // Filled by hand: replica_list::add lives in batch_index.cpp.
  replica_list result;
  for (auto n : nodes)
    result.nodes[result.count++] = n;
  return result;
}

read_plan::batch_ref batch(batch_id id, timestamp_us min_ts,
                           timestamp_us max_ts,
                           std::initializer_list<node_number> nodes) {
  return {id, min_ts, max_ts, replicas(nodes)};
}

/// The entries a storage node holds for batch `id`: one per timestamp in
/// [min_ts, max_ts], so tests can predict what a read returns.
batch_slice slice_of(const read_plan::batch_ref& ref, time_range window) {
  batch_slice result;
  result.batch = ref.id;
  for (auto ts = std::max(ref.min_ts, window.from);
       ts <= std::min(ref.max_ts, window.to); ++ts) {
    stored_entry x;
    x.ts = ts;
    x.source = "src";
    x.client = 1;
    x.seq = ref.id;
    x.index = static_cast<uint32_t>(ts - ref.min_ts);
    result.entries.push_back(x);
  }
  return result;
}

auto all_live = [](node_number) { return true; };

std::vector<timestamp_us> timestamps(const read_result& r) {
  std::vector<timestamp_us> result;
  for (const auto& x : r.entries)
    result.push_back(x.ts);
  return result;
}

} // namespace

TEST_CASE("a failed replica's batches move to the next replica") {
  time_range window{0, 100};
  auto a = batch(1, 10, 12, {1, 2});
  driver plan{window, {a}, all_live};
  CHECK(plan.start() == groups{{1, ids{1}}});
  CHECK_FALSE(plan.plan.done());
  CHECK(plan.fail(1) == groups{{2, ids{1}}});
  CHECK_FALSE(plan.plan.done());
  CHECK(plan.result(2, {slice_of(a, window)}, {}).empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(result.missing.empty());
  CHECK(timestamps(result) == std::vector<timestamp_us>{10, 11, 12});
}

TEST_CASE("with every replica down the batch's range is named missing") {
  time_range window{0, 100};
  auto a = batch(1, 10, 20, {1, 2});
  auto b = batch(2, 30, 40, {3});
  auto c = batch(3, 90, 150, {1, 2});
  SUBCASE("down from the start") {
    driver plan{window, {a, b, c}, [](node_number n) { return n == 3; }};
    CHECK(plan.start() == groups{{3, ids{2}}});
    CHECK(plan.result(3, {slice_of(b, window)}, {}).empty());
    REQUIRE(plan.plan.done());
    auto result = plan.plan.finish();
    CHECK_FALSE(result.complete);
    // c is clipped to the window.
    CHECK(result.missing == std::vector<time_range>{{10, 20}, {90, 100}});
    CHECK(result.entries.size() == 11);
  }
  SUBCASE("failing one after another") {
    driver plan{window, {a, b}, all_live};
    CHECK(plan.start() == groups{{1, ids{1}}, {3, ids{2}}});
    CHECK(plan.fail(1) == groups{{2, ids{1}}});
    // A failure may be a lost message: failed replicas get further rounds
    // (retry_rounds_max) before the batch counts as missing.
    CHECK(plan.fail(2) == groups{{1, ids{1}}});
    CHECK(plan.fail(1) == groups{{2, ids{1}}});
    CHECK(plan.fail(2).empty());
    CHECK_FALSE(plan.plan.done());
    CHECK(plan.result(3, {slice_of(b, window)}, {}).empty());
    REQUIRE(plan.plan.done());
    auto result = plan.plan.finish();
    CHECK_FALSE(result.complete);
    CHECK(result.missing == std::vector<time_range>{{10, 20}});
  }
}

TEST_CASE("adjacent missing batches are named as one range") {
  time_range window{0, 100};
  auto a = batch(1, 10, 20, {1});
  auto b = batch(2, 21, 30, {1});
  auto c = batch(3, 15, 18, {1});
  driver plan{window, {b, a, c}, [](node_number) { return false; }};
  CHECK(plan.start().empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK_FALSE(result.complete);
  CHECK(result.missing == std::vector<time_range>{{10, 30}});
  CHECK(result.entries.empty());
}

TEST_CASE("a late result from a replica given up on is ignored") {
  time_range window{0, 100};
  auto a = batch(1, 10, 12, {1, 2});
  driver plan{window, {a}, all_live};
  plan.start();
  plan.fail(1); // e.g. a fetch timeout; the node is merely slow
  CHECK(plan.result(1, {slice_of(a, window)}, {}).empty());
  CHECK_FALSE(plan.plan.done()); // still waiting for node 2
  CHECK(plan.result(2, {slice_of(a, window)}, {}).empty());
  // A duplicate of the answer that counted.
  CHECK(plan.result(2, {slice_of(a, window)}, {}).empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(result.entries.size() == 3);
}

TEST_CASE("not_found and ignored batches are retried elsewhere") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2});
  auto b = batch(2, 20, 20, {1, 3});
  auto c = batch(3, 30, 30, {1, 2});
  driver plan{window, {a, b, c}, all_live};
  // Node 1 holds all three: one fetch.
  REQUIRE(plan.start() == groups{{1, ids{1, 2, 3}}});
  // Node 1 answers b only: a listed as not found, c ignored (or both
  // ignored); both go to their other replica.
  SUBCASE("not_found") {
    CHECK(plan.result(1, {slice_of(b, window)}, {1})
          == groups{{2, ids{1, 3}}});
  }
  SUBCASE("neither sliced nor listed") {
    CHECK(plan.result(1, {slice_of(b, window)}, {})
          == groups{{2, ids{1, 3}}});
  }
  CHECK_FALSE(plan.plan.done());
  CHECK(plan.result(2, {slice_of(a, window), slice_of(c, window)}, {})
          .empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(timestamps(result) == std::vector<timestamp_us>{10, 20, 30});
}

TEST_CASE("not_found at the last replica makes the batch missing") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1});
  driver plan{window, {a}, all_live};
  plan.start();
  CHECK(plan.result(1, {}, {1}).empty());
  REQUIRE(plan.plan.done());
  CHECK(plan.plan.finish().missing == std::vector<time_range>{{10, 10}});
}

TEST_CASE("a second fetch in flight at a node is waited for") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1});
  auto b = batch(2, 20, 20, {2, 1});
  auto c = batch(3, 30, 30, {2});
  auto d = batch(4, 40, 40, {2});
  driver plan{window, {a, b, c, d}, all_live};
  REQUIRE(plan.start() == groups{{1, ids{1}}, {2, ids{2, 3, 4}}});
  // Node 2 fails: b goes to node 1 (a second fetch there); c and d have
  // no other replica and go back to node 2 in a retry round.
  CHECK(plan.fail(2) == groups{{1, ids{2}}, {2, ids{3, 4}}});
  CHECK(plan.result(2, {slice_of(c, window), slice_of(d, window)}, {})
          .empty());
  // Node 1 answers its first fetch: b belongs to its second fetch.
  CHECK(plan.result(1, {slice_of(a, window)}, {}).empty());
  CHECK_FALSE(plan.plan.done());
  CHECK(plan.result(1, {slice_of(b, window)}, {}).empty());
  REQUIRE(plan.plan.done());
  CHECK(plan.plan.finish().complete);
}

TEST_CASE("a failed node gets no new batches, only retry rounds") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2});
  auto b = batch(2, 20, 20, {2, 1});
  auto c = batch(3, 30, 30, {1});
  driver plan{window, {a, b, c}, all_live};
  REQUIRE(plan.start() == groups{{1, ids{1, 2, 3}}});
  // Node 1 failed: a and b go to node 2, not back to it; c, with no other
  // replica, may only go back to the replica that failed it, in a bounded
  // number of retry rounds.
  CHECK(plan.fail(1) == groups{{1, ids{3}}, {2, ids{1, 2}}});
  size_t failures = 0;
  while (!plan.plan.done()) {
    REQUIRE(++failures < 20);
    for (node_number n : {1, 2})
      if (plan.in_flight(n))
        plan.fail(n);
  }
  auto result = plan.plan.finish();
  CHECK(result.missing
        == std::vector<time_range>{{10, 10}, {20, 20}, {30, 30}});
}

TEST_CASE("one fetch timing out does not void the others to its node") {
  // Three nodes' first fetches are lost at once; their batches go to the
  // other replicas, some back to a node that failed. When the late fetches
  // answer, every batch is received: none is given up while a fetch that
  // holds it is still in flight.
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2});
  auto b = batch(2, 20, 20, {1, 3});
  auto c = batch(3, 30, 30, {1});
  driver plan{window, {a, b, c}, all_live};
  REQUIRE(plan.start() == groups{{1, ids{1, 2, 3}}});
  // Node 1's fetch is lost: a and b go to their other replicas, c (no
  // other) back to node 1 in a retry round, a second fetch there.
  CHECK(plan.fail(1) == groups{{1, ids{3}}, {2, ids{1}}, {3, ids{2}}});
  CHECK(plan.result(2, {slice_of(a, window)}, {}).empty());
  CHECK(plan.result(3, {slice_of(b, window)}, {}).empty());
  CHECK_FALSE(plan.plan.done());
  CHECK(plan.result(1, {slice_of(c, window)}, {}).empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(timestamps(result) == std::vector<timestamp_us>{10, 20, 30});
}

TEST_CASE("the first assignment uses as few fetches as possible, and reads "
          "of different windows go to different replicas") {
  std::vector<read_plan::batch_ref> batches;
  for (batch_id id = 1; id <= 100; ++id)
    batches.push_back(batch(id, static_cast<timestamp_us>(id * 10),
                            static_cast<timestamp_us>(id * 10 + 5),
                            {3, 1, 2}));
  std::set<node_number> chosen;
  for (timestamp_us from = 0; from < 10; ++from) {
    std::vector<read_plan::batch_ref> nine(batches.begin(),
                                           batches.begin() + 9);
    driver small{{from, 1000}, nine, all_live};
    auto one = small.start();
    REQUIRE(one.size() == 1); // every node holds all nine: one fetch
    CHECK(one.begin()->second.size() == 9);
    chosen.insert(one.begin()->first);
  }
  CHECK(chosen.size() > 1);
  // A large read is split: at most fetch_batches_max batches per fetch.
  time_range window{0, 2000};
  driver plan{window, batches, all_live};
  auto first = plan.start();
  REQUIRE(first.size() == 2);
  std::set<batch_id> assigned;
  for (const auto& [node, batch_ids] : first) {
    CAPTURE(node);
    CHECK(batch_ids.size() <= read_plan::fetch_batches_max);
    assigned.insert(batch_ids.begin(), batch_ids.end());
  }
  CHECK(assigned.size() == 100);
  for (const auto& [node, batch_ids] : first) {
    std::vector<batch_slice> slices;
    for (auto id : batch_ids)
      slices.push_back(slice_of(batches[id - 1], window));
    CHECK(plan.result(node, std::move(slices), {}).empty());
  }
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(result.entries.size() == 100 * 6);
  CHECK(std::is_sorted(result.entries.begin(), result.entries.end(),
                       read_order_less));
}

TEST_CASE("dead replicas are skipped at the start") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2, 3});
  driver plan{window, {a}, [](node_number n) { return n == 3; }};
  CHECK(plan.start() == groups{{3, ids{1}}});
}

TEST_CASE("an empty plan is done at once and complete") {
  driver plan{{0, 10}, {}, all_live};
  CHECK(plan.start().empty());
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK(result.complete);
  CHECK(result.entries.empty());
}

TEST_CASE("a malformed slice from a node counts as not found there") {
  // A fetch_result is network input: a slice outside the window or its
  // batch, or out of order, is never merged (and never asserted on).
  time_range window{0, 100};
  auto a = batch(1, 10, 12, {1, 2});
  driver plan{window, {a}, all_live};
  REQUIRE(plan.start() == groups{{1, ids{1}}});
  auto bad = slice_of(a, window);
  std::swap(bad.entries.front(), bad.entries.back()); // out of order
  CHECK(plan.result(1, {bad}, {}) == groups{{2, ids{1}}});
  CHECK(plan.plan.malformed() == 1);
  auto outside = slice_of(a, window);
  outside.entries.back().ts = 500; // beyond the batch and the window
  CHECK(plan.result(2, {outside}, {}).empty());
  CHECK(plan.plan.malformed() == 2);
  REQUIRE(plan.plan.done());
  auto result = plan.plan.finish();
  CHECK_FALSE(result.complete);
  CHECK(result.entries.empty());
}

TEST_CASE("a prefetch's slices count for batches planned on its node; a "
          "malformed one is asked elsewhere") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2});
  auto b = batch(2, 20, 20, {1, 2});
  auto c = batch(3, 30, 30, {2});
  read_plan plan{window, {a, b, c}, all_live};
  auto bad = slice_of(b, window);
  bad.entries[0].ts = 99; // outside its batch's range
  auto other = slice_of(c, window); // c is not planned on node 1
  auto first = plan.start(1, {slice_of(a, window), bad, other});
  CHECK(plan.malformed() == 1);
  // a is received; b (malformed from node 1) and c go to node 2.
  REQUIRE(first.size() == 1);
  CHECK(first[0].node == 2);
  CHECK(first[0].batches == ids{2, 3});
  CHECK(plan.on_result(first[0].id,
                       {slice_of(b, window), slice_of(c, window)}, {})
          .empty());
  REQUIRE(plan.done());
  auto result = plan.finish();
  CHECK(result.complete);
  CHECK(timestamps(result) == std::vector<timestamp_us>{10, 20, 30});
  node_number busiest = 0;
  REQUIRE(plan.preferred(busiest));
  CHECK(busiest == 2);
}

TEST_CASE("a failed prefetch counts as a failed fetch: its node gets only "
          "retry rounds") {
  time_range window{0, 100};
  auto a = batch(1, 10, 10, {1, 2});
  auto b = batch(2, 20, 20, {1});
  read_plan plan{window, {a, b}, all_live};
  auto first = plan.start_without(1);
  groups by_node;
  for (auto& f : first)
    by_node[f.node] = f.batches;
  // a goes to its other replica; b has none, so node 1 gets it again in
  // a retry round (a lost message is not a lost copy).
  CHECK(by_node == groups{{1, ids{2}}, {2, ids{1}}});
}
