// logstore — the master machine's side of direct writes, as specified in
// docs/protocol.md ("Direct writes"): placements granted at the replicas
// before the client hears of them, open placements in read plans, commits
// indexed once per (client, seq), stray commits ignored, twins resolved in
// favour of the newer copy. Driven through master_harness.hpp.
#include "master_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace logstore;
using namespace logstore::test;

namespace {

cluster_config direct_config() {
  auto cfg = master_harness::small_config();
  cfg.write_path = write_path_kind::direct;
  cfg.placement_batches = 8;
  return cfg;
}

committed_batch kept(batch_id id, sequence_nr seq, timestamp_us ts,
                     std::vector<node_name> replicas) {
  committed_batch cb;
  cb.batch = id;
  cb.seq = seq;
  cb.min_ts = ts;
  cb.max_ts = ts;
  cb.entries = 1;
  cb.bytes = 7;
  cb.replicas = std::move(replicas);
  return cb;
}

} // namespace

TEST_CASE("direct writes: a placement is granted at RF replicas before the "
          "client hears of it") {
  master_harness h{5, direct_config()};
  auto t = h.place(1);
  auto a = h.answer_of(t);
  REQUIRE(a);
  auto& p = std::get<placement_reply>(*a);
  CHECK(p.count == 8);
  CHECK(p.replicas.size() == 3);
  CHECK(p.write_quorum == 3);
  for (auto& r : p.replicas) {
    auto& grants = h.node(r.name).grants;
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].first == p.first);
    CHECK(grants[0].client == 1);
  }
  // The same request again (its reply was lost): the same placement.
  auto again = h.answer_of(h.place(1));
  REQUIRE(again);
  CHECK(std::get<placement_reply>(*again).first == p.first);
  // An append through the master is refused on a direct cluster.
  CHECK(code_of(h.answer_of(h.append(1, 1))) == errc::precondition_failed);
}

TEST_CASE("direct writes: a grant a replica refuses leaves it out; below the "
          "write quorum the placement is refused") {
  master_harness h{3, direct_config()};
  h.node("storage-2").refuse = true;
  CHECK(code_of(h.answer_of(h.place(1))) == errc::not_enough_nodes);
  CHECK(h.state().placements.empty());
}

TEST_CASE("direct writes: a read consults the open placement; a commit "
          "indexes the batch and narrows the span") {
  master_harness h{5, direct_config()};
  auto p = std::get<placement_reply>(*h.answer_of(h.place(1)));
  std::vector<node_name> names;
  for (auto& r : p.replicas) {
    names.push_back(r.name);
    h.store_directly(r.name, p.first, 1, 1, 500);
  }
  // Acknowledged by the client, not committed yet: found through the span.
  auto r1 = std::get<read_result>(*h.read_answer_of(h.read(0, 1000)));
  CHECK(r1.complete);
  CHECK(r1.entries.size() == 1);
  auto c = h.answer_of(h.commit(1, {kept(p.first, 1, 500, names)}));
  REQUIRE(c);
  CHECK(std::get<commit_ack>(*c).batches == std::vector<batch_id>{p.first});
  auto* meta = h.state().index.find(p.first);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 3);
  auto& open = h.state().placements.at(p.first);
  CHECK(open.committed_below == p.first + 1);
  auto r2 = std::get<read_result>(*h.read_answer_of(h.read(0, 1000)));
  CHECK(r2.entries.size() == 1);
  // A retried commit changes nothing; the close ends the placement.
  (void) h.commit(1, {kept(p.first, 1, 500, names)}, {p.first});
  CHECK(h.state().placements.empty());
  CHECK(h.state().index.size() == 1);
}

TEST_CASE("direct writes: a commit outside the client's placements is "
          "ignored; an abandoned copy is deleted") {
  master_harness h{5, direct_config()};
  auto p = std::get<placement_reply>(*h.answer_of(h.place(1)));
  // Another client's commit into this placement: not indexed.
  auto stray = h.answer_of(h.commit(2, {kept(p.first, 1, 500, {"storage-1"})}));
  CHECK(std::get<commit_ack>(*stray).batches == std::vector<batch_id>{0});
  CHECK(h.state().index.size() == 0);
  // Abandoned: the copies on the placement's replicas are deleted.
  auto name = p.replicas[0].name;
  h.store_directly(name, p.first, 1, 1, 500);
  committed_batch gone = kept(p.first, 1, 500, {});
  gone.abandoned = true;
  gone.replaced_by = p.first + 1;
  h.store_directly(name, p.first + 1, 1, 1, 500);
  (void) h.commit(1, {gone, kept(p.first + 1, 1, 500, {name})});
  CHECK(h.node(name).held.count(p.first) == 0);
  CHECK(h.state().index.find(p.first) == nullptr);
  CHECK(h.state().index.find(p.first + 1) != nullptr);
}

TEST_CASE("direct writes: a placement whose client went silent is sealed; "
          "what its replicas hold is indexed") {
  master_harness h{5, direct_config()};
  auto p = std::get<placement_reply>(*h.answer_of(h.place(1)));
  for (auto& r : p.replicas)
    h.store_directly(r.name, p.first, 1, 1, 500);
  h.advance(1'000'000);
  CHECK(h.state().placements.size() == 1); // not idle long enough yet
  h.advance(4'000'000);
  CHECK(h.state().placements.empty());
  auto* meta = h.state().index.find(p.first);
  REQUIRE(meta != nullptr);
  CHECK(meta->replicas.count == 3);
  CHECK(std::any_of(h.events().begin(), h.events().end(),
                    [](const fx::event& e) {
                      return e.name == "placement_sealed";
                    }));
  auto res = std::get<read_result>(*h.read_answer_of(h.read(0, 1000)));
  CHECK(res.complete);
  CHECK(res.entries.size() == 1);
}
