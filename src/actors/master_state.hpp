// logstore — the master's state (shared by its handler files).
// Layer: actors. Everything here is plain data or a core structure; the
// handlers in master_*.cpp turn messages into calls on it.
//
// Invariants:
//  1. every batch id in pending_writes is absent from index, or present and
//     acked (a write stays pending after its ack until all RF copies answer).
//  2. members[n].name is unique; numbers are dense and never reused.
//  3. dedup says in_progress exactly for the batches in pending_writes that
//     are not yet acked or failed.
//  4. while `unreported` is not empty (a recorded member has not joined
//     since this start), reads are not complete and restart_pairs holds the
//     (client, seq) of every batch adopted and every batch written for a
//     retry; when it empties, restart_pairs is cleared.
//  5. one (client, seq) is indexed under at most one batch id: a second
//     batch with the same pair (a twin, written by an earlier epoch) is
//     never adopted; its id joins `failed` (master_doubt.cpp).
#pragma once

#include "actors/node_context.hpp"
#include "core/master/batch_index.hpp"
#include "core/base/config.hpp"
#include "core/master/dedup_table.hpp"
#include "core/master/failure_detector.hpp"
#include "core/master/master_record.hpp"
#include "core/master/placement.hpp"
#include "core/base/prng.hpp"
#include "core/master/read_plan.hpp"

#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/response_promise.hpp>

#include <deque>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_set>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace logstore {

/// A delete this master sent to a member: pending until its delete_ack,
/// then the node's version that reflects it (see reconcile_member: a block
/// report built before that version may still list the copy).
struct delete_track {
  time_us sent = 0;     ///< when it was (last) sent
  uint64_t boot = 0;    ///< the node process that applied it
  uint64_t version = 0; ///< 0 = not acknowledged yet
  time_us acked = 0;
};

struct member {
  node_name name;
  std::string address;
  std::string zone;
  uint64_t batches = 0; ///< as last reported by heartbeat
  uint64_t bytes = 0;   ///< as last reported, plus copies confirmed since
  bool draining = false; ///< gets no new copies; its batches move away
  time_us dead_since = -1; ///< when the detector said "dead"; -1 = not dead
  bool dead_scanned = false; ///< its batches were queued for repair
  bool drain_done = false;   ///< "safe to remove" was logged
  bool heartbeat_seen = false; ///< a heartbeat arrived since its last join
  uint64_t incarnation = 0;  ///< from its last join (its data directory)
  /// Dead or drained, and every batch the index lists on it has a copy on a
  /// member that is up: nothing is known only from it. Recorded, so that a
  /// restarted master does not wait for its report (drain_tick).
  bool redundant = false;
  /// Forgotten by `logstore remove`: the slot stays (numbers are never
  /// reused) but the member is in no list, status or placement.
  bool removed = false;
  uint64_t boot = 0; ///< the node process of its last join
  /// Copies it was asked to delete, until a report no older than the
  /// delete arrives (or stale_report_max passes after the ack).
  std::map<batch_id, delete_track> deleting;
};

struct pending_write {
  batch_id id = 0;
  client_id client = 0;
  sequence_nr seq = 0;
  batch_meta meta;          ///< time range, sizes; replicas = confirmed
  caf::message payload;     ///< the store_req, built once, shared by sends
  std::vector<node_number> outstanding;
  std::vector<node_number> tried;
  uint32_t attempts = 0;
  bool acked = false;
  /// Written for a retry (append_req.attempt > 0): if it fails while a
  /// member is unreported, the answer is in_doubt, not replication_failed.
  bool retry = false;
  /// Nodes that reported this copy damaged or lost while the write was
  /// still pending: a confirmation from them (overtaken by the report) is
  /// not a copy.
  std::vector<node_number> lost_on;
  std::vector<caf::response_promise> waiters; ///< client requests to answer
};

