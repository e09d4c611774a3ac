// logstore — a client's direct writes: placements from the master, each
// batch stored by the client itself at its placement's replicas, commits
// sent to the master in the background (docs/protocol.md, "Direct writes").
// Layer: core/client. Pure state machine (no CAF, no clock): the simulator's
// client (src/actors/client_actor.cpp) and `logstore append`
// (src/app/append_driver.cpp) carry out its outputs and feed it the answers.
//
//   begin(op) --> an id of the current placement (or placement_req first)
//      |          --> store_req to every replica of the placement
//      v
//   on_store: write_quorum confirmed ---------------------> attempt ends ok
//             a replica failed: the placement takes no new ids; below the
//             quorum --> the batch again under a new id in a new placement
//             (avoiding the failed nodes), at most replacements_max times,
//             then the attempt ends with the error (never definite once a
//             copy may exist)
//   finish(op) once the append is over (ok, or no retry left): when its
//      stores are all answered, its ids go to the commit queue: the last
//      one confirmed anywhere is committed, the others are abandoned
//      (replaced_by it: the master deletes their copies)
//   one commit_req in flight at a time, up to commit_batches_max batches;
//   a placement whose every taken id is committed and that takes no new
//   ones is closed with the commit that finishes it.
//
// Invariants:
//  1. an attempt ends exactly once (ok, or an error), and an op is
//     committed only after finish() and after every store of it answered.
//  2. an id is taken from a placement once and committed (or abandoned)
//     once; open_ids counts the taken ids not yet commit-acked.
//  3. at most one placement_req and one commit_req are in flight.
#pragma once

#include "core/base/errors.hpp"
#include "core/base/messages.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace logstore {

class direct_writer {
public:
  /// New placements one attempt may ask for after the first one failed.
  static constexpr uint32_t replacements_max = 3;
  /// Batches in one commit_req at most.
  static constexpr size_t commit_batches_max = 256;

  /// Send `req` to `node` (at `address`), waiting at most `timeout`; report
  /// the outcome with on_store(op, req->batch, node, ...).
  struct store_send {
    uint64_t op = 0;
    node_name node;
    std::string address;
    time_us timeout = 0;
    std::shared_ptr<const store_req> req; ///< shared by every replica
  };
  /// An attempt ended: ok (code none) with the batch id and the replicas
  /// that had confirmed, or failed with `code`.
  struct attempt_end {
    uint64_t op = 0;
    errc code = errc::none;
    batch_id batch = 0;
    std::vector<node_name> replicas;
    uint64_t epoch = 0;
  };
  struct outputs {
    std::vector<store_send> stores;
    std::optional<placement_req> ask;  ///< send; answer with on_placement*
    std::optional<commit_req> commit; ///< send; answer with on_commit*
    /// Call retry_commit() after the commit delay (batches wait for more
    /// to coalesce with, or a failed commit waits to go again).
    bool commit_timer = false;
    std::vector<attempt_end> ended;
  };

  /// `coalesce`: stored batches wait for the commit timer (so that one
  /// commit_req carries many) unless commit_batches_max are queued; false:
  /// each goes as soon as no commit is in flight.
  explicit direct_writer(client_id client, bool coalesce = true)
    : client_(client), coalesce_(coalesce) {
  }

  /// An attempt of append `op` (its first, or a retry after a back-off).
  /// The first attempt copies the entries of `req`.
  void begin(uint64_t op, const append_req& req, outputs& out);
  /// The append is over (its last attempt ended and no retry follows).
  void finish(uint64_t op, outputs& out);

  void on_placement(const placement_reply& reply, outputs& out);
  /// The placement_req failed: every attempt waiting for it ends.
  void on_placement_failed(errc code, outputs& out);
  /// A store_ack (code none) or the store's error.
  void on_store(uint64_t op, batch_id batch, const node_name& node, errc code,
                outputs& out);
  void on_commit(const commit_ack& ack, outputs& out);
  /// The commit_req failed: its batches stay queued until retry_commit()
  /// (asked for with commit_timer).
  void on_commit_failed(outputs& out);
  /// The commit timer fired: send what is queued.
  void retry_commit(outputs& out);
  /// No more appends: close every placement once its commits are in.
  void close(outputs& out);

  /// A commit failed and waits for retry_commit().
  bool commit_paused() const {
    return commit_paused_;
  }
  /// Nothing in flight and nothing left to commit.
  bool idle() const;
  /// Batches stored and not yet commit-acked.
  size_t uncommitted() const {
    return queue_.size() + inflight_.size();
  }
  void saw_epoch(uint64_t e) {
    epoch_ = std::max(epoch_, e);
  }
  uint64_t epoch() const {
    return epoch_;
  }

private:
  struct placement {
    batch_id first = 0;
    batch_id end = 0;
    batch_id next = 0;
    std::vector<plan_node> replicas;
    uint32_t quorum = 1;
    time_us timeout = 0;
    uint64_t epoch = 0;
    bool retired = false; ///< takes no new ids
    bool close_sent = false;
    uint32_t open_ids = 0; ///< taken, not yet commit-acked
  };
  struct copy {
    batch_id id = 0;
    batch_id placement = 0;
    uint32_t quorum = 1;
    std::shared_ptr<const store_req> req;
    std::set<node_name> confirmed;
    std::set<node_name> outstanding;
  };
  struct op_state {
    sequence_nr seq = 0;
    std::vector<stored_entry> entries; ///< sorted in read order
    timestamp_us min_ts = 0;
    timestamp_us max_ts = 0;
    uint32_t bytes = 0;
    std::vector<copy> copies; ///< every id it used; the last is current
    bool in_attempt = false;
    bool finished = false;
    bool maybe_stored = false; ///< a store timed out or was confirmed
    uint32_t replacements = 0;
  };

  void place(uint64_t op, op_state& st, outputs& out);
  void take_id(uint64_t op, op_state& st, placement& p, outputs& out);
  void ask(outputs& out);
  void end_attempt(uint64_t op, op_state& st, errc code, outputs& out);
  void retire(placement& p);
  void try_commit(uint64_t op);
  void maybe_commit(outputs& out, bool now = false);
  placement* placement_of(batch_id id);

  client_id client_;
  uint64_t epoch_ = 0;
  std::map<batch_id, placement> placements_;
  batch_id current_ = 0; ///< the placement new ids come from; 0 = none
  bool asking_ = false;
  /// placement_req.request: the same again after a timeout, so that the
  /// master answers with the placement it may have opened for it.
  uint64_t request_ = 1;
  std::vector<node_name> avoid_;
  std::map<uint64_t, op_state> ops_;
  std::deque<uint64_t> waiting_; ///< attempts waiting for a placement
  std::deque<committed_batch> queue_;
  std::vector<committed_batch> inflight_;
  std::vector<batch_id> closing_; ///< closes of the commit in flight
  bool committing_ = false;
  bool commit_paused_ = false;
  bool coalesce_ = true;
  bool timer_pending_ = false;
  bool closed_ = false; ///< close() was called: every placement closes
};

} // namespace logstore
