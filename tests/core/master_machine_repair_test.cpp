// logstore — the master machine's repair, reconciliation, reads, restart
// and invariants, as specified in docs/protocol.md ("Repair
// (re-replication)", "Rejoin", "Read path", "Master restart"), through
// master_harness.hpp.
#include "master_harness.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::test;

namespace {

batch_id ack_of(const master_harness& h, uint64_t token) {
  auto a = h.answer_of(token);
  REQUIRE(a);
  return std::get<append_ack>(*a).batch;
}

size_t copies_sent(const master_harness& h) {
  return h.count_sent([](const in_flight& m) { return m.is_copy(); });
}

read_result read_of(const master_harness& h, uint64_t token) {
  auto a = h.read_answer_of(token);
  REQUIRE(a);
  REQUIRE(std::holds_alternative<read_result>(*a));
  return std::get<read_result>(*a);
}

} // namespace

TEST_CASE("repair: a node dead for less than repair_grace costs no copy") {
  // docs/protocol.md, "Repair (re-replication)": nothing bypasses the
  // grace.
  master_harness h{4};
  h.fill(5, 1000);
  h.cut("storage-1");
  h.advance(1'200'000); // dead after ~0.6 s, grace 1 s not yet over
  CHECK(copies_sent(h) == 0);
  h.heal("storage-1");
  h.advance(2'000'000);
  CHECK(copies_sent(h) == 0);
  CHECK(h.status().under_replicated == 0);
}

TEST_CASE("repair: past the grace, every batch of a dead node is copied "
          "back to RF from a live replica") {
  master_harness h{4};
  std::vector<batch_id> ids;
  for (sequence_nr s = 1; s <= 5; ++s)
    ids.push_back(ack_of(h, h.append(1, s, 2, 1000 * (timestamp_us) s)));
  auto on_dead = h.node("storage-1").held.size();
  REQUIRE(on_dead > 0);
  h.crash("storage-1");
  h.advance(4'000'000);
  CHECK(copies_sent(h) >= on_dead);
  CHECK(h.status().repairs_done == on_dead);
  for (auto id : ids) {
    auto holders = h.holders(id);
    holders.erase("storage-1");
    CHECK(holders.size() == 3);
  }
  CHECK(h.status().under_replicated == 0);
}

TEST_CASE("repair: at most repair_inflight_max copies are in flight") {
  // docs/protocol.md, "Repair (re-replication)": the throttle.
  auto cfg = master_harness::small_config();
  cfg.repair_inflight_max = 2;
  master_harness h{4, cfg};
  h.fill(10, 1000);
  REQUIRE(h.node("storage-1").held.size() > 2);
  h.crash("storage-1");
  h.auto_deliver = false;
  size_t most = 0;
  for (int i = 0; i < 60; ++i) {
    h.advance(50'000);
    auto copies = static_cast<size_t>(
      std::count_if(h.outbox().begin(), h.outbox().end(),
                    [](const in_flight& m) { return m.is_copy(); }));
    most = std::max(most, copies);
    h.drop([](const in_flight& m) { return !m.is_copy(); });
    // Answer the copies only now and then: they pile up if not throttled.
    if (i % 5 == 4)
      h.deliver_all();
  }
  CHECK(most > 0);
  CHECK(most <= 2);
}

TEST_CASE("reconcile: a rejoining node that lost a copy has it removed "
          "from the index and re-made elsewhere") {
  // docs/protocol.md, "Rejoin": the block report is the truth.
  master_harness h{4};
  auto id = ack_of(h, h.append(1, 1));
  auto victim = *h.holders(id).begin();
  h.crash(victim, true); // its disk is gone
  h.auto_deliver = false;
  h.restart(victim);
  auto* meta = h.state().index.find(id);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 2);
  CHECK_FALSE(meta->replicas.contains(*h.state().number_of(victim)));
  h.auto_deliver = true;
  h.advance(2'000'000);
  CHECK(h.holders(id).size() == 3);
  CHECK(h.state().index.find(id)->replicas.count == 3);
}

