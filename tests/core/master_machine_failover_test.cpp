// logstore — several masters, one active, as specified in docs/protocol.md
// ("Master failover"): the first master starts a cluster; a standby
// answers not_active; a campaign is a pre-vote and then promises from a
// promotion quorum; the promoted master serves once a majority of storage
// nodes holds its record; an active master steps down when a storage node
// names a newer epoch or when it loses sight of a majority. Through
// master_harness.hpp (fake storage nodes keep promises as the storage actor
// does; fake masters answer pings).
#include "master_harness.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::test;

namespace {

cluster_config three_masters(uint32_t write_quorum = 0) {
  auto c = master_harness::small_config();
  c.masters = {"master", "master-2", "master-3"};
  c.master_timeout = 300'000;
  c.master_backoff = 100'000;
  c.write_quorum = write_quorum;
  return c;
}

/// A record of epoch 1 listing storage-1 .. storage-n (incarnation 7, as
/// the harness's nodes have).
record_load record_of(int n, batch_id reserved_until = 10'001) {
  record_load out;
  out.record.epoch = 1;
  out.record.reserved_until = reserved_until;
  for (int i = 1; i <= n; ++i)
    out.record.members.push_back(
      {"storage-" + std::to_string(i), "storage-" + std::to_string(i) + ":1",
       "", 7, false, false});
  return out;
}

bool is_epoch_req(const in_flight& m, bool probe) {
  auto* e = std::get_if<epoch_req>(&m.msg);
  return e != nullptr && e->probe == probe;
}

std::string error_text(const std::optional<answer>& a) {
  if (!a)
    return {};
  if (auto* e = std::get_if<error_answer>(&*a))
    return e->text;
  return {};
}

/// master-2 as a standby that knows a record of `n` members; the other
/// masters are down.
master_harness standby_with(int n, uint32_t write_quorum = 0) {
  master_harness h{three_masters(write_quorum), 1, true, "master-2"};
  h.rejoin_on_nudge = true;
  h.peer("master").up = false;
  h.peer("master-3").up = false;
  h.start(record_of(n));
  return h;
}

/// Lets the standby campaign and win (the nodes rejoin at its nudge).
void promote(master_harness& h) {
  h.advance(1'000'000);
  REQUIRE(h.state().failover.role == master_role::active);
  REQUIRE(!h.state().rebuilding);
}

} // namespace

TEST_CASE("failover: the promotion quorum is a majority and covers every "
          "write quorum") {
  // docs/protocol.md, "Master failover": P = max(N/2 + 1, N - W + 1).
  CHECK(promotion_quorum(0, 2) == 0);
  CHECK(promotion_quorum(1, 1) == 1);
  CHECK(promotion_quorum(3, 2) == 2);
  CHECK(promotion_quorum(3, 3) == 2);
  CHECK(promotion_quorum(5, 3) == 3);
  CHECK(promotion_quorum(5, 2) == 4);
  CHECK(promotion_quorum(5, 1) == 5);
  CHECK(record_quorum(5) == 3);
  CHECK(record_quorum(0) == 0);
}

