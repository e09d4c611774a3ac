// logstore — the master machine's membership: joins, heartbeats, the
// failure detector, drain, remove, rebalancing on join and retention, as
// specified in docs/protocol.md ("Membership and heartbeats", "Rejoin",
// "Drain, rebalance and retention", "Status"), through master_harness.hpp.
#include "master_harness.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::test;

namespace {

std::string state_of(const status_reply& st, const node_name& name) {
  for (auto& m : st.members)
    if (m.name == name)
      return m.state;
  return "absent";
}

} // namespace

TEST_CASE("membership: a join is answered with the epoch and the heartbeat "
          "interval, and the node's address is learned") {
  // docs/protocol.md, "Membership and heartbeats".
  master_harness h;
  h.start();
  auto a = h.join("storage-1", "zone-a");
  auto& ack = std::get<join_ack>(a);
  CHECK(ack.epoch == h.state().epoch);
  CHECK(ack.heartbeat_interval == 100'000);
  auto st = h.status();
  REQUIRE(st.members.size() == 1);
  CHECK(st.members[0].zone == "zone-a");
  CHECK(st.members[0].state == "up");
  CHECK(h.has_event("member_joined"));
}

TEST_CASE("membership: joins with a bad name, a reserved name or a bad "
          "address are refused before anything changes") {
  master_harness h;
  h.start();
  CHECK(code_of(h.join("bad name!")) == errc::malformed_request);
  CHECK(code_of(h.join("master")) == errc::malformed_request);
  CHECK(h.state().members.empty());
}

TEST_CASE("membership: a second live node under a taken name at another "
          "address is name_in_use; the same address is the node restarted") {
  // docs/protocol.md, "Rejoin": identity.
  master_harness h{1};
  CHECK(code_of(h.join("storage-1", {}, "elsewhere:9")) == errc::name_in_use);
  CHECK(h.state().members[0].address == "storage-1:1");
  CHECK(h.has_event("join_refused"));
  CHECK(std::holds_alternative<join_ack>(h.join("storage-1")));
  // Once the holder is dead, the name may move (a node replaced).
  h.cut("storage-1");
  h.advance(1'000'000);
  CHECK(std::holds_alternative<join_ack>(
    h.join("storage-1", {}, "elsewhere:9")));
  CHECK(h.state().members[0].address == "elsewhere:9");
}

TEST_CASE("membership: a heartbeat from a node this master never saw join "
          "is answered with a join nudge") {
  // docs/protocol.md, "Membership and heartbeats": after a master restart
  // or a lost join.
  master_harness h;
  h.start();
  h.heartbeat("storage-9");
  CHECK(h.node("storage-9").nudged == 1);
  CHECK(h.state().members.empty());
}

TEST_CASE("failure detector: silence makes a node suspect, then dead") {
  // docs/protocol.md, "Membership and heartbeats": suspect after
  // suspect_after_misses heartbeats, dead after dead_after_misses.
  master_harness h{3};
  h.cut("storage-2");
  h.advance(350'000); // > 2 heartbeats of 100 ms, < 6
  CHECK(state_of(h.status(), "storage-2") == "suspect");
  CHECK(state_of(h.status(), "storage-1") == "up");
  h.advance(500'000);
  CHECK(state_of(h.status(), "storage-2") == "dead");
  CHECK(h.has_event("member_suspect"));
  CHECK(h.has_event("member_dead"));
  // The verdicts also come structured (the oracle reads these, not text).
  std::vector<std::string> of_2;
  for (auto& v : h.verdicts())
    if (v.subject == "storage-2")
      of_2.push_back(v.state);
  CHECK(of_2 == std::vector<std::string>{"up", "suspect", "dead"});
  h.heal("storage-2");
  h.advance(200'000);
  CHECK(state_of(h.status(), "storage-2") == "up");
  CHECK(h.has_event("member_up"));
}

TEST_CASE("failure detector: writes go only to nodes that are up") {
  master_harness h{4};
  h.cut("storage-4");
  h.advance(1'000'000); // storage-4 is dead
  for (sequence_nr s = 1; s <= 10; ++s)
    h.append(1, s);
  for (auto& m : h.sent())
    if (m.is_store())
      CHECK(m.to != "storage-4");
  CHECK(h.state().index.size() == 10);
}

TEST_CASE("drain: a drained node's copies move away, then it is safe to "
          "remove") {
  // docs/protocol.md, "Drain, rebalance and retention": drain.
  master_harness h{4};
  h.fill(6, 1000);
  auto held = h.node("storage-1").held.size();
  REQUIRE(held > 0);
  auto first = std::get<member_status>(h.drain("storage-1"));
  CHECK(first.draining);
  CHECK_FALSE(first.safe_to_remove);
  h.advance(5'000'000);
  auto done = std::get<member_status>(h.drain("storage-1"));
  CHECK(done.safe_to_remove);
  CHECK(done.batches == 0);
  // Every batch still has RF copies, none of them on the drained node.
  h.state().index.for_each([&](batch_id id, const batch_meta& meta) {
    CHECK(meta.replicas.count == 3);
    CHECK(h.holders(id).count("storage-1") == 0);
  });
  CHECK(code_of(h.drain("storage-9")) == errc::malformed_request);
}

TEST_CASE("remove: refused for a member that is up; allowed once it is "
          "drained and down") {
  // docs/protocol.md, "Drain, rebalance and retention": remove.
  master_harness h{4};
  h.append(1, 1);
  CHECK(code_of(h.remove("storage-1")) == errc::precondition_failed);
  h.drain("storage-1");
  h.advance(5'000'000);
  h.crash("storage-1");
  h.advance(1'000'000); // declared dead
  auto gone = std::get<member_status>(h.remove("storage-1"));
  CHECK(gone.state == "removed");
  CHECK(state_of(h.status(), "storage-1") == "absent");
  CHECK(code_of(h.remove("storage-1")) == errc::malformed_request);
}

TEST_CASE("remove: a dead member holding the only copy is refused unless "
          "forced, and forcing names the loss") {
  auto cfg = master_harness::small_config();
  cfg.replication_factor = 1;
  master_harness h{2, cfg};
  auto t = h.append(1, 1);
  auto id = std::get<append_ack>(*h.answer_of(t)).batch;
  auto holder = *h.holders(id).begin();
  h.crash(holder);
  h.advance(1'000'000);
  CHECK(code_of(h.remove(holder)) == errc::precondition_failed);
  CHECK(std::get<member_status>(h.remove(holder, true)).state == "removed");
  auto* meta = h.state().index.find(id);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 0);
  CHECK(h.status().lost_batches == 1);
}

TEST_CASE("rebalance: a node that joins an unbalanced cluster is given "
          "copies, and the heavy nodes drop theirs") {
  // docs/protocol.md, "Drain, rebalance and retention": rebalancing.
  auto cfg = master_harness::small_config();
  cfg.rebalance_threshold = 0.2;
  master_harness h{3, cfg};
  h.fill(12, 1000);
  h.join("storage-4");
  h.advance(10'000'000);
  auto moved = h.node("storage-4").held.size();
  CHECK(moved > 0);
  CHECK(h.status().moves_done > 0);
  // Moves keep RF: every batch has exactly 3 copies, on the nodes and in
  // the index alike.
  h.state().index.for_each([&](batch_id id, const batch_meta& meta) {
    CHECK(meta.replicas.count == 3);
    CHECK(h.holders(id).size() == 3);
  });
}

TEST_CASE("retention: by size the oldest batches go first, and reads "
          "below the watermark say so") {
  // docs/protocol.md, "Drain, rebalance and retention": retention.
  auto cfg = master_harness::small_config();
  cfg.retention_bytes = 4 * 7 * 2; // four batches of 2 x 7-byte payloads
  master_harness h{3, cfg};
  h.fill(8, 1000);
  h.advance(3'000'000);
  CHECK(h.state().index.size() <= 4);
  CHECK(h.state().expired_before > 1000);
  auto t = h.read(0, 100'000);
  auto res = std::get<read_result>(*h.read_answer_of(t));
  CHECK(res.expired_before == h.state().expired_before);
  CHECK(res.entries.size() == 2 * h.state().index.size());
  for (auto& e : res.entries)
    CHECK(e.ts >= res.expired_before);
  // Deleted on the nodes too, not only forgotten: no node holds more
  // batches than the index still lists.
  for (int i = 1; i <= 3; ++i)
    CHECK(h.node("storage-" + std::to_string(i)).held.size()
          <= h.state().index.size());
}

TEST_CASE("status: counts batches, under-replicated and lost batches") {
  // docs/protocol.md, "Status".
  master_harness h{3};
  h.append(1, 1);
  h.append(1, 2, 3, 5000);
  auto st = h.status();
  CHECK(st.batches == 2);
  CHECK(st.under_replicated == 0);
  CHECK(st.lost_batches == 0);
  CHECK(st.replication_factor == 3);
  CHECK(st.write_quorum == 3);
  h.cut("storage-1");
  h.advance(1'000'000);
  st = h.status();
  CHECK(st.under_replicated == 2);
  CHECK(state_of(st, "storage-1") == "dead");
}
