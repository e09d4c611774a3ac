// logstore — cluster configuration: one struct, documented defaults, validate().
// Layer: core. The CLI and scenario files map their keys 1:1 onto these fields.
#pragma once

#include "core/base/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

enum class placement_policy : uint8_t {
  random,       ///< seeded random choice, as in the original design
  least_loaded, ///< fewest stored bytes first (ties broken by name)
};

std::string_view to_string(placement_policy x);

enum class write_path_kind : uint8_t {
  via_master, ///< append_req to the master, which stores the copies
  direct,     ///< placements from the master, stores from the client
};
std::string_view to_string(write_path_kind x);
bool from_string(std::string_view str, write_path_kind& x);

/// Parses "random" or "least-loaded"; returns false on anything else.
bool from_string(std::string_view str, placement_policy& x);

struct cluster_config {
  /// Copies of every batch. Default: 3.
  uint32_t replication_factor = 3;
  /// Confirmed copies needed before the client hears "ok". Default: 0, which
  /// means "all of them" (= replication_factor).
  uint32_t write_quorum = 0;
  /// How the master picks storage nodes. Default: random.
  placement_policy placement = placement_policy::random;
  /// Master waits this long for a store_ack before replacing the node (us).
  /// Default: 500 ms.
  time_us store_timeout = 500'000;
  /// Master waits this long for a fetch_result before trying another replica
  /// (us). Default: 500 ms.
  time_us fetch_timeout = 500'000;
  /// Storage nodes send a heartbeat this often (us). Default: 500 ms.
  time_us heartbeat_interval = 500'000;
  /// Missed heartbeats before a node is "suspect". Default: 2.
  uint32_t suspect_after_misses = 2;
  /// Missed heartbeats before a node is "dead". Default: 6.
  uint32_t dead_after_misses = 6;
  /// Total store attempts per batch, first copies included, before the master
  /// gives up with replication_failed. Default: 0 = 2 x replication_factor.
  uint32_t store_attempts_max = 0;
  /// Largest batch accepted, in entries. Default: 100000.
  uint32_t batch_entries_max = 100'000;
  /// Remembered outcomes per client for retry deduplication. Default: 1024.
  uint32_t dedup_window = 1024;
  /// How long a node must stay dead before its batches are re-replicated
  /// (us). A node back within it costs no copy at all. Default: 5 s.
  time_us repair_grace = 5'000'000;
  /// Repair copies in flight at once (the throttle). Default: 4.
  uint32_t repair_inflight_max = 4;
  /// How long the master waits for a copy_ack (us). Default: 2 s.
  time_us copy_timeout = 2'000'000;
  /// Rebalance when a node holds more than (1 + threshold) x the mean
  /// number of batches while another holds less than (1 - threshold) x.
  /// 0 disables rebalancing. Default: 0.2.
  double rebalance_threshold = 0.2;
  /// Retention by age (us, in entry time: batches whose newest entry is
  /// older than the newest entry seen minus this are deleted). 0 = keep.
  time_us retention_time = 0;
  /// Retention by size: delete the oldest batches while the cluster holds
  /// more payload bytes than this (counted once, not per copy). 0 = keep.
  uint64_t retention_bytes = 0;
  /// Every master of the cluster, by name, the same list on each (empty or
  /// one name: a single master, no failover). The first one starts a new
  /// cluster; any of them takes over when the active one fails
  /// (docs/protocol.md, "Master failover").
  std::vector<node_name> masters;
  /// A standby that has not heard from an active master for this long
  /// campaigns (after a random back-off below master_backoff); a storage
  /// node refuses to promise a new epoch while it heard from the active
  /// master this recently; an active master that has not heard from a
  /// majority of storage nodes for this long steps down. 0 = the storage
  /// nodes' dead time (heartbeat_interval x dead_after_misses, 3 s).
  time_us master_timeout = 0;
  /// Upper bound of the seeded random back-off before a campaign (us), so
  /// that two standbys rarely campaign at once. Default: 1 s.
  time_us master_backoff = 1'000'000;
  /// How entries reach the storage nodes (docs/protocol.md, "Direct
  /// writes"): straight from the client into a placement the master
  /// granted (placement_req, store_req, commit_req; the default), or
  /// through the master (append_req: the original design, kept to compare
  /// with, scenario 37 and docs/lessons/03-master-data-path.md).
  write_path_kind write_path = write_path_kind::direct;
  /// Batch ids in one placement (direct writes). Default: 64.
  uint32_t placement_batches = 64;

  bool multi_master() const {
    return masters.size() > 1;
  }
  time_us effective_master_timeout() const {
    return master_timeout > 0 ? master_timeout
                              : heartbeat_interval * dead_after_misses;
  }

  uint32_t effective_write_quorum() const {
    return write_quorum == 0 ? replication_factor : write_quorum;
  }
  uint32_t effective_store_attempts() const {
    return store_attempts_max == 0 ? 2 * replication_factor
                                   : store_attempts_max;
  }

  /// Empty when valid; otherwise what is wrong and how to fix it.
  std::string validate() const;
};

} // namespace logstore
