// Checks read_session (src/core/client/read_session.hpp): a plan from the
// master is network input, so a malformed one is refused with a reason,
// never asserted on; a good one is read to a merged result that names
// missing ranges, keeps expired_before, turns unreported members into an
// incomplete answer, and collects the copies nodes said they lack.
// Reference: docs/protocol.md, "Read path".
#include "core/client/read_session.hpp"
#include "core/base/frame.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

read_plan_reply two_batches() {
  read_plan_reply p;
  p.epoch = 3;
  p.fetch_timeout = 250'000;
  p.nodes = {{"storage-1", "sim"}, {"storage-2", "sim"}};
  p.batches = {{10, 100, 200, {0, 1}}, {11, 300, 400, {1}}};
  return p;
}

stored_entry at(timestamp_us ts, sequence_nr seq) {
  return stored_entry{ts, "app", "x", 1, seq, 0};
}

/// Answers every fetch as `holder` says: node name -> batches it holds.
fetch_result answer(const read_session::fetch_to& f,
                    const std::vector<batch_id>& held) {
  fetch_result r;
  for (auto id : f.req.batches) {
    if (std::find(held.begin(), held.end(), id) == held.end()) {
      r.not_found.push_back(id);
      continue;
    }
    auto e = at(id == 10 ? 150 : 350, id);
    std::string frame;
    encode_batch_frame(id, e.client, e.seq, e.ts, e.ts, {e}, frame);
    r.frames.push_back(std::move(frame));
  }
  return r;
}

} // namespace

TEST_CASE("read session: malformed plans are refused with a reason") {
  time_range w{0, 1000};
  auto bad = [&](auto mutate) {
    auto p = two_batches();
    mutate(p);
    read_session s{w, p};
    return s.error();
  };
  CHECK(bad([](auto&) {}).empty());
  CHECK(bad([](auto& p) { p.batches[0].replicas.push_back(7); })
          .find("replica 7") != std::string::npos);
  CHECK(bad([](auto& p) { p.batches[1].batch = 10; }).find("twice")
        != std::string::npos);
  CHECK(bad([](auto& p) { p.batches[0].min_ts = 5000; }).find("inverted")
        != std::string::npos);
  CHECK(bad([](auto& p) {
          p.batches[0].min_ts = 2000;
          p.batches[0].max_ts = 3000;
        }).find("outside")
        != std::string::npos);
  CHECK(bad([](auto& p) { p.batches[0].replicas.assign(9, 0); })
          .find("more than") != std::string::npos);
}

TEST_CASE("read session: fetches go to the planned nodes; a copy a node "
          "lacks is read elsewhere and hinted") {
  read_session s{{0, 1000}, two_batches()};
  REQUIRE(s.error().empty());
  auto fetches = s.start();
  REQUIRE_FALSE(fetches.empty());
  std::vector<read_session::fetch_to> todo = fetches;
  while (!todo.empty()) {
    auto f = todo.back();
    todo.pop_back();
    CHECK(f.req.from == 0);
    CHECK(f.req.to == 1000);
    // storage-1 lost batch 10; storage-2 holds both.
    auto r = answer(f, f.node == "storage-1" ? std::vector<batch_id>{}
                                             : std::vector<batch_id>{10, 11});
    for (auto& more : s.on_result(f.id, r))
      todo.push_back(more);
  }
  REQUIRE(s.done());
  auto res = s.finish();
  CHECK(res.complete);
  CHECK(res.entries.size() == 2);
  // Batch 10 went to storage-1 first (least loaded, lowest number).
  auto hints = s.hints();
  REQUIRE(hints.size() == 1);
  CHECK(hints[0].node == "storage-1");
  CHECK(hints[0].batches == std::vector<batch_id>{10});
}

TEST_CASE("read session: a frame that fails its checksum is counted, never "
          "merged, and read from another replica") {
  read_session s{{0, 1000}, two_batches()};
  REQUIRE(s.error().empty());
  std::vector<read_session::fetch_to> todo = s.start();
  int flipped = 0;
  while (!todo.empty()) {
    auto f = todo.back();
    todo.pop_back();
    auto r = answer(f, {10, 11});
    // storage-1's frames are damaged on the way: one payload byte flipped.
    if (f.node == "storage-1")
      for (auto& frame : r.frames) {
        frame[frame.size() - 2] ^= 0x01;
        ++flipped;
      }
    for (auto& more : s.on_result(f.id, r))
      todo.push_back(more);
  }
  REQUIRE(flipped > 0);
  REQUIRE(s.done());
  CHECK(s.corrupt_frames() == static_cast<uint64_t>(flipped));
  auto res = s.finish();
  CHECK(res.complete); // storage-2 served the good copies
  REQUIRE(res.entries.size() == 2);
  CHECK(res.entries[0].payload == "x");
  CHECK(res.entries[1].payload == "x");
  CHECK(s.hints().empty()); // damage in transit is not a missing copy
}

TEST_CASE("read session: no replica left names the range missing; "
          "expired_before and unreported members are kept") {
  auto p = two_batches();
  p.batches[1].replicas.clear(); // every copy dead
  p.expired_before = 50;
  read_session s{{0, 1000}, p};
  auto todo = s.start();
  while (!todo.empty()) {
    auto f = todo.back();
    todo.pop_back();
    for (auto& more : s.on_failure(f.id))
      todo.push_back(more);
  }
  REQUIRE(s.done());
  auto res = s.finish();
  CHECK_FALSE(res.complete);
  CHECK(res.expired_before == 50);
  REQUIRE(res.missing.size() == 2);
  CHECK(res.missing[0].from == 100);
  CHECK(res.missing[1].to == 400);

  auto q = two_batches();
  q.unreported = {"storage-3"};
  read_session u{{0, 1000}, q};
  auto f = u.start();
  for (auto& x : f) {
    auto answered = answer(x, {10, 11});
    u.on_result(x.id, answered);
  }
  REQUIRE(u.done());
  auto r = u.finish();
  CHECK_FALSE(r.complete);
  CHECK(r.unreported == std::vector<node_name>{"storage-3"});
  REQUIRE(r.missing.size() == 1);
  CHECK(r.missing[0].from == 0);
  CHECK(r.missing[0].to == 1000);
}
