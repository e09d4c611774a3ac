// logstore — what a simulation run tells its reader: the text report, the
// JSON summary, and the run folder (history, events, diagrams).
// Layer: sim (formatting only; no CAF).
#pragma once

#include "scenario/scenario.hpp"
#include "core/base/json_text.hpp"
#include "sim/world.hpp"

#include <iosfwd>
#include <string>

namespace logstore::sim {

/// How the run was invoked, for the "reproduce" line.
struct invocation {
  std::string scenario_arg; ///< the path given, or "" for the built-in tour
};

/// The full human-readable report of one run.
void write_text_report(std::ostream& out, const scenario& s,
                       const run_result& r, const invocation& inv);

/// One line for a sweep: "seed 17: PASS ..." or the broken invariants.
void write_sweep_line(std::ostream& out, const run_result& r,
                      const invocation& inv);

/// Machine-readable summary (one JSON object).
void write_json_summary(std::ostream& out, const scenario& s,
                        const run_result& r, const invocation& inv);

/// Writes DIR/history.jsonl, summary.json, events.jsonl, timeline.txt and
/// messages.mmd (Mermaid sequence diagram of the first messages). Returns an
/// error text, empty on success.
std::string write_run_folder(const std::string& dir, const scenario& s,
                             const run_result& r, const invocation& inv);

/// "logstore sim <file> --seed N".
std::string reproduce_line(const run_result& r, const invocation& inv);

/// Seconds with millisecond precision: "12.345s".
std::string format_seconds(time_us t);

/// Human latency: "850us", "4.2ms", "1.25s".
std::string format_latency(time_us t);

/// Escapes a string for JSON.

// The oracle's sections (report_oracle.cpp).

/// Failure detection, under-replicated episodes, repair work, members.
void write_cluster_view(std::ostream& out, const scenario& s,
                        const run_result& r);

/// The oracle's property lines and [expect] limits of the invariants list.
void write_oracle_invariants(std::ostream& out, const scenario& s,
                             const run_result& r);

/// The oracle's findings as one JSON object.
std::string oracle_json(const scenario& s, const run_result& r);

} // namespace logstore::sim
