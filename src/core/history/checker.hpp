// logstore — the history checker: what broke, and which operations show it.
// Layer: core. Black-box: it sees only the history, so it runs the same on
// histories from the simulator and from a real cluster.
//
// Properties (names are stable; scenario files list them under [expect]):
//  no-lost-acked-writes  the final read is complete and holds every entry of
//                        every ok append
//  no-phantom-entries    every entry read was written by an append that was
//                        invoked and did not fail definitely, with the same
//                        ts and source
//  no-duplicates         no entry appears twice in one read
//  reads-sorted          every read is sorted by (ts, source, client, seq, index)
//  reads-in-range        every entry of a read lies in its [from, to]
//  complete-reads-see-acked
//                        a read that claims completeness holds every entry in
//                        its range whose append was ok before the read began
//  reads-honest          an incomplete read names, in its missing ranges,
//                        every such entry it lacks
#pragma once

#include "core/history/history.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

/// All property names, in report order.
const std::vector<std::string>& all_properties();

struct property_result {
  std::string name;
  bool held = true;
  uint64_t violations = 0;
  /// Up to `examples_max` human-readable witnesses, each naming history
  /// indexes, e.g. "read #812 (invoked t=3.2s) lacks 2:17:4 (ts=...),
  /// acked by #640 at t=3.1s".
  std::vector<std::string> examples;
};

struct latency_summary {
  uint64_t count = 0;
  time_us p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

struct check_result {
  std::vector<property_result> properties; ///< in all_properties() order
  uint64_t appends_invoked = 0, appends_ok = 0, appends_failed = 0,
           appends_indefinite = 0;
  uint64_t reads_invoked = 0, reads_ok = 0, reads_incomplete = 0,
           reads_failed = 0;
  uint64_t entries_acked = 0;
  bool final_read_seen = false;
  /// ok appends / invoked appends (1.0 when none were invoked).
  double availability = 1.0;
  latency_summary append_latency; ///< ok appends, invoke to completion
  latency_summary read_latency;   ///< ok reads

  const property_result* find(const std::string& name) const;
};

struct check_options {
  size_t examples_max = 5;
};

check_result check_history(const history& h, const check_options& opts = {});

} // namespace logstore
