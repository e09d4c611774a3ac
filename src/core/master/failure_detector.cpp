// logstore — heartbeat-based failure detector (master side).
// Layer: core (std only; `now` is always passed in, never read from a clock).
// A node's state is derived from its silence alone; tick() reports edges so
// the master logs and reacts to each transition once.
#include "core/master/failure_detector.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cstddef>

namespace logstore {

namespace {

constexpr time_us never = -1;

} // namespace

std::string_view to_string(node_state x) {
  switch (x) {
    case node_state::up: return "up";
    case node_state::suspect: return "suspect";
    case node_state::dead: return "dead";
  }
  return "unknown";
}

failure_detector::failure_detector(time_us interval,
                                   uint32_t suspect_after_misses,
                                   uint32_t dead_after_misses)
  : suspect_after_(interval * suspect_after_misses),
    dead_after_(interval * dead_after_misses) {
  LOGSTORE_ASSERT(interval > 0);
  LOGSTORE_ASSERT(suspect_after_misses >= 1);
  LOGSTORE_ASSERT(suspect_after_misses < dead_after_misses);
}

void failure_detector::heard_from(node_number node, time_us now) {
  LOGSTORE_ASSERT(now >= 0);
  if (node >= last_heard_.size()) {
    // A new node starts out reported dead, so its first heartbeat is an
    // up-edge on the next tick.
    last_heard_.resize(size_t{node} + 1, never);
    reported_.resize(size_t{node} + 1, node_state::dead);
  }
  LOGSTORE_ASSERT_MSG(now >= last_heard_[node], "time never runs backwards");
  last_heard_[node] = now;
  LOGSTORE_ASSERT(last_heard_.size() == reported_.size());
}

node_state failure_detector::state(node_number node, time_us now) const {
  if (node >= last_heard_.size() || last_heard_[node] == never)
    return node_state::dead;
  auto silence = now - last_heard_[node];
  LOGSTORE_ASSERT_MSG(silence >= 0, "time never runs backwards");
  if (silence >= dead_after_)
    return node_state::dead;
  if (silence >= suspect_after_)
    return node_state::suspect;
  return node_state::up;
}

void failure_detector::forgive(time_us gap, time_us now) {
  LOGSTORE_ASSERT(gap >= 0);
  for (auto& t : last_heard_)
    if (t != never)
      t = std::min(t + gap, std::max(t, now));
}

std::vector<std::pair<node_number, node_state>>
failure_detector::tick(time_us now) {
  LOGSTORE_ASSERT(last_heard_.size() == reported_.size());
  std::vector<std::pair<node_number, node_state>> changes;
  // Bound: at most one entry per node number (node_number is 16 bits).
  for (size_t i = 0; i < reported_.size(); ++i) {
    auto node = static_cast<node_number>(i);
    auto now_state = state(node, now);
    if (now_state != reported_[i]) {
      reported_[i] = now_state;
      changes.emplace_back(node, now_state);
    }
  }
  LOGSTORE_ASSERT(changes.size() <= reported_.size());
  return changes;
}

} // namespace logstore
