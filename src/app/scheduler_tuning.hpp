// logstore — CAF scheduler settings for the real-cluster processes (servers
// and client commands). Layer: app.
//
// CAF 0.17's work-stealing workers, after running out of jobs, spin 100
// times, then poll 500 times with a 50 us sleep in between (25 ms or more of
// wake-ups every 50-100 us), and only then block on a condition variable that
// an enqueue signals. A cluster node that gets a message every few
// milliseconds therefore never blocks: each worker wakes up ~10,000 times a
// second, and a job queued during a sleep waits for the next poll. On a
// 2-core machine running a master, three storage nodes and a client, that
// cost more than the work itself (measured: ~170 context switches per K=1
// append; 2-3x less throughput, see bench/cluster_bench.cpp). Without the
// polling phase an idle worker blocks right after its short spin, and
// enqueues from the network thread wake it directly.
#pragma once

#include <caf/actor_system_config.hpp>

#include <cstddef>

namespace logstore::app {

inline void tune_scheduler(caf::actor_system_config& cfg) {
  cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
}

} // namespace logstore::app
