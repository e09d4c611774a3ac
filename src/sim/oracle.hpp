// logstore — the simulator's white-box oracle: what the world can see that
// no client can. It watches the master's failure detector against the truth
// (which nodes really crashed), samples the under-replicated count over time,
// and after the final heal compares what every storage node holds
// (replicas-converge, replication-restored).
// Layer: sim. No CAF: the probe actor (probe_actor.cpp) feeds it.
#pragma once

#include "core/base/messages.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace logstore::sim {

struct detection {
  std::string node;
  time_us crashed_at = 0;
  time_us declared_dead_at = -1; ///< -1: never declared dead
  time_us restarted_at = -1;     ///< -1: stayed down to the end
};

/// A stretch of samples in which the master counted under-replicated
/// batches: from the first sample above 0 to the first back at 0.
struct repair_episode {
  time_us start = 0;
  time_us end = -1;      ///< -1: still open at the end of the run
  uint64_t peak = 0;     ///< most under-replicated batches sampled
  uint64_t copies = 0;   ///< repair copies made during it
  uint64_t moves = 0;    ///< rebalance moves finished during it
};

struct false_verdict {
  std::string node;
  time_us at = 0;
};

/// The active master failed (crashed, paused, or cut off by a partition):
/// how long until appends succeeded again (failover-bounded).
struct failover_episode {
  std::string master; ///< the active master that failed
  std::string fault;  ///< "crash", "pause" or "partition"
  uint64_t epoch = 0; ///< its epoch
  time_us at = 0;
  time_us promoted_at = -1; ///< when another master became active
  std::string new_active;
  uint64_t new_epoch = 0;
  /// First acknowledgement of an append invoked after `at`.
  time_us recovered_at = -1;
};

struct oracle_report {
  std::vector<detection> detections;
  std::vector<false_verdict> false_dead;
  /// (time, under-replicated batches per the master) whenever it changed.
  std::vector<std::pair<time_us, uint64_t>> under_replicated;
  std::vector<repair_episode> episodes;
  status_reply last_status;    ///< the master's, as last sampled
  time_us last_status_at = -1; ///< -1: never answered
  bool checked = false;        ///< block reports were evaluated at all
  bool converged = true;       ///< replicas-converge
  bool restored = false;       ///< replication-restored (within deadline)
  time_us recovery_time = -1;  ///< from the final heal to restored
  time_us final_heal_at = 0;
  /// Repair copies and rebalance moves over the whole run, summed over
  /// the masters' incarnations (a master's status counts since its start).
  uint64_t repairs_done = 0;
  uint64_t moves_done = 0;
  std::vector<std::string> converge_examples;
  std::vector<std::string> restore_examples; ///< why not restored (last check)
  /// single-active-master: what broke it, in plain words (at most 5).
  std::vector<std::string> epoch_violations;
  uint64_t epoch_violation_count = 0;
  uint64_t promotions = 0; ///< masters that became active
  std::vector<failover_episode> failovers;
};

class oracle {
public:
  oracle(uint32_t replication_factor, time_us detect_bound)
    : rf_(replication_factor), detect_bound_(detect_bound) {
  }

  void on_crash(const std::string& node, time_us at);
  /// A node (re)started; ends the crash of that node, if any.
  void on_start(const std::string& node, time_us at);
  /// The master declared `node` dead; `really_down` says whether the truth
  /// agrees (crashed, paused or cut off from the master).
  void on_declared_dead(const std::string& node, time_us at,
                        bool really_down);
  void on_status(time_us at, const status_reply& st);

  /// Evaluates one round of block reports. `acked` are the batches clients
  /// saw acknowledged, with their newest entry's timestamp (batches below
  /// the master's retention watermark are exempt). Returns true when
  /// replication is restored.
  bool on_reports(time_us at, const std::vector<block_report>& reports,
                  const std::map<batch_id, timestamp_us>& acked);

  void set_final_heal(time_us at) {
    report_.final_heal_at = at;
  }

  // -- epochs (single-active-master, failover-bounded); epoch_oracle.cpp --
  void on_role(time_us at, const std::string& master, std::string_view role,
               uint64_t epoch);
  void on_acked(time_us at, const std::string& master, uint64_t epoch);
  void on_promised(const std::string& node, uint64_t epoch);
  void on_accepted(time_us at, const std::string& node, uint64_t epoch);
  /// A storage node without a disk restarted: its promises are gone (it is
  /// a new incarnation, which no promotion counts).
  void forget_promises(const std::string& node);
  /// A fault hit master `master`; opens an episode if it was the active one.
  void on_master_fault(time_us at, const std::string& master,
                       std::string fault);
  /// Closes episodes: `acked` holds (invoked, acknowledged) per
  /// acknowledged append; an episode ends at the first acknowledgement of
  /// an append invoked after the fault.
  void close_failovers(const std::vector<std::pair<time_us, time_us>>& acked);

  const oracle_report& report() const {
    return report_;
  }

  time_us detect_bound() const {
    return detect_bound_;
  }

private:
  uint32_t rf_;
  time_us detect_bound_;
  uint64_t last_under_ = UINT64_MAX;
  /// The counters of the last status seen (a lower one: another master, or
  /// this one restarted, counting from 0 again).
  uint64_t seen_repairs_ = 0;
  uint64_t seen_moves_ = 0;
  oracle_report report_;
  std::map<uint64_t, std::string> active_at_; ///< epoch -> its active master
  std::string active_;                        ///< the newest active master
  uint64_t active_epoch_ = 0;
  bool serving_ = false; ///< the active master has acknowledged a write
  std::map<std::string, uint64_t> promised_;  ///< storage node -> epoch
  void violation(std::string text);
};

/// A drained node whose drain did not complete, with why, from the
/// master's last status ("storage-3: 12 batches left"); empty when every
/// node in `drained` ended with no batch and safe to remove.
std::vector<std::string> unfinished_drains(
  const oracle_report& o, const std::vector<std::string>& drained);

/// The largest |batches - mean| / mean over up, non-draining members in the
/// master's last status; 0 with fewer than 2 such members.
double imbalance(const oracle_report& o);

/// Detections slower than `limit`: a verdict later than that, or none while
/// the node stayed down longer (run end `end`). "storage-2: 4.0s".
std::vector<std::string> slow_detections(const oracle_report& o,
                                         time_us limit, time_us end);

/// Failover episodes slower than `limit` (or never recovered), among those
/// that began at least `limit` before `end` (the workload's end):
/// "master (crash at 5.2 s): appends again at 9.9 s (4.7 s)".
std::vector<std::string> slow_failovers(const oracle_report& o,
                                        time_us limit, time_us end);

} // namespace logstore::sim
