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

/// Three batches that both nodes hold: the first assignment sends them all
/// to one of them, in one fetch.
read_plan_reply three_on_first() {
  read_plan_reply p = two_batches();
  p.batches = {{10, 100, 200, {0, 1}},
               {11, 300, 400, {0, 1}},
               {12, 500, 600, {0, 1}}};
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
    auto e = at(id == 10 ? 150 : id == 11 ? 350 : 550, id);
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
  read_session s{{0, 1000}, three_on_first()};
  REQUIRE(s.error().empty());
  auto fetches = s.start();
  REQUIRE(fetches.size() == 1); // as few fetches as possible
  auto first = fetches[0].node;
  std::vector<read_session::fetch_to> todo = fetches;
  while (!todo.empty()) {
    auto f = todo.back();
    todo.pop_back();
    CHECK(f.req.from == 0);
    CHECK(f.req.to == 1000);
    // The node asked first lost batch 10; the other holds all three.
    auto r = answer(f, f.node == first
                         ? std::vector<batch_id>{11, 12}
                         : std::vector<batch_id>{10, 11, 12});
    for (auto& more : s.on_result(f.id, r))
      todo.push_back(more);
  }
  REQUIRE(s.done());
  auto res = s.finish();
  CHECK(res.complete);
  CHECK(res.entries.size() == 3);
  auto hints = s.hints();
  REQUIRE(hints.size() == 1);
  CHECK(hints[0].node == first);
  CHECK(hints[0].batches == std::vector<batch_id>{10});
}

TEST_CASE("read session: a frame that fails its checksum is counted, never "
          "merged, and read from another replica") {
  read_session s{{0, 1000}, three_on_first()};
  REQUIRE(s.error().empty());
  std::vector<read_session::fetch_to> todo = s.start();
  REQUIRE(todo.size() == 1);
  auto first = todo[0].node;
  int flipped = 0;
  while (!todo.empty()) {
    auto f = todo.back();
    todo.pop_back();
    auto r = answer(f, {10, 11, 12});
    // The first node's frames are damaged on the way: one payload byte
    // flipped.
    if (f.node == first)
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
  CHECK(res.complete); // the other node served the good copies
  REQUIRE(res.entries.size() == 3);
  for (auto& e : res.entries)
    CHECK(e.payload == "x");
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

TEST_CASE("read session: a prefetch counts for the planned batches its node "
          "holds; copies no plan lists are dropped; the rest is fetched") {
  read_session s{{0, 1000}, two_batches()};
  REQUIRE(s.error().empty());
  CHECK(s.lists("storage-1"));
  CHECK(s.lists("storage-2"));
  CHECK_FALSE(s.lists("storage-9"));
  // storage-1 answered a prefetch of the window with batch 10 (planned on
  // it), batch 11 (planned on storage-2 only) and batch 99 (a copy no
  // index lists, say a failed write's leftover).
  read_session::fetch_to scan{0, "storage-1", "sim", {{10, 11, 99}, 0, 1000}};
  auto pre = answer(scan, {10, 11, 99});
  auto fetches = s.start("storage-1", pre);
  // Only 11 is left to fetch, from storage-2.
  REQUIRE(fetches.size() == 1);
  CHECK(fetches[0].node == "storage-2");
  CHECK(fetches[0].req.batches == std::vector<batch_id>{11});
  auto r = answer(fetches[0], {11});
  CHECK(s.on_result(fetches[0].id, r).empty());
  REQUIRE(s.done());
  auto res = s.finish();
  CHECK(res.complete);
  REQUIRE(res.entries.size() == 2);
  CHECK(res.entries[0].seq == 10);
  CHECK(res.entries[1].seq == 11);
  REQUIRE(s.preferred() != nullptr);
  CHECK(s.preferred()->name == "storage-1"); // it served one, as did 2
}

TEST_CASE("read session: a prefetch from a node the plan does not name "
          "contributes nothing") {
  read_session s{{0, 1000}, two_batches()};
  read_session::fetch_to scan{0, "storage-7", "sim", {{10, 11}, 0, 1000}};
  auto pre = answer(scan, {10, 11});
  auto fetches = s.start("storage-7", pre);
  REQUIRE(fetches.size() == 1); // both batches, from storage-2
  CHECK(fetches[0].node == "storage-2");
  auto r = answer(fetches[0], {10, 11});
  CHECK(s.on_result(fetches[0].id, r).empty());
  REQUIRE(s.done());
  CHECK(s.finish().entries.size() == 2);
}

TEST_CASE("read session: an open placement's span rides on a planned fetch; "
          "its unplanned batches are merged; a node that cannot vouch for "
          "it sends the span to another replica") {
  auto plan = two_batches();
  open_span span;
  span.first = 50;
  span.count = 4;
  span.replicas = {0, 1};
  span.need = 1;
  plan.open = {span};
  auto frame_of = [](batch_id id, timestamp_us ts) {
    auto e = at(ts, id);
    std::string frame;
    encode_batch_frame(id, e.client, e.seq, e.ts, e.ts, {e}, frame);
    return frame;
  };
  SUBCASE("answered") {
    read_session s{{0, 1000}, plan};
    REQUIRE(s.error().empty());
    auto fetches = s.start();
    size_t with_span = 0;
    for (auto& f : fetches)
      with_span += f.req.spans.empty() ? 0 : 1;
    CHECK(with_span == 1); // need = 1: one node, on a fetch it gets anyway
    for (auto& f : fetches) {
      auto r = answer(f, {10, 11});
      if (!f.req.spans.empty())
        r.frames.push_back(frame_of(51, 700));
      CHECK(s.on_result(f.id, r).empty());
    }
    REQUIRE(s.done());
    auto res = s.finish();
    CHECK(res.complete);
    CHECK(res.entries.size() == 3);
  }
  SUBCASE("the node lost a copy of the span: another replica is asked") {
    read_session s{{0, 1000}, plan};
    auto todo = s.start();
    int asked = 0;
    while (!todo.empty()) {
      auto f = todo.back();
      todo.pop_back();
      auto r = answer(f, {10, 11});
      if (!f.req.spans.empty()) {
        if (++asked == 1)
          r.not_found.push_back(51); // deleted there since: cannot vouch
        else
          r.frames.push_back(frame_of(51, 700));
      }
      for (auto& more : s.on_result(f.id, r))
        todo.push_back(more);
    }
    CHECK(asked == 2);
    auto res = s.finish();
    CHECK(res.complete);
    CHECK(res.entries.size() == 3);
  }
  SUBCASE("no replica answers: the whole window is missing") {
    read_session s{{0, 1000}, plan};
    auto todo = s.start();
    while (!todo.empty()) {
      auto f = todo.back();
      todo.pop_back();
      std::vector<read_session::fetch_to> more;
      if (f.req.spans.empty()) {
        auto r = answer(f, {10, 11});
        more = s.on_result(f.id, r);
      } else
        more = s.on_failure(f.id);
      for (auto& m : more)
        todo.push_back(m);
    }
    REQUIRE(s.done());
    auto res = s.finish();
    CHECK(!res.complete);
    REQUIRE(res.missing.size() == 1);
    CHECK(res.missing[0].from == 0);
    CHECK(res.missing[0].to == 1000);
  }
}