TEST_CASE("failover: the first master starts a new cluster at epoch 1 after "
          "one round of pings finds no master that knows an epoch") {
  master_harness h{three_masters(), 1, false, "master"};
  h.start();
  CHECK(h.state().failover.role == master_role::standby);
  h.advance(300'000);
  REQUIRE(h.state().failover.role == master_role::active);
  CHECK(h.state().epoch == 1);
  REQUIRE(!h.roles().empty());
  CHECK(h.roles().back().name == "active");
  CHECK(h.roles().back().epoch == 1);
  auto a = h.join("storage-1");
  CHECK(std::get<join_ack>(a).epoch == 1);
}

TEST_CASE("failover: a master that is not the first never starts a cluster; "
          "without a record it only asks (pre-votes)") {
  master_harness h{three_masters(), 1, false, "master-2"};
  h.peer("master").up = false;
  h.peer("master-3").up = false;
  h.start();
  h.join("storage-1"); // refused, but now a contact
  h.advance(2'000'000);
  CHECK(h.state().failover.role != master_role::active);
  CHECK(h.count_sent([](const in_flight& m) { return is_epoch_req(m, true); })
        > 0);
  CHECK(h.count_sent([](const in_flight& m) { return is_epoch_req(m, false); })
        == 0);
  CHECK(h.node("storage-1").promised == 0); // nothing promised
}

TEST_CASE("failover: a standby answers appends, reads, joins, drains and "
          "removes with not_active, naming the active master") {
  master_harness h{three_masters(), 1, false, "master-2"};
  h.peer("master").role = "active";
  h.peer("master").epoch = 4;
  h.start();
  h.advance(100'000); // one ping round
  CHECK(h.state().failover.active == "master");
  auto t = h.append(1, 1);
  CHECK(code_of(h.answer_of(t)) == errc::not_active);
  CHECK(error_text(h.answer_of(t)).find("master (epoch 4)")
        != std::string::npos);
  CHECK(code_of(h.read_answer_of(h.read(0, 10))) == errc::not_active);
  CHECK(code_of(h.join("storage-1")) == errc::not_active);
  CHECK(code_of(h.drain("storage-1")) == errc::not_active);
  CHECK(code_of(h.remove("storage-1")) == errc::not_active);
  CHECK(!is_definite(errc::not_active));
  auto st = h.status();
  CHECK(st.role == "standby");
  CHECK(st.active == "master");
  REQUIRE(st.masters.size() == 3);
  CHECK(st.masters[0].name == "master");
  CHECK(st.masters[0].role == "active");
  CHECK(st.masters[0].epoch == 4);
  CHECK(st.masters[1].role == "standby");
}

TEST_CASE("failover: while the active master answers pings, a standby does "
          "not campaign") {
  master_harness h{three_masters(), 1, false, "master-2"};
  h.peer("master").role = "active";
  h.peer("master").epoch = 1;
  h.start(record_of(3));
  h.advance(3'000'000);
  CHECK(h.state().failover.role == master_role::standby);
  CHECK(h.count_sent([](const in_flight& m) {
          return std::holds_alternative<epoch_req>(m.msg);
        })
        == 0);
}

TEST_CASE("failover: a standby campaigns after the master timeout: a "
          "pre-vote, then promises, then it is active at a newer epoch") {
  auto h = standby_with(3);
  h.advance(250'000);
  CHECK(h.state().failover.role == master_role::standby); // still waiting
  h.advance(750'000);
  REQUIRE(h.state().failover.role == master_role::active);
  CHECK(h.state().epoch == 2);
  CHECK(h.count_sent([](const in_flight& m) { return is_epoch_req(m, true); })
        == 3);
  CHECK(h.count_sent([](const in_flight& m) { return is_epoch_req(m, false); })
        == 3);
  for (auto n : {"storage-1", "storage-2", "storage-3"}) {
    CHECK(h.node(n).promised == 2);
    CHECK(h.node(n).promised_to == "master-2");
    CHECK(h.node(n).record_epoch == 2); // its record was written to them
  }
  CHECK(h.has_event("prevote_won"));
  CHECK(h.has_event("promoted"));
  CHECK(h.roles().back().name == "active");
  CHECK(h.roles().back().epoch == 2);
  // Batch ids continue after the record's reservation: none is reused.
  CHECK(h.state().next_batch == 10'001);
}

TEST_CASE("failover: without a promotion quorum nothing is promised and no "
          "master becomes active") {
  // 5 members, write quorum 2: 4 promises needed; 2 nodes are cut off.
  auto h = standby_with(5, 2);
  h.cut("storage-4");
  h.cut("storage-5");
  h.advance(2'000'000);
  CHECK(h.state().failover.role != master_role::active);
  CHECK(h.has_event("campaign_failed"));
  for (auto n : {"storage-1", "storage-2", "storage-3"})
    CHECK(h.node(n).promised == 0); // only pre-votes reached them
}

TEST_CASE("failover: a promise from a node with another incarnation (it "
          "lost its disk) does not count") {
  // docs/protocol.md, "Master failover": KAFKA-14077.
  auto h = standby_with(3);
  h.node("storage-2").incarnation = 99; // came back with an empty disk
  h.node("storage-3").incarnation = 98;
  h.advance(2'000'000);
  CHECK(h.state().failover.role != master_role::active);
}

TEST_CASE("failover: storage nodes that still hear the active master's lease "
          "refuse; the standby cannot depose it") {
  auto h = standby_with(3);
  for (auto n : {"storage-1", "storage-2", "storage-3"})
    h.node(n).lease_fresh = true;
  h.advance(2'000'000);
  CHECK(h.state().failover.role != master_role::active);
  for (auto n : {"storage-1", "storage-2", "storage-3"})
    CHECK(h.node(n).promised == 0);
}

TEST_CASE("failover: a promoted master serves only once a majority of storage "
          "nodes holds its record") {
  auto h = standby_with(3);
  h.lose_if([](const in_flight& m) {
    return std::holds_alternative<record_req>(m.msg);
  });
  h.advance(1'000'000);
  REQUIRE(h.state().failover.role == master_role::active);
  CHECK(h.state().rebuilding); // every member reported; the record is not held
  auto t = h.append(1, 1);
  CHECK(code_of(h.answer_of(t)) == errc::unavailable);
  h.lose_if({});
  h.advance(300'000); // the record goes again, and is held now
  CHECK(!h.state().rebuilding);
  auto t2 = h.append(1, 2);
  h.advance(100'000);
  CHECK(std::holds_alternative<append_ack>(h.answer_of(t2).value()));
  CHECK(h.acked_epochs().back() == 2);
}

TEST_CASE("failover: an active master steps down when a storage node refuses "
          "its command with a newer epoch; its pending append hears "
          "not_active (indefinite)") {
  auto h = standby_with(3);
  promote(h);
  // Another master took over: every node promised epoch 5.
  for (auto n : {"storage-1", "storage-2", "storage-3"})
    h.node(n).promised = 5;
  auto t = h.append(1, 1);
  h.advance(100'000);
  CHECK(h.state().failover.role == master_role::standby);
  CHECK(code_of(h.answer_of(t)) == errc::not_active);
  CHECK(h.has_event("stepped_down"));
  CHECK(h.roles().back().name == "standby");
  // Its state is dropped: it serves nothing now.
  CHECK(h.state().members.empty());
  CHECK(code_of(h.answer_of(h.append(1, 2))) == errc::not_active);
}

TEST_CASE("failover: an epoch_notice naming a newer epoch makes the active "
          "master step down at once") {
  auto h = standby_with(3);
  promote(h);
  h.notice("storage-1", 7, "master-3");
  CHECK(h.state().failover.role == master_role::standby);
  CHECK(h.state().failover.seen_epoch >= 7);
  // A notice of an older epoch changes nothing.
  auto g = standby_with(3);
  promote(g);
  g.notice("storage-1", 1, "master");
  CHECK(g.state().failover.role == master_role::active);
}

TEST_CASE("failover: an append from a client that has seen a newer epoch "
          "makes the active master step down; acks carry the epoch") {
  auto h = standby_with(3);
  promote(h);
  auto ok = h.append(1, 1);
  h.advance(50'000);
  REQUIRE(std::holds_alternative<append_ack>(h.answer_of(ok).value()));
  CHECK(std::get<append_ack>(h.answer_of(ok).value()).epoch == 2);
  auto t = h.append(1, 2, 3, 1000, 0, 5); // the client saw epoch 5
  CHECK(code_of(h.answer_of(t)) == errc::not_active);
  CHECK(h.state().failover.role != master_role::active);
  CHECK(h.state().failover.seen_epoch >= 5);
}

TEST_CASE("failover: CheckQuorum: an active master that has not heard from a "
          "majority for the master timeout steps down") {
  auto h = standby_with(3);
  promote(h);
  h.cut("storage-2");
  h.cut("storage-3");
  h.advance(200'000);
  CHECK(h.state().failover.role == master_role::active);
  h.advance(500'000);
  CHECK(h.state().failover.role != master_role::active);
  CHECK(h.has_event("stepped_down"));
}

TEST_CASE("failover: CheckQuorum counts round trips: behind a one-way "
          "partition (heartbeats in, nothing out) the master steps down") {
  auto h = standby_with(3);
  promote(h);
  h.lose_if([](const in_flight& m) {
    return m.to == "storage-2" || m.to == "storage-3";
  });
  h.advance(300'000);
  // Their heartbeats still arrive: the failure detector sees them up...
  CHECK(h.state().detector.state(*h.state().number_of("storage-2"), h.now())
        == node_state::up);
  // ... but no lease of ours reached them: we cannot know we are obeyed.
  h.advance(1'000'000);
  CHECK(h.state().failover.role != master_role::active);
  CHECK(h.has_event("stepped_down"));
}

TEST_CASE("failover: a definite failure is answered only once the record "
          "naming the batch failed is committed; a step-down turns it into "
          "not_active") {
  auto h = standby_with(3);
  promote(h);
  // Two nodes refuse every store: the write fails (replication_failed)...
  h.node("storage-2").refuse = true;
  h.node("storage-3").refuse = true;
  // ... and record writes to them are lost: no majority holds the failure.
  h.lose_if([](const in_flight& m) {
    return std::holds_alternative<record_req>(m.msg) && m.to != "storage-1";
  });
  auto t = h.append(1, 1);
  h.advance(200'000);
  CHECK(h.state().failed.size() == 1);
  CHECK(!h.answer_of(t)); // held
  // A retry is held the same way (the dedup table knows the failure).
  auto retry = h.append(1, 1, 3, 1000, 1);
  CHECK(!h.answer_of(retry));
  h.lose_if({});
  h.advance(300'000); // the record goes again and is committed
  CHECK(code_of(h.answer_of(retry)) == errc::replication_failed);
  CHECK(code_of(h.answer_of(t)) == errc::replication_failed);
}

TEST_CASE("failover: a restarted first master that knows a record does not "
          "start a new cluster: it campaigns as any standby") {
  master_harness h{three_masters(), 1, true, "master"};
  h.rejoin_on_nudge = true;
  h.peer("master-2").up = false;
  h.peer("master-3").up = false;
  h.start(record_of(3)); // it knew a cluster of epoch 1
  h.advance(2'000'000);
  // It campaigns as any standby (pre-vote first), never "a new cluster".
  CHECK(h.count_sent([](const in_flight& m) { return is_epoch_req(m, true); })
        >= 3);
  REQUIRE(h.state().failover.role == master_role::active);
  CHECK(h.state().epoch == 2);
  CHECK(h.state().members.size() == 3);
}

TEST_CASE("failover: joins under a master's name are refused") {
  master_harness h{three_masters(), 1, false, "master"};
  h.start();
  h.advance(300'000);
  CHECK(code_of(h.join("master-2")) == errc::malformed_request);
}
