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
#pragma once

#include "actors/node_context.hpp"
#include "core/batch_index.hpp"
#include "core/config.hpp"
#include "core/dedup_table.hpp"
#include "core/failure_detector.hpp"
#include "core/master_record.hpp"
#include "core/placement.hpp"
#include "core/prng.hpp"
#include "core/read_plan.hpp"

#include <caf/message.hpp>
#include <caf/response_promise.hpp>

#include <deque>
#include <cstdint>
#include <map>
#include <unordered_set>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace logstore {

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
  std::vector<caf::response_promise> waiters; ///< client requests to answer
};

struct pending_read {
  std::unique_ptr<read_plan> plan;
  caf::response_promise promise;
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
  std::unordered_set<node_name> awaiting; ///< members yet to report
  std::vector<bool> joined;    ///< per member: joined since this start
  static constexpr batch_id id_block = 10'000; ///< ids reserved per save

  // Retention (master_retention.cpp).
  timestamp_us newest_ts = INT64_MIN;    ///< newest entry acknowledged
  timestamp_us expired_before = INT64_MIN; ///< watermark for reads
  uint64_t stored_bytes = 0;             ///< payload bytes, once per batch
  uint64_t expired_batches = 0;

  std::optional<node_number> number_of(const node_name& name) const {
    auto i = member_numbers.find(name);
    if (i == member_numbers.end())
      return std::nullopt;
    return i->second;
  }
};

using master_ptr = std::shared_ptr<master_state>;

/// Members that may receive a new copy now: up, not draining, not in
/// `exclude`.
std::vector<placement_candidate>
eligible_nodes(const master_state& st, time_us now,
               const std::vector<node_number>& exclude);

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

/// Sends delete_req for `ids` to node n (one-way, best effort).
void send_delete(caf::event_based_actor* self, const master_ptr& st,
                 node_number n, std::vector<batch_id> ids);

/// drain_req: mark the node draining; answer with its progress.
member_status handle_drain(caf::event_based_actor* self, const master_ptr& st,
                           node_number n);

/// Per-member status (state, batches in the index, safe to remove).
member_status describe_member(const master_state& st, node_number n,
                              time_us now);

/// Periodic rebalancing: move batches from the most to the least loaded.
void rebalance_tick(caf::event_based_actor* self, const master_ptr& st);

/// Periodic drain work: queue batches still on draining members (copies
/// confirmed after the drain began), log when a drain is complete.
void drain_tick(caf::event_based_actor* self, const master_ptr& st);

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

/// A member found these copies damaged or lost: drop them from the index
/// and queue the batches for repair.
void forget_lost_copies(caf::event_based_actor* self, const master_ptr& st,
                        node_number n, const std::vector<batch_id>& lost);

/// A member (re)joined with a block report: re-add known copies, forget
/// lost ones, delete surplus and never-acknowledged copies.
void reconcile_member(caf::event_based_actor* self, const master_ptr& st,
                      node_number n, const std::vector<batch_info>& holds);

// Handlers, split by path (master_write.cpp, master_read.cpp).
void handle_append(caf::event_based_actor* self, const master_ptr& st,
                   append_req& req, caf::response_promise rp);
void handle_read(caf::event_based_actor* self, const master_ptr& st,
                 const read_req& req, caf::response_promise rp);

} // namespace logstore
