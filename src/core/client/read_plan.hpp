// logstore — a client's plan for one read: which replica serves which batch.
// Layer: core/client. Pure state machine driven by read_session.hpp, from the
// batches and replicas of the master's read_plan_reply:
//
//   start() --> fetches (id, node, batch ids)
//      |                                   ^
//      v                                   | (another replica, if any)
//   on_result(fetch, slices, not_found) / on_failure(fetch) --+
//      |
//   done() --> finish(): merged entries + complete flag + missing ranges
//
// Each returned `fetch` is one fetch_req, and every fetch_req sent is
// answered by exactly one on_result or on_failure naming its id. A node may
// have several fetches in flight (the first assignment and fallbacks for
// other nodes' batches); each is judged on its own: one that times out
// does not void the others to the same node, which may still answer.
//
// Invariants:
//  1. each batch is outstanding at no more than one node at a time.
//  2. a batch is tried at each of its replicas at most once, plus at most
//     retry_rounds_max further rounds over replicas whose fetch failed.
//  3. a batch ends exactly once: received, or missing (no replica left).
//  4. outstanding_ counts the batches with outstanding == true.
//  5. a node that failed during this read is given none of its batches again.
#pragma once

#include "core/base/replica_list.hpp"
#include "core/base/messages.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

namespace logstore {

class read_plan {
public:
  /// Batches one node is given at most in the first assignment (a large
  /// read still fetches from several nodes in parallel), and the most a
  /// prefetch asks for.
  static constexpr uint32_t fetch_batches_max = 64;
  /// One fetch_req to send: its id names it in on_result / on_failure.
  struct fetch {
    uint64_t id = 0;
    node_number node = 0;
    std::vector<batch_id> batches;
  };
  /// Fetches to send, ascending by node.
  using groups = std::vector<fetch>;
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

  /// First assignment: every batch to one live replica, in as few fetches
  /// as possible (the node holding most of the batches left takes up to
  /// fetch_batches_max of them; ties by the window's start, so that reads
  /// of different ranges spread over the replicas). Batches with no live replica become missing at once, so the plan may
  /// be done() right after start().
  groups start();
  /// As start(), after node `node` answered a prefetch (fetch_req's
  /// scan_max) before the plan's fetches went out: the planned batches
  /// among `slices` that the plan lists on `node` are received (checked as
  /// in on_result; a malformed one is asked elsewhere), the rest are
  /// assigned as by start(). Slices of batches the plan does not hold are
  /// ignored: copies no index lists are not this read's.
  groups start(node_number node, std::vector<batch_slice> slices);

  /// As start(), after a prefetch to `node` failed or timed out: as if a
  /// fetch of every batch the plan lists there had failed (on_failure):
  /// the node gets none of them, except in a retry round of a batch with
  /// no other replica left.
  groups start_without(node_number node);

  /// The node given most batches by the first assignment (prefetch
  /// included): where the next read's prefetch may go. False: none.
  bool preferred(node_number& result) const;

  /// Fetch `id` was answered. Slices are recorded; `not_found` batches, and
  /// batches of the fetch the answer neither sliced nor listed, are retried
  /// elsewhere. Returns further fetches to send. Slices for batches not
  /// outstanding in this fetch (duplicated) are ignored, and so is an
  /// unknown or already answered id. A slice that is not sorted, or reaches
  /// outside the window or its batch's time range (network input, never
  /// asserted), counts as not found there.
  groups on_result(uint64_t id, std::vector<batch_slice> slices,
                   const std::vector<batch_id>& not_found);

  /// Fetch `id` failed or timed out: its batches go to another replica,
  /// and its node gets no new batches in this read (only retry rounds).
  /// Other fetches to the same node stay in flight. Returns further
  /// fetches to send.
  groups on_failure(uint64_t id);

  /// The node fetch `id` went to (0 when unknown).
  node_number node_of(uint64_t id) const;
  /// Fetch `id` was sent and is not answered yet.
  bool awaiting(uint64_t id) const {
    return fetches_.count(id) > 0;
  }

  /// True when no batch is outstanding.
  bool done() const;

  /// REQUIRES: done(). Merged entries, and missing ranges if incomplete.
  read_result finish();

  time_range window() const {
    return window_;
  }

  /// Slices rejected as malformed so far.
  uint64_t malformed() const {
    return malformed_;
  }

private:
  struct batch_state;

  /// Batch ids per node, before they become numbered fetches.
  using assignment = std::map<node_number, std::vector<batch_id>>;

  assignment reassign(const std::vector<batch_id>& ids);

  /// The first assignment of every batch not received yet (greedy cover).
  groups assign_first();

  /// Sends `st` to `node`, one of its live replicas not tried yet.
  void take(batch_state& st, node_number node, assignment& out);

  /// Sends `st` to its next replica (added to `out`) or marks it missing.
  void assign(batch_state& st, assignment& out);

  /// The live, untried, unfailed replica of `st` with the least load_ (ties:
  /// lowest node number), or false when none is left.
  bool next_replica(const batch_state& st, node_number& result) const;
  /// The live node of `nodes` not skipped with the least load_ (ties: the
  /// lowest number).
  template <class Nodes, class Skip>
  bool least_loaded(const Nodes& nodes, Skip skip, node_number& result) const;

  /// When every replica was tried: a replica that failed (not one that
  /// said not_found) may be asked again, at most retry_rounds_max times.
  bool retry_replica(batch_state& st, node_number& result) const;

  /// Takes `st` off its node; it must be outstanding.
  void release(batch_state& st);

  /// Numbers the assignment's fetches and remembers them as in flight.
  groups track(assignment a);

  /// True when `id` is a batch outstanding in fetch `f`.
  bool outstanding_in(batch_id id, uint64_t f) const;

  struct batch_state {
    batch_ref ref;
    std::vector<node_number> tried;
    /// Replicas whose fetch failed (timeout, unreachable) for this batch:
    /// a lost message is not a lost copy, so they get another round.
    std::vector<node_number> failed_for;
    uint32_t retry_rounds = 0;
    node_number outstanding_at = 0;
    uint64_t fetch = 0; ///< the fetch it is outstanding in
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
  /// Batches the first assignment gave each node, prefetch included.
  std::map<node_number, uint32_t> served_;
  struct in_flight {
    node_number node = 0;
    std::vector<batch_id> batches;
  };
  std::map<uint64_t, in_flight> fetches_; ///< sent, not yet answered
  uint64_t next_fetch_ = 1;
  std::vector<node_number> failed_; ///< nodes on_failure named, this read
  /// Extra rounds over failed replicas before a batch counts as missing.
  static constexpr uint32_t retry_rounds_max = 2;
  size_t outstanding_ = 0;
  uint64_t malformed_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

} // namespace logstore
