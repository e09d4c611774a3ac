// logstore — the master machine's write path and retry memory, as specified
// in docs/protocol.md ("Write path", "Idempotence and retries"), driven
// through the in-memory harness (master_harness.hpp).
#include "master_harness.hpp"

#include "core/base/frame.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::test;

namespace {

bool is_store(const in_flight& m) {
  return m.is_store();
}

std::set<node_name> store_targets(const master_harness& h) {
  std::set<node_name> out;
  for (auto& m : h.sent())
    if (m.is_store())
      out.insert(m.to);
  return out;
}

} // namespace

TEST_CASE("write path: an append is stored on RF distinct nodes, then "
          "acknowledged with its batch id") {
  // docs/protocol.md, "Write path", steps 2-4.
  master_harness h{5};
  auto t = h.append(1, 1);
  auto a = h.answer_of(t);
  REQUIRE(a);
  auto& ack = std::get<append_ack>(*a);
  CHECK(ack.batch > 0);
  CHECK(ack.replicas.size() == 3);
  CHECK(store_targets(h).size() == 3);
  CHECK(h.holders(ack.batch).size() == 3);
  auto* meta = h.state().index.find(ack.batch);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 3);
  CHECK(meta->entries == 3);
  CHECK(meta->min_ts == 1000);
  CHECK(meta->max_ts == 1002);
}

TEST_CASE("write path: fewer live nodes than the write quorum is "
          "not_enough_nodes, and nothing is sent") {
  // docs/protocol.md, "Write path", step 2 (definite).
  master_harness h{2};
  auto t = h.append(1, 1);
  CHECK(code_of(h.answer_of(t)) == errc::not_enough_nodes);
  CHECK(h.count_sent(is_store) == 0);
  CHECK(h.state().index.size() == 0);
}

TEST_CASE("write path: an empty batch is malformed_request") {
  // docs/protocol.md, "Write path", step 1.
  master_harness h{3};
  auto t = h.append(1, 1, 0);
  CHECK(code_of(h.answer_of(t)) == errc::malformed_request);
  CHECK(h.count_sent(is_store) == 0);
}

TEST_CASE("write path: never an ack below write_quorum") {
  // docs/protocol.md, "Write path": the client hears ok only after W
  // confirmations (W = RF by default).
  master_harness h{3};
  h.auto_deliver = false;
  auto t = h.append(1, 1);
  REQUIRE(h.outbox().size() == 3);
  // Two of three stores arrive; the third is held back.
  auto third = h.outbox().back().to;
  h.drop([&](const in_flight& m) { return m.to == third; });
  h.deliver_all();
  CHECK_FALSE(h.answer_of(t));
  CHECK(h.state().index.size() == 0);
}

TEST_CASE("write path: with write_quorum 2 of RF 3 the ack comes after two "
          "confirmations") {
  auto cfg = master_harness::small_config();
  cfg.write_quorum = 2;
  master_harness h{3, cfg};
  h.auto_deliver = false;
  auto t = h.append(1, 1);
  REQUIRE(h.outbox().size() == 3);
  auto third = h.outbox().back().to;
  h.node(third).silent = true;
  h.deliver_all();
  auto a = h.answer_of(t);
  REQUIRE(a);
  auto& ack = std::get<append_ack>(*a);
  CHECK(ack.replicas.size() == 2);
  CHECK(std::find(ack.replicas.begin(), ack.replicas.end(), third)
        == ack.replicas.end());
}

