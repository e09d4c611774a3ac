// logstore — `logstore sim`: run a scenario (or the built-in tour) for one or
// many seeds, print the report, write the run folder, return the exit code.
// Layer: app. No CLI11 here (main.cpp is the only CLI11 translation unit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace logstore::app {

struct sim_args {
  std::string scenario;          ///< path; empty = built-in tour
  std::optional<uint64_t> seed;  ///< default: the scenario's, else 1
  uint32_t runs = 1;             ///< seeds seed .. seed+runs-1
  std::string out;               ///< run folder root; empty = none
  std::string output = "text";   ///< text | json
  bool quiet = false;            ///< sweeps: only failures and the summary
  /// The scenario demonstrates a failure: succeed only if EVERY run broke
  /// an expected invariant (for teaching scenarios in the test suite).
  bool expect_violation = false;
  uint32_t diagram_messages = 200; ///< messages kept for messages.mmd
  bool check_invariants = false;   ///< assert the master's invariants
  /// Trace hashes (16 hex digits each) the runs must produce, in seed
  /// order: a behaviour-preserving change keeps them (exit 1 otherwise).
  std::vector<std::string> expect_traces;
};

/// Exit codes: 0 all expected invariants held, 1 a violation, 2 bad input.
int run_sim_command(const sim_args& args);

} // namespace logstore::app
