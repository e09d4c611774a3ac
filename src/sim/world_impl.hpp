// logstore — the simulated world's class (internal to src/sim).
// Layer: sim. See world.hpp for the loop; world_actions.cpp applies faults.
#pragma once

#include "actors/node_context.hpp"
#include "core/base/event_log.hpp"
#include "core/history/history.hpp"
#include "core/base/prng.hpp"
#include "core/storage/sim_disk.hpp"
#include "sim/network.hpp"
#include "sim/oracle.hpp"
#include "scenario/scenario.hpp"
#include "sim/world.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace logstore::sim {

/// Collects node events stamped with virtual time, and shows the master's
/// "dead" verdicts (structured, fx::verdict) to the oracle.
class event_collector final : public event_sink {
public:
  /// (master, subject, time)
  using verdict_fn = std::function<void(const std::string& master,
                                        const std::string& node, time_us)>;
  using epoch_fn
    = std::function<void(time_us, const std::string& node, std::string_view,
                         uint64_t epoch)>;

  event_collector(bool keep, verdict_fn on_dead, epoch_fn on_epoch)
    : keep_(keep), on_dead_(std::move(on_dead)),
      on_epoch_(std::move(on_epoch)) {
  }
  void emit(time_us now, log_level level, const std::string& node,
            std::string_view event, std::string text) override {
    if (keep_)
      events.push_back({now, std::string{to_string(level)}, node,
                        std::string{event}, std::move(text)});
  }
  void on_verdict(time_us now, const std::string& master,
                  const std::string& subject,
                  std::string_view state) override {
    if (state == "dead")
      on_dead_(master, subject, now);
  }
  void on_epoch(time_us now, const std::string& node, std::string_view what,
                uint64_t epoch) override {
    on_epoch_(now, node, what, epoch);
  }
  std::vector<node_event> events;

private:
  bool keep_;
  verdict_fn on_dead_;
  epoch_fn on_epoch_;
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
  /// Node n's disk is replaced by an empty one: it comes back as a new
  /// incarnation with nothing (a disk-lost fault).
  void lose_disk(node_index n);
  void note(time_us at, std::string text);
  /// Asks the master (through the oracle's probe) to drain a node.
  void drain(const std::string& node);
  /// A fault ("crash", "pause", "partition") hit master `name`.
  void master_fault(const std::string& name, std::string fault);
  /// The simulated disk of a storage node (null in memory mode).
  sim_disk* disk_of(const std::string& node);
  /// The node's own clock (the `clock` fault); it survives restarts.
  local_clock& clock_of(const std::string& node);
  time_us now() const;

private:
  void run_ready();
  void start_oracle();
  bool oracle_wanted() const;
  void on_declared_dead(const std::string& master, const std::string& node,
                        time_us at);
  void on_epoch(time_us at, const std::string& node, std::string_view what,
                uint64_t epoch);
  void on_reports(std::vector<block_report> reports);
  std::map<batch_id, timestamp_us> acked_batches() const;
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
  std::vector<uint32_t> disk_generations_; ///< disks lost, per node
  /// One simulated disk per storage node; it survives the node's crashes.
  std::vector<std::unique_ptr<sim_disk>> disks_;
  /// One clock per node (clients keep the true time: they record history).
  std::vector<std::unique_ptr<local_clock>> clocks_;
  history hist_;
  event_collector events_;
  std::vector<timeline_entry> timeline_;
  oracle oracle_;
  node_index oracle_node_ = 0;
  caf::actor probe_;
  bool restored_ = false;
  bool round_pending_ = false;
  uint64_t steps_ = 0;
  size_t scanned_ = 0;
  uint32_t final_failures_ = 0;
  bool final_ok_ = false;
};


} // namespace logstore::sim
