// Reference: scenarios/39-backfill-old-logs.toml (batches far back in time,
// src/core/base/interval_index.hpp) and src/sim/oracle.cpp (the run's
// repair totals over master restarts).
#include "scenario/scenario.hpp"
#include "sim/world.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace logstore;
using namespace logstore::sim;

TEST_CASE("scenario 39 backfills, repairs old batches and counts the copies "
          "across a master restart") {
  auto parsed = parse_scenario_file(std::string{LOGSTORE_SOURCE_DIR}
                                    + "/scenarios/39-backfill-old-logs.toml");
  REQUIRE_MESSAGE(parsed.value.has_value(), parsed.error);
  run_options opts;
  opts.seed = parsed.value->seed.value_or(1);
  auto r = run_scenario(*parsed.value, opts);
  for (auto& p : r.check.properties)
    CHECK_MESSAGE(p.held, p.name);
  CHECK(r.check.final_read_seen);
  // Repairs happened (the crash and the lost disk) before the master
  // restarted, whose status counts from 0 again: the run's total is the sum
  // of its episodes, not the last master's count.
  uint64_t copies = 0;
  for (auto& e : r.oracle.episodes)
    copies += e.copies;
  CHECK(copies > 100);
  CHECK(r.oracle.repairs_done >= copies);
  CHECK(r.oracle.moves_done > 0);
}
