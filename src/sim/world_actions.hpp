// logstore — the fault timeline as a queue of world actions: every fault,
// its automatic undo (when it has a duration), and the final heal.
// Layer: sim.
#pragma once

#include "core/base/prng.hpp"
#include "scenario/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore::sim {

class world;

class action_queue {
public:
  action_queue(world& w, const scenario& s, prng& rng);

  /// Virtual time of the next action, or max() if none.
  time_us next_time() const;

  /// Applies the next action. REQUIRES: next_time() != max().
  void apply_next();

  /// The concrete faults of this run.
  const std::vector<fault>& schedule() const {
    return faults_;
  }

private:
  struct action {
    time_us at;
    uint64_t order;
    size_t fault; ///< index into faults_, or SIZE_MAX for the final heal
    bool undo;
  };
  void apply(const fault& f);
  void undo(const fault& f);
  void final_heal();

  world& w_;
  std::vector<fault> faults_;
  std::vector<action> actions_; ///< sorted by (at, order)
  size_t next_ = 0;
};

} // namespace logstore::sim
