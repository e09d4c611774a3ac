// Checks a node's own clock (src/core/base/local_clock.hpp) and what a node
// does with a gap in its own run (failure_detector::forgive,
// src/core/master/failure_detector.hpp).
// Reference: docs/protocol.md, "Master failover" (time and clocks).
#include "core/base/local_clock.hpp"
#include "core/master/failure_detector.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("an exact clock reads the true time and takes timers as given") {
  local_clock c;
  CHECK(c.exact());
  CHECK(c.local(1'234'567) == 1'234'567);
  CHECK(c.true_span(250'000) == 250'000);
}

TEST_CASE("a step moves the reading, a drift the rate; both stay monotonic") {
  local_clock c;
  c.set(1'000'000, 5'000'000, 2 * local_clock::exact_rate); // +5s, 2x fast
  CHECK(c.local(1'000'000) == 6'000'000);
  CHECK(c.local(1'500'000) == 7'000'000);
  CHECK(c.true_span(1'000'000) == 500'000); // a 1 s timer fires in 0.5 s
  c.reset_rate(2'000'000);                  // the offset gained stays
  CHECK(c.local(2'000'000) == 8'000'000);
  CHECK(c.local(3'000'000) == 9'000'000);
  CHECK(c.true_span(1'000'000) == 1'000'000);
  c.set(3'000'000, 0, local_clock::exact_rate / 2); // half speed
  CHECK(c.local(5'000'000) == 10'000'000);
  CHECK(c.true_span(1'000'000) == 2'000'000);
  CHECK(c.true_span(1) >= 1);
}

TEST_CASE("a node's own stall is forgiven, never past now") {
  failure_detector d{250'000, 2, 6};
  d.heard_from(0, 1'000'000);
  d.heard_from(1, 3'000'000); // heard after the others went quiet
  d.heard_from(2, 1'000'000);
  // The caller ran nothing from 1.25 s to 6.25 s: its next tick is late.
  CHECK(d.state(0, 6'250'000) == node_state::dead);
  d.forgive(5'000'000, 6'250'000);
  CHECK(d.last_heard(0) == 6'000'000);
  CHECK(d.state(0, 6'250'000) == node_state::up);
  CHECK(d.last_heard(1) == 6'250'000); // clamped to now
  d.heard_from(1, 6'300'000);          // time still never runs backwards
  CHECK(d.state(2, 6'250'000 + 1'500'000) == node_state::dead);
}
