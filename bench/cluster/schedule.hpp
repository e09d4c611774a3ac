// logstore — cluster_bench: the measurement schedule. Loads the read data
// sets, then measures each configuration in interleaved rounds (logstore,
// Redis, logstore, ...; each after a warm-up round that is not counted), one
// bare round trip each, and the range reads, likewise interleaved. Only
// figures of the same run are compared: the machine is shared and noisy.
#pragma once

#include "cluster/logstore_rounds.hpp"
#include "cluster/options.hpp"
#include "cluster/redis_rounds.hpp"
#include "cluster/stats.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cluster_bench {

/// One append configuration: K entries per batch, batches in flight.
struct config {
  uint32_t k;
  uint32_t in_flight;
  std::string label() const;
};

/// K = 1, 100, 1000 with 1 in flight, then the same with 8 in flight.
const std::vector<config>& append_configs();

/// The concurrent-clients row: this many clients, each K=100 with 8 in
/// flight, measured side by side (aggregate).
constexpr size_t four_clients = 4;
constexpr uint32_t four_clients_k = 100;
constexpr uint32_t four_clients_in_flight = 8;

/// Growth of a server's resident memory over a configuration's rounds
/// (warm-up included), per million entries appended.
struct memory_growth {
  double mib = 0;       ///< RSS after minus before
  uint64_t entries = 0; ///< entries appended meanwhile
  bool valid() const {
    return entries > 0;
  }
  double per_million() const {
    return entries > 0 ? mib * 1e6 / static_cast<double>(entries) : 0;
  }
};

/// Everything a run measured; a figure without rounds was not measured.
struct results {
  using key = std::pair<uint32_t, uint32_t>; ///< (k, in_flight)
  std::map<key, figure> ls_append, rd_append;
  /// Master / Redis primary RSS growth per configuration.
  std::map<key, memory_growth> ls_memory, rd_memory;
  /// The four-client aggregate (each client K=100, 8 in flight).
  figure ls_four, rd_four;
  /// CAF's bare request/response between two processes, 1 in flight (one
  /// "entry" per round trip).
  figure caf_echo;
  /// The master's RSS after the read data set was loaded, and before.
  double ls_rss_loaded_mib = 0, ls_rss_start_mib = 0;
  figure ls_read, rd_read;
  double ls_rtt_us = 0, rd_rtt_us = 0;
  uint64_t ls_loaded = 0; ///< entries of logstore's read data set

  /// The figure of (k, in_flight); an empty one if it was not measured.
  const figure& ls(uint32_t k, uint32_t in_flight) const;
  const figure& rd(uint32_t k, uint32_t in_flight) const;
};

/// Runs the whole schedule, printing progress; the Redis side only if
/// `have_redis`. Throws std::runtime_error when a cluster fails or a process
/// died; `out` then holds what was measured so far.
void run_schedule(const options& opt, logstore_cluster& lc,
                  const redis_cluster& rc, bool have_redis, results& out);

} // namespace cluster_bench
