// logstore — what each fault kind does to the simulated world, and how
// its automatic end (fault.duration) undoes it: one entry per kind, next
// to the scenario language's entry in src/scenario/fault_kinds.cpp.
// Layer: sim.
#pragma once

#include "scenario/scenario.hpp"

namespace logstore::sim {

class world;

struct fault_effect {
  fault_action action;
  /// Applies the fault at its `at`.
  void (*apply)(world& w, const fault& f);
  /// Undoes it when its duration ends; null: nothing to undo (an instant,
  /// or an action that is itself an end).
  void (*undo)(world& w, const fault& f);
};

/// The effect of `x` (in the order of fault_action).
const fault_effect& effect_of(fault_action x);

} // namespace logstore::sim
