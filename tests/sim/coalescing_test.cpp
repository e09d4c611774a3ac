// Reference: src/actors/direct_write.hpp (Nagle's rule for direct stores).
// A store goes out alone when nothing is in flight to its node; the ones
// queued behind a message share the next one (store_many_req), and a run
// that needs that stays correct by every invariant of the checker.
#include "scenario/scenario.hpp"
#include "sim/world.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::sim;

namespace {

/// Two of three copies acknowledge an append, so a client goes on while
/// its store to the slow third replica is still in flight: the stores of
/// its next appends to that node wait, and go together.
constexpr const char* slow_replica = R"(
[scenario]
name     = "coalesced-stores"
duration = "6s"
settle   = "2s"
[cluster]
storage_nodes      = 3
replication_factor = 3
write_quorum       = 2
store_timeout      = "400ms"
[network]
latency = "1ms"
[workload]
clients    = 2
rate       = 200
batch_size = 4
final_read = true
[[fault]]
at            = "1s"
action        = "slow"
target        = "storage-3"
extra_latency = "60ms"
duration      = "3s"
)";

uint64_t messages_of(const run_result& r, const std::string& type) {
  uint64_t n = 0;
  for (auto& m : r.messages)
    n += m.what == type ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("stores queued behind a slow replica share one message") {
  auto parsed = parse_scenario_text(slow_replica, "<test>");
  REQUIRE_MESSAGE(parsed.value.has_value(), parsed.error);
  for (uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    run_options opts;
    opts.seed = seed;
    opts.record_messages = 1'000'000; // all of them
    auto r = run_scenario(*parsed.value, opts);
    for (auto& p : r.check.properties)
      CHECK_MESSAGE(p.held, p.name);
    CHECK(r.check.final_read_seen);
    auto many = messages_of(r, "store_many_req");
    CHECK(many > 0);
    CHECK(messages_of(r, "store_many_reply") > 0);
    // Without coalescing every store is its own store_req: three per
    // append; with it, fewer.
    CHECK(messages_of(r, "store_req") + many < 3 * r.check.appends_invoked);
  }
}

TEST_CASE("scenario 38 queues stores behind every fault of their node") {
  auto parsed = parse_scenario_file(std::string{LOGSTORE_SOURCE_DIR}
                                    + "/scenarios/38-stores-queued-behind-"
                                      "faults.toml");
  REQUIRE_MESSAGE(parsed.value.has_value(), parsed.error);
  run_options opts;
  opts.seed = parsed.value->seed.value_or(1);
  opts.record_messages = 10'000'000; // all of them
  auto r = run_scenario(*parsed.value, opts);
  for (auto& p : r.check.properties)
    CHECK_MESSAGE(p.held, p.name);
  // The queue forms (the scenario would teach nothing otherwise).
  CHECK(messages_of(r, "store_many_req") > 20);
}
