// logstore — a storage node: joins the master, heartbeats, stores copies of
// batches and serves the parts of them that a read asks for.
// Layer: actors. The data structure is core/entry_store (memory only for now).
//
//   start --> recover the disk (if durable) --> [joining] --join_ack-->
//   [member] --every interval--> heartbeat (+ batches found damaged)
//      |
//      +-- store_req -> put -> (fsync always: wait for the group sync)
//      |                           -> store_ack to every waiting request
//      +-- fetch_req -> fetch_result (a damaged copy is never served)
//      +-- copy_req / delete_req / block_report_req (repair, drain, oracle)
//
// Group commit: a store_req appends and parks its promise; the first one
// also sends this actor a `sync` message, which queues behind every
// store_req already in the mailbox. When it arrives, one sync covers them
// all and every parked promise is answered.
#pragma once

#include "actors/node_context.hpp"

#include <caf/behavior.hpp>
#include "core/base/disk.hpp"
#include "core/storage/segment_store.hpp"

#include <caf/fwd.hpp>

#include <functional>
#include <vector>

namespace logstore {

struct storage_options {
  std::string address = "sim"; ///< where this node listens (host:port)
  std::string zone;            ///< failure domain, may be empty
  /// Identifies this node's data (join_req.incarnation): created once with
  /// the data directory and kept across restarts; a memory-only node gets a
  /// new one at every start.
  uint64_t incarnation = 0;
  /// The masters, in the order of cluster_config::masters (one name for a
  /// single master). The node reports to one of them and moves on to the
  /// next when it does not answer or says it is not active.
  std::vector<node_name> masters = {"master"};
  /// Refuse to promise a new epoch while the active master's lease is this
  /// fresh (cluster_config::effective_master_timeout()).
  time_us master_timeout = 3'000'000;
  /// Where the node keeps its promise file (epoch_promise.hpp). Null: on
  /// `data`; both null: in memory only.
  disk* state = nullptr;
  time_us join_retry = 200'000; ///< first join retry delay (doubles, max 2 s)
  time_us request_timeout = 1'000'000;
  /// Where copies live. Null: in memory only (lost with the process).
  /// Otherwise segment files on this disk, recovered at start. The disk
  /// outlives the actor (the simulator owns it across crashes).
  disk* data = nullptr;
  segment_store_options segments;
  /// When a copy counts as stored (see core/storage/segment_store.hpp). Default:
  /// always = confirm only after it is on disk; concurrent stores share one
  /// sync (group commit).
  fsync_policy fsync = fsync_policy::always;
  /// For fsync_policy::interval: sync this often. Default: 100 ms.
  time_us fsync_interval = 100'000;
  /// How long a sync takes in virtual time (the simulator's sim_disk); null
  /// on a real disk, where sync() itself takes the time.
  std::function<time_us()> sync_latency;
  /// Test hook: flip one byte in each of the first N store frames as they
  /// arrive, before verification (a frame damaged in transit). 0: off.
  uint32_t test_corrupt_stores = 0;
};

caf::behavior storage_actor(caf::event_based_actor* self,
                            storage_options opts, node_context ctx);

} // namespace logstore