TEST_CASE("write path: a node that does not confirm is replaced by an "
          "untried live node") {
  // docs/protocol.md, "Write path", step 5: replacement after
  // store_timeout.
  master_harness h{4};
  h.auto_deliver = false;
  auto t = h.append(1, 1);
  REQUIRE(h.outbox().size() == 3);
  auto slow = h.outbox().front().to;
  h.node(slow).silent = true;
  h.deliver_all();
  CHECK_FALSE(h.answer_of(t));
  h.auto_deliver = true;
  h.advance(100'000); // past store_timeout (50 ms)
  auto a = h.answer_of(t);
  REQUIRE(a);
  auto& ack = std::get<append_ack>(*a);
  CHECK(ack.replicas.size() == 3);
  CHECK(std::find(ack.replicas.begin(), ack.replicas.end(), slow)
        == ack.replicas.end());
  CHECK(store_targets(h).size() == 4); // the fourth node replaced it
}

TEST_CASE("write path: a refusing node is replaced; with no node left to "
          "try it is replication_failed") {
  SUBCASE("a spare node takes its place") {
    master_harness h{4};
    h.node("storage-1").refuse = true;
    h.node("storage-2").refuse = false;
    auto t = h.append(1, 1);
    h.advance(100'000);
    auto a = h.answer_of(t);
    REQUIRE(a);
    auto& ack = std::get<append_ack>(*a);
    CHECK(std::find(ack.replicas.begin(), ack.replicas.end(), "storage-1")
          == ack.replicas.end());
  }
  SUBCASE("no spare: definite failure") {
    master_harness h{3};
    h.node("storage-2").refuse = true;
    auto t = h.append(1, 1);
    h.advance(500'000);
    CHECK(code_of(h.answer_of(t)) == errc::replication_failed);
    CHECK(h.state().index.size() == 0);
  }
}

TEST_CASE("write path: the batch is encoded once, as the frame every replica "
          "stores; a frame refused as damaged on the way is sent again") {
  master_harness h{3};
  h.auto_deliver = false;
  auto t = h.append(1, 1, 4);
  REQUIRE(h.outbox().size() == 3);
  const store_req* first = nullptr;
  for (auto& m : h.outbox()) {
    REQUIRE(m.is_store());
    auto& req = std::get<0>(m.msg)->req;
    if (first == nullptr)
      first = &req;
    CHECK(&req == first); // one shared frame, not one per replica
  }
  frame_header hd;
  std::vector<stored_entry> entries;
  REQUIRE(decode_frame(first->frame, uint32_t{16} << 20, hd, &entries).status
          == decode_status::ok);
  CHECK(hd.id == first->batch);
  CHECK(hd.client == 1);
  CHECK(hd.seq == 1);
  CHECK(entries.size() == 4);
  CHECK(std::is_sorted(entries.begin(), entries.end(), read_order_less));
  // storage-2 finds the frame damaged on arrival, twice: with no spare node
  // the master sends its intact copy to the same node again.
  h.node("storage-2").corrupt_next = 2;
  h.auto_deliver = true;
  h.deliver_all();
  h.advance(200'000);
  auto a = h.answer_of(t);
  REQUIRE(a);
  REQUIRE(std::holds_alternative<append_ack>(*a));
  CHECK(std::get<append_ack>(*a).replicas.size() == 3);
  CHECK(h.node("storage-2").held.count(hd.id) == 1);
}

TEST_CASE("retries: a retry of an acknowledged (client, seq) gets the same "
          "batch id and stores nothing new") {
  // docs/protocol.md, "Idempotence and retries": append_req.
  master_harness h{3};
  auto first = h.append(1, 7);
  auto id = std::get<append_ack>(*h.answer_of(first)).batch;
  auto stores = h.count_sent(is_store);
  auto again = h.append(1, 7, 3, 1000, 1);
  REQUIRE(h.answer_of(again));
  CHECK(std::get<append_ack>(*h.answer_of(again)).batch == id);
  CHECK(h.count_sent(is_store) == stores);
  CHECK(h.state().index.size() == 1);
}

TEST_CASE("retries: a retry while the first attempt is in progress waits "
          "for the same outcome") {
  master_harness h{3};
  h.auto_deliver = false;
  auto first = h.append(1, 7);
  auto again = h.append(1, 7, 3, 1000, 1);
  CHECK(h.count_sent(is_store) == 3); // one batch, not two
  h.deliver_all();
  REQUIRE(h.answer_of(first));
  REQUIRE(h.answer_of(again));
  CHECK(std::get<append_ack>(*h.answer_of(first)).batch
        == std::get<append_ack>(*h.answer_of(again)).batch);
}

TEST_CASE("retries: different seqs of one client are different batches") {
  master_harness h{3};
  auto a = h.append(1, 1);
  auto b = h.append(1, 2);
  CHECK(std::get<append_ack>(*h.answer_of(a)).batch
        != std::get<append_ack>(*h.answer_of(b)).batch);
  CHECK(h.state().index.size() == 2);
}

TEST_CASE("retries: a definite failure is remembered for its retries") {
  // docs/protocol.md, "Idempotence and retries": a retry gets the first
  // attempt's answer.
  master_harness h{3};
  h.node("storage-3").refuse = true;
  auto first = h.append(1, 1);
  h.advance(500'000);
  REQUIRE(code_of(h.answer_of(first)) == errc::replication_failed);
  h.node("storage-3").refuse = false;
  auto stores = h.count_sent(is_store);
  auto again = h.append(1, 1, 3, 1000, 1);
  CHECK(code_of(h.answer_of(again)) == errc::replication_failed);
  CHECK(h.count_sent(is_store) == stores);
}
