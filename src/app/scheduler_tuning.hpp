// logstore — CAF scheduler settings for the real-cluster processes (servers
// and client commands). Layer: app.
//
// CAF 0.17's work-stealing workers, after running out of jobs, spin 100
// times, then poll 500 times with a 50 us sleep in between (~25-50 ms of
// wake-ups every 50-100 us), and only then block on a condition variable
// that an enqueue signals. A cluster node that handles a message every few
// milliseconds therefore never blocks: each of its workers wakes up ~10,000
// times a second, and a job queued during a sleep waits for the poll. On a
// 2-core machine running a master, three storage nodes and a client that
// cost more CPU than the work itself (measured: ~170 context switches per
// K=1 append). Dropping the polling phase makes an idle worker block at once
// after its short spin; enqueues from the network thread wake it directly.
#pragma once

#include <caf/actor_system_config.hpp>

#include <cstdlib>
#include <string>

namespace logstore::app {

inline void tune_scheduler(caf::actor_system_config& cfg) {
  size_t moderate = 0;
  size_t aggressive = 100;
  if (const char* env = std::getenv("LOGSTORE_SCHED_EXPERIMENT")) {
    // "MODERATE,AGGRESSIVE" poll attempts (temporary benchmark hook)
    std::string s = env;
    auto comma = s.find(',');
    moderate = std::stoul(s.substr(0, comma));
    if (comma != std::string::npos)
      aggressive = std::stoul(s.substr(comma + 1));
  }
  cfg.set("work-stealing.moderate-poll-attempts", moderate);
  cfg.set("work-stealing.aggressive-poll-attempts", aggressive);
}

} // namespace logstore::app
