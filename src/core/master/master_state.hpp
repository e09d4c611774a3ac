// logstore — the master's state: plain data and core structures, owned by
// master_machine (master_machine.hpp), which alone changes it.
// Layer: core/master (no CAF, no clock, no I/O).
//
// Invariants (checked by check_invariants() after every step when
// master_machine's options ask for it, as in tests and debug builds):
//  1. every batch id in pending_writes is absent from index, or present and
//     acked (a write stays pending after its ack until all RF copies answer).
//  2. members[n].name is unique and member_numbers maps each name of a
//     member that is not removed to its number; numbers are dense and
//     never reused.
//  3. dedup (or restart_pairs) says in_progress for every pending write not
//     yet acked, with that batch id (or has forgotten the pair: the dedup
//     window moved on).
//  4. while `unreported` is not empty (a recorded member has not joined
//     since this start), reads are not complete and restart_pairs holds the
//     (client, seq) of every batch adopted and every batch written for a
//     retry; when it empties, restart_pairs is empty too.
//  5. one (client, seq) is indexed under at most one batch id: a second
//     batch with the same pair (a twin, written by an earlier epoch) is
//     never adopted; its id joins `failed` (machine_doubt.cpp).
//  6. no acknowledged write had fewer than write_quorum confirmed copies
//     when it was acknowledged.
//  7. every indexed batch's replica list holds distinct numbers of known
//     members that are not removed.
#pragma once

#include "core/base/config.hpp"
#include "core/base/event_log.hpp"
#include "core/base/prng.hpp"
#include "core/master/batch_index.hpp"
#include "core/master/dedup_table.hpp"
#include "core/master/failover_state.hpp"
#include "core/master/failure_detector.hpp"
#include "core/master/master_effects.hpp"
#include "core/master/master_record.hpp"
#include "core/master/placement.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
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
  time_us joined_at = -1; ///< when its last join_req was handled
  /// Copies it was asked to delete, until a report no older than the
  /// delete arrives (or stale_report_max passes after the ack).
  std::map<batch_id, delete_track> deleting;
};

struct pending_write {
  batch_id id = 0;
  client_id client = 0;
  sequence_nr seq = 0;
  batch_meta meta;          ///< time range, sizes; replicas = confirmed
  /// The store_req, built once, shared by every send of it.
  std::shared_ptr<const shared_store> payload;
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
  std::vector<uint64_t> waiters; ///< tokens of the append_reqs to answer
  /// Confirmed copies when the ack went out (never below write_quorum).
  uint32_t acked_with = 0;
};

/// An open placement (direct writes, machine_placement.cpp): ids
/// [first, first + count) that `client` may store at `replicas` and has
/// not all committed yet. Reads consult its replicas for the ids from
/// `committed_below` on; it closes when the client says so or every id is
/// committed.
struct open_placement {
  batch_id first = 0;
  uint32_t count = 0;
  client_id client = 0;
  std::vector<node_number> replicas; ///< granted, or being granted
  std::vector<node_number> granting; ///< grant_req not answered yet
  uint64_t request = 0; ///< placement_req.request that opened it
  /// The placement_reqs to answer once the grants are in (a repeat of the
  /// request joins); empty: answered.
  std::vector<uint64_t> tokens;
  batch_id committed_below = 0; ///< every id below it is committed
  std::set<batch_id> committed_above; ///< committed ids above it
  /// Uncommitted ids a replica reported damaged or lost (heartbeat lost):
  /// a commit naming that replica as a holder does not count it.
  std::set<std::pair<batch_id, node_number>> lost;
  time_us opened = 0;
  time_us used = 0; ///< the last commit (or the opening)
  /// Sealing (machine_placement.cpp): the client went silent; replicas
  /// asked (seal_req in flight) and those that answered, with what they
  /// hold in the placement.
  bool sealing = false;
  std::set<node_number> seal_asked;
  std::map<node_number, std::vector<batch_info>> sealed;
  bool answered() const {
    return tokens.empty();
  }
  batch_id end() const {
    return first + count;
  }
};

/// A request the master sent and still waits for (by token).
struct outstanding_request {
  enum class kind : uint8_t {
    store, copy, check_copies, remove_copies, promise, record, ping, grant,
    seal
  };
  kind what = kind::store;
  batch_id batch = 0;     ///< store, copy; grant: the placement's first id
  node_number node = 0;   ///< store: the target; check, delete: the node
  node_number source = 0; ///< copy: where the copy comes from
  node_number target = 0; ///< copy
  std::vector<batch_id> ids; ///< delete: the copies it names
  node_name peer;            ///< promise, record, ping: whom it went to
  uint64_t epoch = 0;        ///< promise: the epoch proposed
  uint64_t version = 0;      ///< record: the version sent
  bool probe = false;        ///< promise: a pre-vote
};

