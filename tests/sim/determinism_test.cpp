// Reference: docs/simulation.md, "Seeds and determinism" (goal G2).
// Same scenario + seed + binary => byte-identical history and trace hash;
// different seeds => different runs.
#include "core/history/history.hpp"
#include "scenario/scenario.hpp"
#include "sim/world.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

using namespace logstore;
using namespace logstore::sim;

namespace {

std::string history_bytes(const run_result& r) {
  std::ostringstream out;
  r.hist.write_jsonl(out);
  return out.str();
}

scenario short_tour() {
  auto s = builtin_tour();
  s.duration = 8'000'000;
  s.settle = 2'000'000;
  for (auto& f : s.faults)
    if (f.at >= s.duration)
      f.at = s.duration / 2;
  return s;
}

} // namespace

TEST_CASE("the same seed replays byte for byte") {
  auto s = short_tour();
  for (uint64_t seed : {1u, 2u, 42u, 1000u}) {
    CAPTURE(seed);
    run_options opts;
    opts.seed = seed;
    opts.record_messages = 100;
    auto a = run_scenario(s, opts);
    auto b = run_scenario(s, opts);
    CHECK(a.trace_hash == b.trace_hash);
    CHECK(a.history_hash == b.history_hash);
    REQUIRE(history_bytes(a) == history_bytes(b));
    CHECK(a.net.sent == b.net.sent);
    CHECK(a.hist.size() > 100);
  }
}

TEST_CASE("different seeds give different runs") {
  auto s = short_tour();
  std::set<uint64_t> traces;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    run_options opts;
    opts.seed = seed;
    traces.insert(run_scenario(s, opts).trace_hash);
  }
  CHECK(traces.size() == 20);
}

TEST_CASE("a random fault schedule is drawn from the seed") {
  auto s = short_tour();
  s.faults.clear();
  s.random.enabled = true;
  s.random.faults = {fault_action::crash, fault_action::partition,
                     fault_action::loss};
  s.random.interval = 1'000'000;
  s.random.duration_min = 300'000;
  s.random.duration_max = 1'000'000;
  run_options opts;
  opts.seed = 7;
  auto a = run_scenario(s, opts);
  auto b = run_scenario(s, opts);
  REQUIRE_FALSE(a.schedule.empty());
  CHECK(faults_to_toml(a.schedule) == faults_to_toml(b.schedule));
  opts.seed = 8;
  auto c = run_scenario(s, opts);
  CHECK(faults_to_toml(a.schedule) != faults_to_toml(c.schedule));
}
