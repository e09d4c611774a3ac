// logstore — the master: membership, placement, the write quorum, the batch
// index, and read plans.
// Layer: actors. Every decision is made by master_machine
// (core/master/master_machine.hpp); the actor only translates CAF messages
// into its inputs and carries out its effects.
//
// Write path (one batch):
//
//   append_req --> dedup? --yes--> answer as before (ack / same error / wait)
//        | no
//        v
//   live nodes >= write_quorum? --no--> not_enough_nodes (definite)
//        | yes
//        v
//   choose RF nodes --> store_req to each --(ack)--> confirmed >= W? --> index
//        ^                    |                           the batch, ack client
//        |               (timeout/error)
//        +--- replacement node, while attempts and untried live nodes last;
//             none left and confirmed + outstanding < W --> replication_failed
//
// Read path: read_plan_req --> index.overlapping(from, to) --> read_plan_reply
// (each batch's live replicas). The client fetches from the storage nodes
// and merges (actors/direct_read.hpp); no entry crosses the master. A
// missing_copies hint makes it check those copies with their node.
#pragma once

#include "actors/node_context.hpp"
#include "core/base/config.hpp"
#include "core/base/disk.hpp"

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace logstore {

/// Spawns nothing itself; use with sys.spawn(master_actor, cfg, ctx, d,
/// check). `check_invariants`: assert the master's invariants after every
/// step (master_state.hpp; costs a scan of the index per message).
/// `state_disk` (may be null) keeps the master's durable record
/// (core/master/master_record.hpp): epoch, reserved batch ids, members, failed
/// batches. With it, a restarted master rebuilds its index from the storage
/// nodes' block reports; without it, a restart forgets the cluster.
caf::behavior master_actor(caf::event_based_actor* self, cluster_config cfg,
                           node_context ctx, disk* state_disk,
                           bool check_invariants);

} // namespace logstore
