// logstore — the simulated world's class (internal to src/sim).
// Layer: sim. See world.hpp for the loop; world_actions.cpp applies faults.
#pragma once

#include "actors/node_context.hpp"
#include "core/event_log.hpp"
#include "core/history.hpp"
#include "core/prng.hpp"
#include "sim/network.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <string>
#include <vector>

namespace logstore::sim {

/// Collects node events stamped with virtual time.
class event_collector final : public event_sink {
public:
  explicit event_collector(bool keep) : keep_(keep) {
  }
  void emit(time_us now, log_level level, const std::string& node,
            std::string_view event, std::string text) override {
    if (keep_)
      events.push_back({now, std::string{to_string(level)}, node,
                        std::string{event}, std::move(text)});
  }
  std::vector<node_event> events;

private:
  bool keep_;
};

class world {
public:
  world(const scenario& s, const run_options& opts);

  ~world() {
    shutdown();
  }

  run_result run();

  // --- used by world_actions.cpp ----------------------------------------------
  network& net() {
    return *net_;
  }
  const scenario& spec() const {
    return s_;
  }
  void spawn_node(node_index n);
  void kill_node(node_index n);
  void note(time_us at, std::string text);
  time_us now() const;

private:
  void run_ready();
  bool final_read_done();
  void set_now(time_us t);
  void shutdown();
  node_context context_for(node_index n);

  const scenario& s_;
  run_options opts_;
  prng rng_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::vector<std::string> names_;
  std::unique_ptr<network> net_;
  caf::actor directory_;
  std::vector<caf::actor> mains_;
  std::vector<uint32_t> incarnations_;
  history hist_;
  event_collector events_;
  std::vector<timeline_entry> timeline_;
  uint64_t steps_ = 0;
  size_t scanned_ = 0;
  uint32_t final_failures_ = 0;
  bool final_ok_ = false;
};


} // namespace logstore::sim
