// logstore — the oracle's probe: an actor on its own network node
// ("oracle") that samples the master's status and collects block reports
// from the storage nodes, through the same simulated network.
// Layer: sim.
#pragma once

#include "core/base/messages.hpp"

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <string>
#include <vector>

namespace logstore::sim {

struct probe_callbacks {
  std::function<void(const status_reply&)> on_status;
  /// Called once per round with the reports that arrived in time.
  std::function<void(std::vector<block_report>)> on_reports;
};

/// Handles (tick_atom): ask every master for status (only an active one's
/// answer reaches on_status); (drain_req): send it to the master last
/// seen active; (block_report_req): ask every storage node for a block
/// report.
caf::behavior probe_actor(caf::event_based_actor* self, caf::actor directory,
                          std::vector<std::string> master_names,
                          std::vector<std::string> storage_names,
                          probe_callbacks callbacks);

} // namespace logstore::sim
