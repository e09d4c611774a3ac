// logstore — cluster_bench: the logstore side. Starts `logstore master` +
// 3 x `logstore storage` (--insecure, replication factor 3, write quorum =
// all, the default; in memory unless --durable) and measures it through the
// client path of `logstore append` / `logstore read`: client_session ->
// directory -> net_link -> master, appends pipelined by app::append_driver.
#pragma once

#include "cluster/options.hpp"
#include "cluster/process.hpp"
#include "cluster/stats.hpp"

#include <caf/actor.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace logstore::app {
class client_session;
} // namespace logstore::app

namespace cluster_bench {

struct logstore_cluster {
  logstore_cluster();
  ~logstore_cluster();
  logstore_cluster(const logstore_cluster&) = delete;
  logstore_cluster& operator=(const logstore_cluster&) = delete;

  uint16_t master_port = 0;
  std::vector<uint16_t> storage_ports;
  std::unique_ptr<logstore::app::client_session> session;
  cpu_groups cpu{{{}, {}, {0}}}; ///< master, storage nodes, this process
  caf::actor master;
  /// Further clients (own actor system, own connection to the master) for
  /// the concurrent-clients row; client i > 0 is more_sessions[i - 1].
  std::vector<std::unique_ptr<logstore::app::client_session>> more_sessions;
  std::vector<caf::actor> more_masters;
  uint16_t echo_port = 0; ///< the CAF echo server child (caf_echo.hpp)
  uint32_t write_quorum = 0;
  uint32_t replication_factor = 0;
  bool up = false;
};

/// Starts the four processes (logs in `dir`), connects the client and waits,
/// at most 20 s, until all three storage nodes joined and are up. On false,
/// `why` says what failed.
bool logstore_start(const options& opt, const std::string& dir,
                    logstore_cluster& lc, std::string& why);

/// Starts clients until there are `n` (each its own actor system and
/// connection, as separate `logstore append` processes would have).
bool logstore_add_clients(logstore_cluster& lc, size_t n, std::string& why);

/// Stops the client (its actor system) before the processes are stopped.
void logstore_stop_client(logstore_cluster& lc);

/// Sends batches of `k` entries through app::append_driver (what `logstore
/// append` does: ask for room, then hand the batch over) for `secs` seconds
/// or until `max_entries` were sent, then drains. Timestamps come from
/// `next_ts`. `client` picks the client (0 = the first; see more_sessions).
round_result logstore_append_round(logstore_cluster& lc, uint32_t k,
                                   uint32_t in_flight, double secs,
                                   int64_t& next_ts,
                                   uint64_t max_entries = UINT64_MAX,
                                   size_t client = 0);

/// `logstore read`'s path (a plan from the master, then fetches from the
/// storage nodes, merged by the reader) over a random 1000-entry time range
/// of the `n` entries from read_base, 1 in flight, for `secs` seconds.
round_result logstore_read_round(logstore_cluster& lc, uint64_t n, double secs,
                                 std::mt19937_64& rng);

/// p50 of round trips to the master for `secs` seconds with a read plan of an
/// empty time range (no batch overlaps it, so the plan is empty): one
/// bare CAF remote request/response, the per-hop cost every append pays
/// twice (client -> master, master -> storage nodes). Not status_req: the
/// master's status counts under-replicated batches, which grows with them.
double logstore_rtt_p50_us(logstore_cluster& lc, double secs);

} // namespace cluster_bench
