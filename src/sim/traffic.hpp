// logstore — the traffic through the master, as the simulator counts it:
// which message types belong to the write path and the read path, and the
// messages and bytes per append and per read (docs/simulation.md, "Traffic
// through the master"; the original design's third limitation).
// Layer: sim.
#pragma once

#include "sim/world.hpp"

#include <string>

namespace logstore::sim {

/// "write", "read" or "other" for a message type's short name.
const char* path_of(const std::string& type);

struct master_traffic {
  uint64_t write_messages = 0, write_bytes = 0;
  uint64_t read_messages = 0, read_bytes = 0;
  uint64_t appends = 0, reads = 0; ///< operations invoked
  double bytes_per_append() const {
    return appends ? static_cast<double>(write_bytes) / appends : 0.0;
  }
  double messages_per_append() const {
    return appends ? static_cast<double>(write_messages) / appends : 0.0;
  }
  double bytes_per_read() const {
    return reads ? static_cast<double>(read_bytes) / reads : 0.0;
  }
  double messages_per_read() const {
    return reads ? static_cast<double>(read_messages) / reads : 0.0;
  }
};

master_traffic master_traffic_of(const run_result& r);

} // namespace logstore::sim
