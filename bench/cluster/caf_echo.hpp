// logstore — cluster_bench: CAF's bare request/response between two
// processes, the ceiling CAF's network layer sets for one batch in flight.
// The server is this benchmark's own binary started as a child with
// `--echo-server PORT`: one actor that answers a uint64_t with the same
// value, published with the same middleman and scheduler settings as a
// logstore node (--insecure). The client side measures it from the
// benchmark's client actor system, 1 request in flight.
#pragma once

#include "cluster/stats.hpp"

#include <caf/fwd.hpp>

#include <cstdint>

namespace cluster_bench {

/// The child's main: publishes the echo actor on 127.0.0.1:`port` and
/// blocks until it is killed. Returns 1 only if it could not publish.
int run_echo_server(uint16_t port);

/// One round of bare request/response to the echo server at `port`, 1 in
/// flight, for `secs` seconds: ops/s in entries_per_s (one "entry" per
/// round trip), latency p50/p99. Throws if it cannot connect.
round_result caf_echo_round(caf::actor_system& sys, uint16_t port,
                            double secs);

} // namespace cluster_bench
