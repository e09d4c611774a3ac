// logstore — the timeline check of a scenario's [[fault]] list: every crash
// or pause finds its node running, every restart a crashed node, every resume
// a paused one, automatic undos (fault.duration) included.
// Layer: sim (scenario library, no CAF).
#include "scenario/fault_kinds.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_reader.hpp"

#include <algorithm>
#include <map>

namespace logstore::sim {

namespace {

using detail::located_fault;

using node_state = timeline_state;

struct timeline_event {
  time_us at = 0;
  bool undo = false; ///< the automatic end of a fault with a duration
  size_t index = 0;  ///< into the fault list
  fault_action action = fault_action::crash;
};

/// The state `action` needs, and the one it leaves (fault_kinds.cpp).
std::pair<node_state, node_state> transition(fault_action action) {
  auto& k = kind_of(action);
  return {k.needs, k.leaves};
}

std::string_view state_name(node_state x) {
  switch (x) {
    case node_state::up: return "running";
    case node_state::crashed: return "crashed";
    case node_state::paused: return "paused";
  }
  return "unknown";
}

std::vector<timeline_event> node_events(const std::vector<located_fault>& fs) {
  std::vector<timeline_event> result;
  for (size_t i = 0; i < fs.size(); ++i) {
    auto& f = fs[i].value;
    auto a = f.action;
    if (!kind_of(a).changes_state)
      continue;
    result.push_back({f.at, false, i, a});
    if (f.duration > 0
        && (a == fault_action::crash || a == fault_action::disk_lost))
      result.push_back({f.at + f.duration, true, i, fault_action::restart});
    if (f.duration > 0 && a == fault_action::pause)
      result.push_back({f.at + f.duration, true, i, fault_action::resume});
  }
  // At one instant, automatic undos go first: a node restarted at 10s may
  // be crashed again at 10s.
  std::stable_sort(result.begin(), result.end(), [](auto& x, auto& y) {
    return std::make_pair(x.at, !x.undo) < std::make_pair(y.at, !y.undo);
  });
  return result;
}

} // namespace

void detail::check_timeline(parse_context& ctx,
                             const std::vector<located_fault>& fs,
                             const scenario& s) {
  std::map<std::string, node_state> states;
  for (auto& name : s.node_names())
    if (s.is_spare(name))
      states[name] = node_state::crashed; // not started until "join"

  for (auto& event : node_events(fs)) {
    auto& f = fs[event.index];
    auto [needs, leaves] = transition(event.action);
    auto& state = states[f.value.target]; // absent = up
    if (state == needs) {
      state = leaves;
      continue;
    }
    auto what = f.value.target + " is " + std::string{state_name(state)}
                + " at \"" + format_duration(event.at) + "\", so it cannot "
                + std::string{to_string(event.action)};
    if (event.undo)
      ctx.fail(f.duration, "fault.duration",
               what + " when this duration ends; shorten the duration or "
                      "remove the other fault on " + f.value.target);
    else
      ctx.fail(f.target, "fault.target",
               what + "; move or remove this fault, or the one before it");
    return;
  }
}

} // namespace logstore::sim