struct pending_read {
  std::unique_ptr<read_plan> plan;
  caf::response_promise promise;
  /// Members unreported when the read was planned: the index it was planned
  /// from may lack their batches, even if they report while it runs.
  std::vector<node_name> unreported;
};

struct master_state {
  master_state(cluster_config c, node_context x)
    : cfg(c),
      ctx(std::move(x)),
      rng(ctx.seed),
      detector(c.heartbeat_interval, c.suspect_after_misses,
               c.dead_after_misses),
      dedup(c.dedup_window) {
  }

  cluster_config cfg;
  node_context ctx;
  prng rng;
  uint64_t epoch = 1;
  std::vector<member> members;
  std::unordered_map<node_name, node_number> member_numbers;
  failure_detector detector;
  batch_index index;
  dedup_table dedup;
  std::map<batch_id, pending_write> pending_writes;
  std::map<uint64_t, pending_read> pending_reads;
  batch_id next_batch = 1;
  uint64_t next_read = 1;
  peer_cache peers;

  // Repair (re-replication), see master_repair.cpp.
  std::deque<batch_id> repair_queue;
  std::unordered_set<batch_id> repair_queued;
  std::map<batch_id, node_number> repairs_inflight;
  /// Rebalance moves in flight: batch -> node its copy moves away from.
  std::map<batch_id, node_number> moving_from;
  uint64_t repairs_done = 0;
  uint64_t repair_failures = 0;
  uint64_t moves_done = 0;
  uint64_t copies_at_idle = 0; ///< repairs_done when the queue last emptied
  bool rebalancing = false;    ///< the last rebalance round found work
  /// Copies dropped from the index whose delete_req is not sent yet
  /// (flush_deletes sends one per node).
  std::map<node_number, std::vector<batch_id>> pending_deletes;
  uint32_t ticks = 0;

  // Durable record and index rebuild after a restart (master_record.cpp).
  disk* state_disk = nullptr;
  master_record record;
  std::unordered_set<batch_id> failed; ///< never indexed, never adopted
  bool rebuilding = false;     ///< index not yet trusted (reports pending)
  time_us rebuild_until = 0;   ///< stop waiting for silent members here
  /// Recorded members that have not joined since this start (they may hold
  /// batches the index does not know). Outlives the rebuild: emptied only
  /// by their joins or by `logstore remove` (master_doubt.cpp).
  std::set<node_name> unreported;
  std::vector<bool> joined;    ///< per member: joined since this start
  static constexpr batch_id id_block = 10'000; ///< ids reserved per save
  batch_id epoch_first_batch = 1; ///< ids below it are from earlier epochs
  /// (client, seq) -> outcome, unbounded by the dedup window, while a member
  /// is unreported: what lets an adopted batch be recognized as the twin of
  /// a retry stored in this epoch (invariants 4 and 5).
  std::map<std::pair<client_id, sequence_nr>, dedup_table::outcome>
    restart_pairs;
  /// Bound on restart_pairs entries for retries (adoptions are bounded by
  /// the index): beyond it, an unknown retry is answered in_doubt unstored.
  static constexpr size_t restart_retries_max = size_t{1} << 22;
  size_t restart_retries = 0;

  // Retention (master_retention.cpp).
  timestamp_us newest_ts = INT64_MIN;    ///< newest entry acknowledged
  timestamp_us expired_before = INT64_MIN; ///< watermark for reads
  uint64_t stored_bytes = 0;             ///< payload bytes, once per batch
  uint64_t expired_batches = 0;

  /// Not every recorded member has reported since this start.
  bool uncertain() const {
    return !unreported.empty();
  }

  std::optional<node_number> number_of(const node_name& name) const {
    auto i = member_numbers.find(name);
    if (i == member_numbers.end())
      return std::nullopt;
    return i->second;
  }
};

using master_ptr = std::shared_ptr<master_state>;

