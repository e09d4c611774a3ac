// Reference: docs/protocol.md. Every protocol message survives CAF's binary
// serializer (the real wire), and errors keep their definite/indefinite kind.
#include "actors/protocol.hpp"
#include "core/base/frame.hpp"

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <doctest/doctest.h>

using namespace logstore;

namespace {

template <class T>
T round_trip(caf::actor_system& sys, T value) {
  auto msg = caf::make_message(std::move(value));
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE(!inspect(sink, msg));
  caf::message copy;
  caf::binary_deserializer source{sys, buf};
  REQUIRE(!inspect(source, copy));
  REQUIRE(copy.match_elements<T>());
  return copy.get_as<T>(0);
}

struct fixture {
  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    register_protocol_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

} // namespace

TEST_CASE_FIXTURE(fixture, "every message type survives the wire") {
  stored_entry e{1700000000000001, "web-1", std::string("x\0y", 3), 7, 9, 2};
  std::string frame;
  encode_batch_frame(42, 7, 9, e.ts, e.ts, {e}, frame);
  auto s = round_trip(*sys, store_req{3, 42, frame});
  CHECK(s.epoch == 3);
  CHECK(s.batch == 42);
  CHECK(s.frame == frame);
  auto a = round_trip(*sys, append_req{3, 4, {{5, "src", "payload"}}, 2});
  CHECK(a.entries[0] == entry{5, "src", "payload"});
  CHECK(a.attempt == 2);
  auto r = round_trip(*sys, read_result{{e}, false, {{1, 2}}, 7, {"storage-3"}});
  CHECK_FALSE(r.complete);
  CHECK(r.missing[0] == time_range{1, 2});
  CHECK(r.unreported == std::vector<node_name>{"storage-3"});
  auto f = round_trip(*sys, fetch_result{{frame}, {43}});
  CHECK(f.frames == std::vector<std::string>{frame});
  CHECK(f.not_found == std::vector<batch_id>{43});
  CHECK(f.not_found == std::vector<batch_id>{43});
  auto j = round_trip(*sys, join_req{"storage-1", "10.0.0.5:7001", "a", 99, 5,
                                      6, {{1, 2, 3, 4, 5, 6, 7}}});
  CHECK(j.zone == "a");
  CHECK(j.incarnation == 99);
  CHECK(j.boot == 5);
  CHECK(j.version == 6);
  CHECK(round_trip(*sys, delete_ack{5, 7}).version == 7);
  CHECK(round_trip(*sys, lost_ack{{4, 5}}).batches.size() == 2);
  CHECK(round_trip(*sys, remove_req{"storage-2", true}).force);
  CHECK(round_trip(*sys, join_ack{3, 500000}).epoch == 3);
  CHECK(round_trip(*sys, heartbeat_msg{"s", 1, 2, {7}}).bytes == 2);
  CHECK(round_trip(*sys, append_ack{5, {"storage-1"}}).replicas.size() == 1);
  CHECK(round_trip(*sys, store_ack{5, "storage-2"}).node == "storage-2");
  auto many = round_trip(*sys, store_many_req{{{3, 42, frame}, {3, 43, frame}}});
  REQUIRE(many.stores.size() == 2);
  CHECK(many.stores[1].batch == 43);
  CHECK(many.stores[1].frame == frame);
  auto replies = round_trip(
    *sys, store_many_reply{{{0, ""}, {static_cast<uint8_t>(errc::not_granted),
                                      "no grant"}}});
  REQUIRE(replies.outcomes.size() == 2);
  CHECK(errc_from_wire(replies.outcomes[1].code) == errc::not_granted);
  CHECK(replies.outcomes[1].what == "no grant");
  CHECK(round_trip(*sys, read_req{1, 2}).to == 2);
  CHECK(round_trip(*sys, fetch_req{{1, 2}, 3, 4}).batches.size() == 2);
  status_reply st;
  st.members.push_back({"storage-1", "h:1", "", "up", 3, 4});
  CHECK(round_trip(*sys, st).members[0].state == "up");
}

TEST_CASE("caf errors map back to protocol error codes") {
  CHECK(to_errc(make_error(errc::not_enough_nodes)) == errc::not_enough_nodes);
  CHECK(to_errc(caf::make_error(caf::sec::request_timeout)) == errc::timeout);
  CHECK_FALSE(is_definite(to_errc(caf::make_error(caf::sec::request_timeout))));
  // When in doubt, indefinite: the receiver may have handled it.
  CHECK(to_errc(caf::make_error(caf::sec::request_receiver_down))
        == errc::timeout);
  CHECK(to_errc(caf::make_error(caf::sec::cannot_connect_to_node))
        == errc::unreachable);
}
