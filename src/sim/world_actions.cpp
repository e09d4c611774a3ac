// logstore — applying faults to the simulated world.
#include "sim/world_actions.hpp"

#include "scenario/fault_kinds.hpp"
#include "sim/fault_effects.hpp"
#include "sim/world_impl.hpp"

#include <algorithm>
#include <limits>

namespace logstore::sim {

action_queue::action_queue(world& w, const scenario& s, prng&)
  : w_(w), faults_(s.faults) {
  uint64_t order = 0;
  for (size_t i = 0; i < faults_.size(); ++i) {
    actions_.push_back({faults_[i].at, order++, i, false});
    if (faults_[i].duration > 0)
      actions_.push_back({faults_[i].at + faults_[i].duration, order++, i,
                          true});
  }
  actions_.push_back({s.duration, order++, SIZE_MAX, false});
  std::sort(actions_.begin(), actions_.end(),
            [](const action& x, const action& y) {
              return x.at != y.at ? x.at < y.at : x.order < y.order;
            });
}

time_us action_queue::next_time() const {
  return next_ < actions_.size() ? actions_[next_].at
                                 : std::numeric_limits<time_us>::max();
}

void action_queue::apply_next() {
  auto& a = actions_[next_++];
  if (a.fault == SIZE_MAX)
    final_heal();
  else if (a.undo)
    undo(faults_[a.fault]);
  else
    apply(faults_[a.fault]);
}

void action_queue::apply(const fault& f) {
  w_.note(w_.now(), describe_fault(f));
  effect_of(f.action).apply(w_, f);
}

void action_queue::undo(const fault& f) {
  if (auto* undo = effect_of(f.action).undo)
    undo(w_, f);
}

void action_queue::final_heal() {
  auto& net = w_.net();
  w_.note(w_.now(), "end of workload: heal every partition, link fault, "
                    "slowness and pause (crashed nodes stay down unless "
                    "the timeline restarts them)");
  net.heal_all();
  for (node_index n = 0; n < net.node_count(); ++n)
    net.resume(n);
}

} // namespace logstore::sim
