// logstore — a storage node: joins the master, heartbeats, stores copies of
// batches and serves the parts of them that a read asks for.
// Layer: actors. The data structure is core/entry_store (memory only for now).
//
//   start --> [joining] --join_ack--> [member] --every interval--> heartbeat
//                ^   |                   |
//                +---+ retry with       store_req -> store_ack
//                  back-off             fetch_req -> fetch_result
#pragma once

#include "actors/node_context.hpp"

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace logstore {

struct storage_options {
  std::string address = "sim"; ///< where this node listens (host:port)
  std::string zone;            ///< failure domain, may be empty
  node_name master = "master";
  time_us join_retry = 200'000; ///< first join retry delay (doubles, max 2 s)
  time_us request_timeout = 1'000'000;
};

caf::behavior storage_actor(caf::event_based_actor* self,
                            storage_options opts, node_context ctx);

} // namespace logstore
