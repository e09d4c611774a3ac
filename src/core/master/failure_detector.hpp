// logstore — heartbeat-based failure detector (master side).
// Layer: core. Pure: the caller reports heartbeats and asks with `now`.
//
//        heartbeat                  silence >= suspect_after
//   +--> [up] ---------------------------------> [suspect]
//   |      ^                                        |
//   |      +------------- heartbeat ----------------+
//   |                                               | silence >= dead_after
//   +---------------- heartbeat -------------- [dead] <--+
//
// Invariants:
//  1. state is a function of (now - last heartbeat) only.
//  2. a node never heard from is dead.
#pragma once

#include "core/base/replica_list.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace logstore {

enum class node_state : uint8_t { up, suspect, dead };

std::string_view to_string(node_state x);

class failure_detector {
public:
  failure_detector(time_us interval, uint32_t suspect_after_misses,
                   uint32_t dead_after_misses);

  /// Records a sign of life (join, heartbeat).
  void heard_from(node_number node, time_us now);

  node_state state(node_number node, time_us now) const;

  /// When `node` was last heard from; -1 = never.
  time_us last_heard(node_number node) const {
    return node < last_heard_.size() ? last_heard_[node] : -1;
  }

  /// The caller did not run for `gap` (it was paused, or its clock jumped
  /// forward): every silence shrinks by `gap`, never past `now`.
  void forgive(time_us gap, time_us now);

  /// Nodes whose state changed since the previous call, with the new state.
  std::vector<std::pair<node_number, node_state>> tick(time_us now);

private:
  time_us suspect_after_;
  time_us dead_after_;
  std::vector<time_us> last_heard_; ///< -1 = never
  std::vector<node_state> reported_;
};

} // namespace logstore