/// Member n is listed again as a holder of batch `id` (its store or copy
/// was confirmed, or its report showed it): a delete of that copy sent
/// earlier is obsolete and must not be sent again (resend_deletes), or it
/// would remove a copy the index counts.
inline void listed_again(master_state& st, node_number n, batch_id id) {
  st.members[n].deleting.erase(id);
}

/// Members that may receive a new copy now: up, not draining, not in
/// `exclude`.
std::vector<placement_candidate>
eligible_nodes(const master_state& st, time_us now,
               const std::vector<node_number>& exclude);

/// A copy the master may count on when it deletes another: on a member
/// that is up, not draining, not removed, and has heartbeated since its
/// last join (its block report and its liveness are both confirmed). A copy
/// on a member that merely has not been declared dead yet, or that just
/// joined, never lets another copy go.
bool verified_copy(const master_state& st, node_number r, time_us now);

/// Copies of a batch on nodes that are currently up.
uint32_t live_copies(const master_state& st, const batch_meta& meta,
                     time_us now);

/// Copies a repair counts on: replicas on nodes that are not draining and
/// not dead past the grace period (up, suspect, or dead for less than
/// repair_grace: such a node may come back with its copy). Repair makes a
/// copy only when this is below the replication factor.
uint32_t presumed_copies(const master_state& st, const batch_meta& meta,
                         time_us now);

/// Batches with fewer live copies than the replication factor.
uint64_t count_under_replicated(const master_state& st, time_us now);

/// Queues a batch for re-replication (no-op when already queued).
void enqueue_repair(master_state& st, batch_id id);

/// Periodic repair work: scan nodes dead past the grace period, start copies
/// up to the throttle.
void repair_tick(caf::event_based_actor* self, const master_ptr& st);

/// The candidates in zones that hold no live copy of the batch yet, if any;
/// otherwise all of them (a copy in a used zone beats no copy).
std::vector<placement_candidate>
prefer_new_zones(const master_state& st, const batch_meta& meta, time_us now,
                 std::vector<placement_candidate> candidates);

/// A member that was dead past the grace period is up again: queue its
/// batches so copies made meanwhile beyond RF are trimmed.
void member_returned(master_state& st, node_number n);

/// A delayed second try of a store at the same node (retry_atom).
void retry_store(caf::event_based_actor* self, const master_ptr& st,
                 batch_id id, node_number node);

/// Starts copying batch `id` from `source` to `target` (repair or move).
void start_copy(caf::event_based_actor* self, const master_ptr& st,
                batch_id id, node_number source, node_number target);

/// Once a batch has RF live copies, drops copies on draining nodes, the
/// source of a finished move, and live copies beyond RF: out of the index
/// at once, the delete_req on the next flush_deletes.
void drop_surplus(caf::event_based_actor* self, const master_ptr& st,
                  batch_id id);

/// Sends the pending deletes, one delete_req per node.
void flush_deletes(caf::event_based_actor* self, const master_ptr& st);

/// Sends delete_req for `ids` to node n and tracks it until delete_ack;
/// resend_deletes() sends unacknowledged ones again.
void send_delete(caf::event_based_actor* self, const master_ptr& st,
                 node_number n, std::vector<batch_id> ids);

/// Periodic: deletes not acknowledged within two store timeouts go again
/// (to members that are up); acknowledged ones are forgotten after
/// stale_report_max.
void resend_deletes(caf::event_based_actor* self, const master_ptr& st);

/// How long after a delete_ack a block report that predates it is still
/// expected (a join retried over a slow link): the ack is kept that long.
constexpr time_us stale_report_max = 30'000'000;

/// drain_req: mark the node draining; answer with its progress.
member_status handle_drain(caf::event_based_actor* self, const master_ptr& st,
                           node_number n);

/// Per-member status (state, batches in the index, safe to remove).
member_status describe_member(const master_state& st, node_number n,
                              time_us now);

/// Periodic rebalancing: move batches from the most to the least loaded.
void rebalance_tick(caf::event_based_actor* self, const master_ptr& st);