struct master_state {
  master_state(cluster_config c, prng generator)
    : cfg(c),
      rng(generator),
      detector(c.heartbeat_interval, c.suspect_after_misses,
               c.dead_after_misses),
      dedup(c.dedup_window) {
  }

  cluster_config cfg;
  prng rng;
  log_level log_min = log_level::info; ///< events below are not built
  bool durable = false; ///< the world keeps a durable record (persist)
  uint64_t epoch = 1;
  std::vector<member> members;
  std::unordered_map<node_name, node_number> member_numbers;
  failure_detector detector;
  batch_index index;
  dedup_table dedup;
  std::map<batch_id, pending_write> pending_writes;
  /// Open placements (direct writes), by first id.
  std::map<batch_id, open_placement> placements;
  batch_id next_batch = 1;
  /// Requests in flight, by the token the world reports back.
  std::map<uint64_t, outstanding_request> requests;
  uint64_t next_token = 1;

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
  time_us last_tick = -1; ///< when the previous tick ran (own-stall check)

  // Durable record and index rebuild after a restart (master_record.cpp).
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

  // Failover (machine_failover.cpp): survives a step-down.
  failover_state failover;

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

  /// A new member, numbered next; returns its number.
  node_number add_member(member fresh) {
    auto n = static_cast<node_number>(members.size());
    member_numbers.emplace(fresh.name, n);
    members.push_back(std::move(fresh));
    return n;
  }
};

/// Empty when every invariant above holds; otherwise which one broke and
/// where (master_machine asserts it after each step when asked to).
std::string check_invariants(const master_state& st);

// -- queries and bookkeeping on the state (no effects) -------------------------

/// `x` is among `xs` (replica and candidate lists are short).
inline bool contains(const std::vector<node_number>& xs, node_number x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

/// Removes every `x` from `xs`.
inline void erase_value(std::vector<node_number>& xs, node_number x) {
  xs.erase(std::remove(xs.begin(), xs.end(), x), xs.end());
}

/// Member n is listed again as a holder of batch `id` (its store or copy
/// was confirmed, or its report showed it): a delete of that copy sent
/// earlier is obsolete and must not be sent again (resend_deletes), or it
/// would remove a copy the index counts.
inline void listed_again(master_state& st, node_number n, batch_id id) {
  st.members[n].deleting.erase(id);
}

/// Members that may receive a new copy now: up, not draining, not removed,
/// not in `exclude`.
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
/// Indexed batches with no copy at all.
uint64_t count_lost(const master_state& st);

/// Queues a batch for re-replication (no-op when already queued).
void enqueue_repair(master_state& st, batch_id id);

/// The candidates in zones that hold no live copy of the batch yet, if any;
/// otherwise all of them (a copy in a used zone beats no copy).
std::vector<placement_candidate>
prefer_new_zones(const master_state& st, const batch_meta& meta, time_us now,
                 std::vector<placement_candidate> candidates);

/// A member that was dead past the grace period is up again: queue its
/// batches so copies made meanwhile beyond RF are trimmed.
void member_returned(master_state& st, node_number n);

/// Per-member status (state, batches in the index, safe to remove).
member_status describe_member(const master_state& st, node_number n,
                              time_us now);
/// describe_member of every member not removed, in member order (one walk
/// of the index for all of them).
std::vector<member_status> describe_members(const master_state& st,
                                            time_us now);

/// The whole cluster as the master sees it (status_req).
status_reply make_status(const master_state& st, time_us now);

/// With several masters: this master's role, whom it takes for active, and
/// every master as last seen (machine_failover.cpp).
void describe_masters(const master_state& st, time_us now,
                      status_reply& out);

/// `id` lies in an open placement (direct writes) and is not committed:
/// its client's commit decides what becomes of it, not a block report.
bool in_open_placement(const master_state& st, batch_id id);

/// Records an acknowledged batch for retention accounting.
void note_acked(master_state& st, const batch_meta& meta);

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

/// How long after a delete_ack a block report that predates it is still
/// expected (a join retried over a slow link): the ack is kept that long.
constexpr time_us stale_report_max = 30'000'000;

} // namespace logstore