TEST_CASE("reconcile: a copy of a failed batch is deleted when reported") {
  // docs/protocol.md, "Rejoin": failed batches are garbage.
  master_harness h{3};
  h.node("storage-3").refuse = true;
  auto t = h.append(1, 1);
  h.advance(500'000);
  REQUIRE(code_of(h.answer_of(t)) == errc::replication_failed);
  // storage-1 may hold a copy of the failed batch; it reports it.
  bool had = !h.node("storage-1").held.empty();
  h.restart("storage-1");
  h.advance(1'000'000);
  CHECK(h.node("storage-1").held.empty());
  if (had)
    CHECK(h.node("storage-1").deletes > 0);
  CHECK(h.state().index.size() == 0);
}

TEST_CASE("reconcile: lost copies in a heartbeat are acknowledged, dropped "
          "from the index and repaired") {
  // docs/protocol.md, "Membership and heartbeats": lost, lost_ack.
  master_harness h{4};
  auto id = ack_of(h, h.append(1, 1));
  auto victim = *h.holders(id).begin();
  h.node(victim).held.erase(id);
  h.node(victim).lost = {id};
  h.advance(150'000); // one heartbeat
  CHECK(h.node(victim).lost.empty()); // lost_ack arrived
  h.advance(2'000'000);
  CHECK(h.holders(id).size() == 3);
  CHECK(h.holders(id).count(victim) == 0);
}

TEST_CASE("read path: a read merges every batch in range, sorted, "
          "complete") {
  // docs/protocol.md, "Read path".
  master_harness h{4};
  h.append(1, 1, 3, 2000);
  h.append(2, 1, 3, 1000);
  h.append(1, 2, 3, 9000);
  auto r = read_of(h, h.read(1000, 2001));
  CHECK(r.complete);
  CHECK(r.missing.empty());
  REQUIRE(r.entries.size() == 5);
  for (size_t i = 1; i < r.entries.size(); ++i)
    CHECK(r.entries[i - 1].ts <= r.entries[i].ts);
  CHECK(r.entries.front().ts == 1000);
  CHECK(r.entries.back().ts == 2001);
}

TEST_CASE("read path: from > to is malformed_request") {
  master_harness h{3};
  CHECK(code_of(h.read_answer_of(h.read(10, 5))) == errc::malformed_request);
}

TEST_CASE("read path: a replica that does not answer is replaced by "
          "another replica") {
  // docs/protocol.md, "Read path": fallbacks after fetch_timeout.
  master_harness h{3};
  h.append(1, 1, 3, 1000);
  h.node("storage-1").silent = true;
  h.node("storage-2").silent = true;
  auto t = h.read(0, 5000);
  h.advance(300'000);
  auto r = read_of(h, t);
  CHECK(r.complete);
  CHECK(r.entries.size() == 3);
}

TEST_CASE("read path: a batch with no reachable replica is named missing; "
          "the rest is returned") {
  // docs/protocol.md, "Read path": honest incompleteness.
  master_harness h{3};
  h.append(1, 1, 3, 1000);
  for (int i = 1; i <= 3; ++i)
    h.node("storage-" + std::to_string(i)).silent = true;
  auto t = h.read(0, 5000);
  h.advance(1'000'000);
  auto r = read_of(h, t);
  CHECK_FALSE(r.complete);
  REQUIRE(r.missing.size() == 1);
  CHECK(r.missing[0].from <= 1000);
  CHECK(r.missing[0].to >= 1002);
  CHECK(r.entries.empty());
}

TEST_CASE("read path: a replica that answers not_found loses the copy in "
          "the index and the read falls back") {
  master_harness h{3};
  auto id = ack_of(h, h.append(1, 1, 3, 1000));
  for (int i = 1; i <= 2; ++i)
    h.node("storage-" + std::to_string(i)).held.erase(id);
  auto r = read_of(h, h.read(0, 5000));
  CHECK(r.complete);
  CHECK(r.entries.size() == 3);
  auto* meta = h.state().index.find(id);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count < 3);
}

TEST_CASE("read path: the master sends a plan, never a fetch; the client "
          "reads from the storage nodes") {
  // docs/protocol.md, "Read path": no entry crosses the master.
  master_harness h{3};
  h.append(1, 1, 3, 1000);
  h.append(1, 2, 3, 2000);
  auto t = h.read(0, 5000);
  auto r = read_of(h, t);
  CHECK(r.complete);
  CHECK(r.entries.size() == 6);
  CHECK(h.count_sent([](const in_flight& m) { return m.is_fetch(); }) == 0);
  CHECK(h.client_fetches() >= 1);
  auto plan = std::get<read_plan_reply>(*h.answer_of(t));
  REQUIRE(plan.batches.size() == 2);
  CHECK(plan.batches[0].replicas.size() == 3);
  CHECK(plan.nodes.size() == 3);
}

TEST_CASE("read path: a missing-copies hint is checked with the node; a "
          "copy it still holds stays listed") {
  // A hint is network input from a client: never trusted on its word.
  master_harness h{3};
  auto id = ack_of(h, h.append(1, 1, 3, 1000));
  h.hint("storage-1", {id, 999});
  CHECK(h.count_sent([](const in_flight& m) { return m.is_fetch(); }) == 1);
  auto* meta = h.state().index.find(id);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 3);
  // Now the copy is really gone: the same hint drops it and repairs.
  h.node("storage-1").held.erase(id);
  h.hint("storage-1", {id});
  CHECK(h.state().index.find(id)->replicas.count == 2);
  CHECK(h.has_event("copies_missing"));
  // A hint about an unknown node changes nothing.
  h.hint("nobody", {id});
}

TEST_CASE("master restart: the epoch goes up, batch ids are never reused, "
          "and the index is rebuilt from block reports") {
  // docs/protocol.md, "Master restart".
  master_harness first{master_harness::small_config(), 1, true};
  first.start();
  first.join_nodes(3);
  auto id = ack_of(first, first.append(1, 1, 3, 1000));
  REQUIRE_FALSE(first.persisted().empty());
  auto record = first.persisted().back();

  master_harness second{master_harness::small_config(), 2, true};
  record_load loaded;
  loaded.record = record;
  second.start(loaded);
  CHECK(second.state().epoch == record.epoch + 1);
  // The nodes keep their copies across the master's restart.
  for (int i = 1; i <= 3; ++i)
    second.node("storage-" + std::to_string(i)).held
      = first.node("storage-" + std::to_string(i)).held;
  for (int i = 1; i <= 3; ++i)
    second.join("storage-" + std::to_string(i));
  second.advance(500'000);
  auto* meta = second.state().index.find(id);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 3);
  auto next = ack_of(second, second.append(1, 2, 3, 5000));
  CHECK(next > id);
  auto r = read_of(second, second.read(0, 10'000));
  CHECK(r.complete);
  CHECK(r.entries.size() == 6);
}

TEST_CASE("master restart: until every recorded member reported, reads are "
          "incomplete and name it, first appends are unavailable, and "
          "retries are in_doubt") {
  // docs/protocol.md, "Master restart": unreported members.
  master_harness first{master_harness::small_config(), 1, true};
  first.start();
  first.join_nodes(3);
  first.append(1, 1, 3, 1000);
  auto record = first.persisted().back();

  master_harness second{master_harness::small_config(), 2, true};
  second.auto_heartbeat = false;
  record_load loaded;
  loaded.record = record;
  second.start(loaded);
  for (int i = 1; i <= 2; ++i) {
    second.node("storage-" + std::to_string(i)).held
      = first.node("storage-" + std::to_string(i)).held;
    second.join("storage-" + std::to_string(i));
  }
  auto r = read_of(second, second.read(0, 10'000));
  CHECK_FALSE(r.complete);
  CHECK(r.unreported == std::vector<node_name>{"storage-3"});
  CHECK(code_of(second.answer_of(second.append(2, 1))) == errc::unavailable);
  CHECK(code_of(second.answer_of(second.append(1, 1, 3, 1000, 1)))
        == errc::in_doubt);
  // storage-3 reports: the doubt is over.
  second.node("storage-3").held = first.node("storage-3").held;
  second.join("storage-3");
  second.advance(200'000);
  auto again = second.append(1, 1, 3, 1000, 2);
  REQUIRE(second.answer_of(again));
  CHECK(std::holds_alternative<append_ack>(*second.answer_of(again)));
  CHECK(read_of(second, second.read(0, 10'000)).complete);
}

TEST_CASE("master restart: a damaged record stops the master") {
  master_harness h{master_harness::small_config(), 1, true};
  record_load loaded;
  loaded.ok = false;
  loaded.error = "line 3: bad epoch";
  h.start(loaded);
  CHECK(h.has_event("state_damaged"));
  REQUIRE(h.stopped());
  CHECK(*h.stopped() == errc::unavailable);
  CHECK(h.persisted().empty()); // nothing overwritten
}

namespace {

/// A state as the machine would keep it: members storage-1..3, one batch
/// on all three.
master_state consistent_state() {
  master_state st{master_harness::small_config(), prng{1}};
  for (int i = 1; i <= 3; ++i) {
    member m;
    m.name = "storage-" + std::to_string(i);
    st.add_member(std::move(m));
  }
  batch_meta meta;
  meta.min_ts = 10;
  meta.max_ts = 20;
  meta.entries = 2;
  for (node_number n = 0; n < 3; ++n)
    meta.replicas.add(n);
  st.index.insert(1, meta);
  return st;
}

} // namespace

TEST_CASE("invariants: check_invariants names a corrupted replica list") {
  // src/core/master/master_state.hpp, invariant 7.
  auto st = consistent_state();
  CHECK(check_invariants(st).empty());
  st.index.find(1)->replicas.nodes[1] = 0;
  CHECK(check_invariants(st).find("invariant 7") != std::string::npos);
  CHECK(check_invariants(st).find("twice") != std::string::npos);
  auto other = consistent_state();
  other.index.find(1)->replicas.nodes[0] = 42;
  CHECK(check_invariants(other).find("not a member") != std::string::npos);
}

TEST_CASE("invariants: check_invariants names a member map that lies") {
  // src/core/master/master_state.hpp, invariant 2.
  auto st = consistent_state();
  st.member_numbers["storage-1"] = 1;
  CHECK(check_invariants(st).find("invariant 2") != std::string::npos);
}

TEST_CASE("invariants: the harness's machine keeps them after every step") {
  // Every step of every test here runs check_invariants (master_options:
  // check_invariants = true); a broken one aborts the test binary.
  master_harness h{4};
  h.fill(20, 100);
  h.crash("storage-2");
  h.advance(3'000'000);
  CHECK(check_invariants(h.state()).empty());
  CHECK(h.state().index.size() == 20);
}
