// logstore — the master's plan for one read: which replica serves which batch.
// Layer: core. Pure state machine driven by the master actor:
//
//   start() --> groups to fetch (node -> batch ids)
//      |                                   ^
//      v                                   | (another replica, if any)
//   on_slices(node, slices, not_found) / on_failure(node) --+
//      |
//   done() --> finish(): merged entries + complete flag + missing ranges
//
// Invariants:
//  1. each batch is outstanding at no more than one node at a time.
//  2. a batch is tried at each of its replicas at most once.
//  3. a batch ends exactly once: received, or missing (no replica left).
#pragma once

#include "core/batch_index.hpp"
#include "core/messages.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

namespace logstore {

class read_plan {
public:
  using groups = std::map<node_number, std::vector<batch_id>>;
  using live_fn = std::function<bool(node_number)>;

  struct batch_ref {
    batch_id id = 0;
    timestamp_us min_ts = 0;
    timestamp_us max_ts = 0;
    replica_list replicas;
  };

  /// `batches` overlap `window`. `is_live` says which nodes may be asked.
  read_plan(time_range window, std::vector<batch_ref> batches,
            live_fn is_live);

  /// First assignment: every batch to one live replica, spreading batches
  /// over replicas so that no node gets all of them when others could serve.
  /// Batches with no live replica become missing at once.
  groups start();

  /// A node answered. Slices are recorded; `not_found` batches are retried
  /// elsewhere. Returns further fetches to send.
  groups on_result(node_number node, std::vector<batch_slice> slices,
                   const std::vector<batch_id>& not_found);

  /// A node failed or timed out: its outstanding batches go to another
  /// replica. Returns further fetches to send.
  groups on_failure(node_number node);

  /// True when no batch is outstanding.
  bool done() const;

  /// REQUIRES: done(). Merged entries, and missing ranges if incomplete.
  read_result finish();

  time_range window() const {
    return window_;
  }

private:
  groups reassign(const std::vector<batch_id>& ids);

  struct batch_state {
    batch_ref ref;
    std::vector<node_number> tried;
    node_number outstanding_at = 0;
    bool outstanding = false;
    bool received = false;
    bool missing = false;
  };
  time_range window_;
  live_fn is_live_;
  std::unordered_map<batch_id, batch_state> batches_;
  std::vector<batch_id> order_;
  std::vector<std::vector<stored_entry>> received_;
  std::map<node_number, uint32_t> load_; ///< batches assigned per node
};

} // namespace logstore
