// Checks failure_detector (src/core/master/failure_detector.hpp): the state follows
// the silence since the last heartbeat (suspect after suspect_after_misses
// intervals, dead after dead_after_misses), a node never heard from is dead,
// and tick() reports each transition exactly once.
// Reference: docs/protocol.md, "heartbeat_msg"; cluster_config defaults.
#include "core/master/failure_detector.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

using changes = std::vector<std::pair<node_number, node_state>>;

constexpr time_us interval = 100;

failure_detector make_detector() {
  return failure_detector{interval, 2, 6};
}

} // namespace

TEST_CASE("node states have stable names") {
  CHECK(to_string(node_state::up) == "up");
  CHECK(to_string(node_state::suspect) == "suspect");
  CHECK(to_string(node_state::dead) == "dead");
}

TEST_CASE("a node never heard from is dead") {
  auto fd = make_detector();
  CHECK(fd.state(0, 0) == node_state::dead);
  CHECK(fd.state(7, 1'000'000) == node_state::dead);
  fd.heard_from(5, 0);
  CHECK(fd.state(3, 0) == node_state::dead);
  CHECK(fd.state(6, 0) == node_state::dead);
}

TEST_CASE("the state follows the silence since the last heartbeat") {
  auto fd = make_detector();
  fd.heard_from(1, 1000);
  CHECK(fd.state(1, 1000) == node_state::up);
  CHECK(fd.state(1, 1199) == node_state::up);
  CHECK(fd.state(1, 1200) == node_state::suspect);
  CHECK(fd.state(1, 1599) == node_state::suspect);
  CHECK(fd.state(1, 1600) == node_state::dead);
  fd.heard_from(1, 1700);
  CHECK(fd.state(1, 1700) == node_state::up);
}

TEST_CASE("tick reports each transition once") {
  auto fd = make_detector();
  CHECK(fd.tick(0).empty());
  fd.heard_from(2, 0);
  CHECK(fd.tick(50) == changes{{2, node_state::up}});
  CHECK(fd.tick(60).empty());
  CHECK(fd.tick(200) == changes{{2, node_state::suspect}});
  CHECK(fd.tick(300).empty());
  fd.heard_from(2, 350);
  CHECK(fd.tick(350) == changes{{2, node_state::up}});
  CHECK(fd.tick(949) == changes{{2, node_state::suspect}}); // 599 us
  CHECK(fd.tick(950) == changes{{2, node_state::dead}});
  CHECK(fd.tick(5000).empty());
  fd.heard_from(2, 5000);
  CHECK(fd.tick(5000) == changes{{2, node_state::up}});
}

TEST_CASE("tick may skip suspect and reports nodes in number order") {
  auto fd = make_detector();
  fd.heard_from(4, 0);
  fd.heard_from(1, 0);
  CHECK(fd.tick(0) == changes{{1, node_state::up}, {4, node_state::up}});
  fd.heard_from(4, 500);
  // Node 1 went from up straight to dead between two ticks.
  CHECK(fd.tick(600) == changes{{1, node_state::dead}});
  CHECK(fd.state(4, 600) == node_state::up);
}
