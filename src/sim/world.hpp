// logstore — the simulated world: one process, CAF's deterministic scheduler
// (test_coordinator) with virtual time, one seeded generator from which every
// choice derives, the simulated network, and the fault timeline.
// Layer: sim. Runs the SAME actors as the real cluster (src/actors).
//
// The loop:
//   run every ready actor, one at a time, in seeded random order
//   then jump virtual time to the earliest of: a CAF timer, a message due
//   on the network, a fault on the timeline; repeat until the end.
#pragma once

#include "core/history/checker.hpp"
#include "core/history/history.hpp"
#include "sim/network.hpp"
#include "sim/oracle.hpp"
#include "scenario/scenario.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace logstore::sim {

/// One line of the fault timeline as it actually happened.
struct timeline_entry {
  time_us at = 0;
  std::string text; ///< e.g. "crash storage-2"
};

/// A structured event from a node (see core/base/event_log.hpp).
struct node_event {
  time_us at = 0;
  std::string level;
  std::string node;
  std::string event;
  std::string text;
};

struct run_options {
  uint64_t seed = 1;
  size_t record_messages = 0; ///< message events kept for diagrams
  bool keep_events = true;    ///< collect node events
  /// Assert the master's invariants after every step it takes
  /// (core/master/master_state.hpp); a broken one aborts the run.
  bool check_invariants = false;
};

struct run_result {
  uint64_t seed = 0;
  std::vector<fault> schedule;  ///< the concrete faults (drawn ones included)
  std::vector<timeline_entry> timeline;
  history hist;
  check_result check;
  network_stats net;
  std::vector<message_event> messages;
  std::vector<std::string> node_names;
  std::vector<node_event> events;
  uint64_t trace_hash = 0;   ///< network trace + history bytes
  uint64_t history_hash = 0; ///< history bytes only
  time_us simulated = 0;     ///< virtual time at the end
  double wall_seconds = 0;   ///< measured outside the simulation
  uint64_t scheduler_steps = 0;
  oracle_report oracle;
  /// Invariants listed in [expect] that were broken (and availability).
  std::vector<std::string> broken;
  bool ok() const {
    return broken.empty();
  }
};

/// Runs one scenario with one seed. Deterministic: same scenario, seed and
/// binary give the same history bytes and trace hash.
run_result run_scenario(const scenario& s, const run_options& opts);

/// The oracle's properties and [expect] limits (max_false_dead,
/// max_detection, max_repair_copies, max_imbalance) that run `r` broke,
/// by name; see oracle.cpp.
std::vector<std::string> oracle_verdicts(const scenario& s,
                                         const run_result& r);

/// The nodes a scenario drains.
std::vector<std::string> drained_nodes(const scenario& s);

} // namespace logstore::sim
