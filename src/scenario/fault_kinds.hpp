// logstore — one description per fault action: what a [[fault]] of each
// kind is called, which keys it takes, how it is read and checked, which
// node state it needs and leaves, how the random swarm draws it, and how it
// is described in plain words. The table is fault_kinds.cpp; adding a fault
// kind is one entry there (and one in src/sim/fault_effects.cpp, which
// applies and undoes it in the simulated world).
// Layer: sim (scenario library, no CAF). docs/scenarios.md has the table for
// users.
#pragma once

#include "core/base/prng.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace logstore::sim {

/// A node's state on the scripted timeline (scenario_timeline.cpp).
enum class timeline_state : uint8_t { up, crashed, paused };

namespace detail {

/// [start, end) during which one node is crashed or paused.
struct down_interval {
  std::string node;
  time_us start = 0;
  time_us end = 0;
};

/// What reading one [[fault]] table works on (scenario_faults.cpp).
struct fault_reading {
  table_reader& r;
  const scenario& s;
  const std::vector<std::string>& nodes;
  located_fault& f;
};

/// What drawing one fault for the swarm works on (scenario_random.cpp).
struct fault_drawing {
  const scenario& s;
  std::vector<down_interval>& downs;
  size_t max_down;
  prng& rng;
  fault& f;
};

// The readers the table's entries share (scenario_faults.cpp).
void read_target(fault_reading& x);
void read_between(fault_reading& x);
void read_groups(fault_reading& x);

// The drawing helpers the table's entries share (scenario_random.cpp).
std::string storage_name(uint64_t index);
time_us draw_time(prng& rng, time_us lo, time_us hi);
double draw_probability(prng& rng, double max);
bool pick_down_target(fault_drawing& x);

/// Faults in s.faults that destroy stored copies until the cluster makes
/// them again, and overlap [from, to): a lost disk (until its restart plus
/// the repair window), a damaged one (disk-corrupt, disk-misdirect: until
/// the background scrub can have found it, scrub_window). Damage counts
/// once per node: two damaged disks can hold the two copies of one batch
/// (a quarantined segment holds hundreds), so with a lost third disk that
/// batch has none (random-masters seed 70 before this rule).
struct copy_losses {
  uint32_t disks_lost = 0;
  uint32_t damaged_nodes = 0; ///< distinct nodes with damage in the window
  /// Copies gone at once, at worst, if one more node loses its copies.
  uint32_t with_one_more() const {
    return disks_lost + damaged_nodes + 1;
  }
};
copy_losses copy_losses_between(const scenario& s, time_us from, time_us to);

/// A storage node's scrub reads every copy once in this time (64 batches
/// every 10 heartbeats, src/actors/storage_actor.cpp, at the swarms' sizes).
constexpr time_us scrub_window = 30'000'000;
constexpr time_us repair_window = 5'000'000;
void pick_partition(fault_drawing& x);
void pick_links(fault_drawing& x);

} // namespace detail

struct fault_kind {
  fault_action action;
  /// As written in scenario files: "crash", "disk-full", ...
  std::string_view name;
  /// The keys it takes besides `at` and `action`, in the order
  /// faults_to_toml writes them.
  std::vector<std::string_view> keys;
  /// A node-state action (crash, restart, pause, resume, join): the state
  /// its target must be in, and the one it leaves. For the others both are
  /// `up` and `changes_state` is false.
  bool changes_state = false;
  timeline_state needs = timeline_state::up;
  timeline_state leaves = timeline_state::up;
  /// Reads and checks the target/between/groups and the values.
  void (*read)(detail::fault_reading&) = nullptr;
  /// Draws what the action needs for the swarm; false when it cannot be
  /// drawn now. Null: never drawn (implied by durations, or scripted only).
  bool (*draw)(detail::fault_drawing&) = nullptr;
  /// Appends the values in plain words (" 200ms", " 20%", ...) after the
  /// action, target and groups (see describe_fault).
  void (*describe)(const fault&, std::string& out) = nullptr;
};

/// A clock fault's step and drift as scenario files write them: "+2s",
/// "-500ms"; "+50%", "-0.5%".
std::string clock_step_text(time_us step);
std::string clock_drift_text(int64_t ppm);

/// Every fault kind, in the order of fault_action.
const std::vector<fault_kind>& fault_kinds();

/// The kind of `x`.
const fault_kind& kind_of(fault_action x);

/// A fault in plain words: "partition [master,storage-1] | [storage-2] for
/// 3000ms".
std::string describe_fault(const fault& f);

} // namespace logstore::sim