/// Periodic drain work: queue batches still on draining members (copies
/// confirmed after the drain began), log when a drain is complete; and
/// mark dead or drained members whose every batch has a copy on an up
/// member as redundant (recorded: a restarted master need not wait for
/// their report).
void drain_tick(caf::event_based_actor* self, const master_ptr& st);

/// remove_req: forget a member for good, if nothing is lost with it (or
/// `force`). A member_status (state "removed") or a definite error.
caf::expected<member_status> handle_remove(caf::event_based_actor* self,
                                           const master_ptr& st,
                                           const remove_req& req);

/// Periodic retention: delete batches older / beyond the configured limits.
void retention_tick(caf::event_based_actor* self, const master_ptr& st);

/// Records an acknowledged batch for retention accounting.
void note_acked(master_state& st, const batch_meta& meta);

/// Loads the durable record at start: bumps the epoch, skips past every
/// batch id that may have been used, and waits for the known members'
/// block reports before trusting the rebuilt index.
void start_from_record(caf::event_based_actor* self, const master_ptr& st);

/// Writes the durable record (no-op without a disk).
void save_record(caf::event_based_actor* self, const master_ptr& st);

/// A fresh batch id (extends the durable reservation when needed).
batch_id take_batch_id(caf::event_based_actor* self, const master_ptr& st);

/// Ends the rebuild once every known member reported or the wait is over.
void maybe_end_rebuild(caf::event_based_actor* self, const master_ptr& st);

// What the master can vouch for after a restart (master_doubt.cpp).

/// The outcome this epoch has for (client, seq): the dedup window first,
/// then restart_pairs; nullptr when neither knows it.
const dedup_table::outcome* find_outcome(const master_state& st,
                                         client_id client, sequence_nr seq);

/// Records an outcome in the dedup table and, while uncertain, in
/// restart_pairs when `track` or when the pair is tracked already. False
/// (and nothing changed) if it would replace an acked outcome with another
/// batch: the caller has a twin on its hands.
bool remember_outcome(master_state& st, client_id client, sequence_nr seq,
                      dedup_table::outcome x, bool track);

/// Whether a failed or refused append may be answered definitely: a first
/// attempt always; a retry only when every recorded member has reported
/// (no earlier attempt can be stored where the master cannot see it).
bool definite_allowed(const master_state& st, uint32_t attempt);

/// "storage-1, storage-3" (for in_doubt texts and logs).
std::string unreported_names(const master_state& st);

/// A member joined (or was removed): it is no longer unreported; when it
/// was the last one, the index is whole again (logged) and restart_pairs is
/// cleared.
void member_reported(caf::event_based_actor* self, const master_ptr& st,
                     const node_name& name);

/// An unknown, not failed, not expired batch in a block report: adopt it
/// (true), or recognize it as the twin of an outcome this epoch already has
/// for its (client, seq): then its id joins `failed` and false is returned
/// (the caller deletes the copy). An id beyond every reservation (with a
/// durable record) is neither: logged, left alone, true. Logs why.
bool adopt_or_twin(caf::event_based_actor* self, const master_ptr& st,
                   node_number n, const batch_info& info);

/// A member found these copies damaged or lost: drop them from the index
/// and queue the batches for repair.
void forget_lost_copies(caf::event_based_actor* self, const master_ptr& st,
                        node_number n, const std::vector<batch_id>& lost);

/// A member (re)joined with a block report: re-add known copies, forget
/// lost ones, delete surplus and never-acknowledged copies.
void reconcile_member(caf::event_based_actor* self, const master_ptr& st,
                      node_number n, const join_req& req);

// Handlers, split by path (master_write.cpp, master_read.cpp).
void handle_append(caf::event_based_actor* self, const master_ptr& st,
                   append_req& req, caf::response_promise rp);
void handle_read(caf::event_based_actor* self, const master_ptr& st,
                 const read_req& req, caf::response_promise rp);

} // namespace logstore
