// Checks direct_writer (src/core/client/direct_writer.hpp): an append is
// stored by the client at every replica of a placement and ends ok at the
// write quorum; a replica that fails retires the placement and, below the
// quorum, the batch goes again under a new id in a new placement that
// avoids the node; commits coalesce and name the copy kept, abandoning the
// others; the outcome is never definite once a copy may exist.
// Reference: docs/protocol.md, "Direct writes".
#include "core/client/direct_writer.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

append_req batch(sequence_nr seq) {
  append_req req;
  req.client = 7;
  req.seq = seq;
  req.entries = {{300, "app", "b"}, {100, "app", "a"}};
  return req;
}

placement_reply placement(batch_id first, uint32_t count,
                          std::vector<node_name> nodes, uint32_t quorum) {
  placement_reply r;
  r.epoch = 2;
  r.first = first;
  r.count = count;
  for (auto& n : nodes)
    r.replicas.push_back({n, "sim"});
  r.write_quorum = quorum;
  r.store_timeout = 1000;
  return r;
}

} // namespace

TEST_CASE("direct writer: placement, stores to every replica, ok at the "
          "write quorum, one coalesced commit") {
  direct_writer w{7};
  direct_writer::outputs out;
  w.begin(1, batch(1), out);
  REQUIRE(out.ask);
  CHECK(out.ask->client == 7);
  CHECK(out.stores.empty());
  out = {};
  w.on_placement(placement(100, 2, {"s1", "s2", "s3"}, 2), out);
  REQUIRE(out.stores.size() == 3);
  auto req = out.stores[0].req;
  CHECK(req->batch == 100);
  CHECK(req->epoch == 2);
  CHECK(out.stores[1].req.get() == req.get()); // one frame for all
  out = {};
  w.on_store(1, 100, "s1", errc::none, out);
  CHECK(out.ended.empty());
  w.on_store(1, 100, "s2", errc::none, out);
  REQUIRE(out.ended.size() == 1);
  CHECK(out.ended[0].code == errc::none);
  CHECK(out.ended[0].batch == 100);
  CHECK(out.ended[0].replicas == std::vector<node_name>{"s1", "s2"});
  out = {};
  w.finish(1, out);
  CHECK(!out.commit); // the third store is still out
  w.on_store(1, 100, "s3", errc::none, out);
  CHECK(!out.commit); // waits for the timer, to coalesce
  CHECK(out.commit_timer);
  out = {};
  w.retry_commit(out);
  REQUIRE(out.commit);
  REQUIRE(out.commit->batches.size() == 1);
  auto& cb = out.commit->batches[0];
  CHECK(cb.batch == 100);
  CHECK(cb.seq == 1);
  CHECK(cb.min_ts == 100);
  CHECK(cb.max_ts == 300);
  CHECK(cb.entries == 2);
  CHECK(cb.replicas.size() == 3);
  CHECK(!cb.abandoned);
  CHECK(out.commit->closes.empty()); // the placement has one id left
  out = {};
  w.on_commit(commit_ack{{100}}, out);
  // The second id exhausts the placement; its commit closes it.
  w.begin(2, batch(2), out);
  REQUIRE(out.stores.size() == 3);
  CHECK(out.stores[0].req->batch == 101);
  out = {};
  for (auto n : {"s1", "s2", "s3"})
    w.on_store(2, 101, n, errc::none, out);
  w.finish(2, out);
  out = {};
  w.retry_commit(out);
  REQUIRE(out.commit);
  CHECK(out.commit->closes == std::vector<batch_id>{100});
  out = {};
  w.on_commit(commit_ack{{101}}, out);
  CHECK(w.idle());
}

TEST_CASE("direct writer: below the quorum the batch goes again under a new "
          "id, avoiding the failed node; the old id is abandoned") {
  direct_writer w{7};
  direct_writer::outputs out;
  w.begin(1, batch(1), out);
  out = {};
  w.on_placement(placement(100, 64, {"s1", "s2", "s3"}, 3), out);
  out = {};
  w.on_store(1, 100, "s1", errc::none, out);
  w.on_store(1, 100, "s2", errc::store_refused, out);
  // 1 confirmed + 1 outstanding < 3: a new placement, avoiding s2.
  REQUIRE(out.ask);
  CHECK(out.ask->avoid == std::vector<node_name>{"s2"});
  CHECK(out.ended.empty());
  out = {};
  w.on_placement(placement(200, 64, {"s1", "s3", "s4"}, 3), out);
  REQUIRE(out.stores.size() == 3);
  CHECK(out.stores[0].req->batch == 200);
  out = {};
  for (auto n : {"s1", "s3", "s4"})
    w.on_store(1, 200, n, errc::none, out);
  REQUIRE(out.ended.size() == 1);
  CHECK(out.ended[0].code == errc::none);
  CHECK(out.ended[0].batch == 200);
  out = {};
  w.finish(1, out);
  w.on_store(1, 100, "s3", errc::none, out); // the first copy's last answer
  out = {};
  w.retry_commit(out);
  REQUIRE(out.commit);
  REQUIRE(out.commit->batches.size() == 2);
  for (auto& cb : out.commit->batches) {
    if (cb.batch == 100) {
      CHECK(cb.abandoned);
      CHECK(cb.replaced_by == 200);
    } else {
      CHECK(cb.batch == 200);
      CHECK(!cb.abandoned);
    }
  }
  // Placement 100 took no new id after the failure: closed with this commit.
  CHECK(out.commit->closes == std::vector<batch_id>{100});
}

TEST_CASE("direct writer: a refusal after a store may have landed is never "
          "definite; a placement refused before any store is") {
  SUBCASE("no store sent") {
    direct_writer w{7};
    direct_writer::outputs out;
    w.begin(1, batch(1), out);
    out = {};
    w.on_placement_failed(errc::not_enough_nodes, out);
    REQUIRE(out.ended.size() == 1);
    CHECK(out.ended[0].code == errc::not_enough_nodes);
  }
  SUBCASE("a store timed out") {
    direct_writer w{7};
    direct_writer::outputs out;
    w.begin(1, batch(1), out);
    w.on_placement(placement(100, 64, {"s1", "s2"}, 2), out);
    out = {};
    w.on_store(1, 100, "s1", errc::timeout, out);
    REQUIRE(out.ask); // a replacement placement
    out = {};
    w.on_placement_failed(errc::not_enough_nodes, out);
    REQUIRE(out.ended.size() == 1);
    CHECK(out.ended[0].code == errc::in_doubt);
  }
  SUBCASE("a placement reply repeats the request number after a timeout") {
    direct_writer w{7};
    direct_writer::outputs out;
    w.begin(1, batch(1), out);
    auto first = out.ask->request;
    out = {};
    w.on_placement_failed(errc::timeout, out);
    out = {};
    w.begin(1, batch(1), out);
    REQUIRE(out.ask);
    CHECK(out.ask->request == first);
  }
}

TEST_CASE("direct writer: a failed commit keeps its batches for the retry") {
  direct_writer w{7};
  direct_writer::outputs out;
  w.begin(1, batch(1), out);
  w.on_placement(placement(100, 64, {"s1"}, 1), out);
  w.on_store(1, 100, "s1", errc::none, out);
  w.finish(1, out);
  out = {};
  w.retry_commit(out);
  REQUIRE(out.commit);
  out = {};
  w.on_commit_failed(out);
  CHECK(out.commit_timer);
  CHECK(w.uncommitted() == 1);
  out = {};
  w.retry_commit(out);
  REQUIRE(out.commit);
  CHECK(out.commit->batches.size() == 1);
}
