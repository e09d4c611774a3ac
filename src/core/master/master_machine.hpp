// logstore — the master as a pure state machine.
// Layer: core/master (no CAF, no clock, no randomness of its own, no I/O).
//
// In the manner of etcd/raft's Step/Ready: every input the master can get
// is a method, called with the current time; every decision comes out as
// effects (master_effects.hpp), in order, for the world to carry out:
//
//   world                          master_machine
//   -----                          --------------
//   a message arrives      --->    on_join / on_heartbeat / on_append /
//                                  on_read_plan / on_missing_copies /
//                                  on_status / on_drain / on_remove
//   a request it made      --->    on_reply(token, ...) / on_failure(token, ..)
//   was answered / failed
//   a timer it asked for   --->    on_tick / on_retry_store
//   fires
//                          <---    effects: requests and one-way sends to
//                                  named nodes, answers by token, timers,
//                                  "persist this record", node events, stop
//
// The seeded generator is handed in at construction; time only comes with
// the inputs. The same machine runs inside the CAF actor (src/actors/
// master_actor.cpp), in the simulator and in a real cluster, and inside the
// in-memory harness of its unit tests (tests/core/master_harness.hpp).
//
// Where each part of the protocol lives (docs/protocol.md has the rules):
//   machine.cpp            membership, heartbeats, status, the tick
//   machine_write.cpp      the write path: placement, quorum, replacement
//   machine_placement.cpp  direct writes: placements, grants, commits
//   machine_read.cpp       the read path: read plans, missing-copy hints
//   machine_repair.cpp     re-replication, reconciliation of block reports
//   machine_balance.cpp    rebalancing, surplus copies, tracked deletes
//   machine_members.cpp    drain, redundancy, remove
//   machine_retention.cpp  retention by age and size
//   machine_restart.cpp    the durable record, the rebuild after a restart
//   machine_doubt.cpp      what a restarted master can vouch for
//   machine_invariants.cpp check_invariants()
#pragma once

#include "core/master/master_effects.hpp"
#include "core/master/master_state.hpp"

#include <map>
#include <string>
#include <string_view>

namespace logstore {

struct master_options {
  /// The world keeps a durable record: persist effects are carried out.
  bool durable = false;
  /// This master's name (one of cluster_config::masters when there are
  /// several).
  node_name name = "master";
  /// Events below this level are not built.
  log_level log_min = log_level::info;
  /// check_invariants() after every step; an invariant broken is a bug and
  /// aborts (on in tests and in builds without NDEBUG).
#ifdef NDEBUG
  bool check_invariants = false;
#else
  bool check_invariants = true;
#endif
};

/// The record as the world found it at start.
struct record_load {
  bool ok = true;       ///< false: the file is damaged (`error` says how)
  master_record record; ///< default (a new cluster) when there was none
  std::string error;
};

class master_machine {
public:
  master_machine(cluster_config cfg, prng rng, master_options opts);

  /// Before any other input: loads the record (bumps the epoch, reserves
  /// batch ids, waits for the recorded members) and asks for the first tick.
  void start(const record_load& loaded, time_us now, effects& out);

  // -- messages (token: the world's name for the request, for `reply`) --------

  void on_join(uint64_t token, const join_req& req, time_us now, effects& out);
  /// One-way; answers (join_nudge, lost_ack) go `to_sender`.
  void on_heartbeat(const heartbeat_msg& hb, time_us now, effects& out);
  /// The entries are moved out of `req`.
  void on_append(uint64_t token, append_req& req, time_us now, effects& out);
  /// Direct writes (machine_placement.cpp): a placement for a client, and
  /// the batches it stored there.
  void on_placement(uint64_t token, const placement_req& req, time_us now,
                    effects& out);
  void on_commit(uint64_t token, const commit_req& req, time_us now,
                 effects& out);
  /// Answers with a read plan (read_plan_reply) from the index alone.
  void on_read_plan(uint64_t token, const read_plan_req& req, time_us now,
                    effects& out);
  /// A client found copies missing that a plan listed (one-way): checked
  /// with the node before the index forgets them.
  void on_missing_copies(const missing_copies& hint, time_us now,
                         effects& out);
  void on_status(uint64_t token, time_us now, effects& out);
  void on_drain(uint64_t token, const drain_req& req, time_us now,
                effects& out);
  void on_remove(uint64_t token, const remove_req& req, time_us now,
                 effects& out);
  /// Another master asks who this one is (several masters only).
  void on_master_ping(uint64_t token, const master_ping& ping, time_us now,
                      effects& out);
  /// A storage node promised a newer epoch to another master (one-way).
  void on_epoch_notice(const epoch_notice& notice, time_us now, effects& out);

  // -- the outcome of the master's own requests ------------------------------

  /// A reply of the wrong type for the request counts as a failure.
  void on_reply(uint64_t token, node_reply& reply, time_us now, effects& out);
  void on_failure(uint64_t token, errc code, time_us now, effects& out);

  // -- timers ----------------------------------------------------------------

  void on_tick(time_us now, effects& out);
  void on_retry_store(batch_id id, node_number node, time_us now,
                      effects& out);
  /// The back-off before a campaign is over (several masters).
  void on_campaign_timer(time_us now, effects& out);

  const master_state& state() const {
    return st_;
  }

private:
  // One step: `now_` and `out_` are valid from begin() to end().
  void begin(time_us now, effects& out);
  void end();

  // Emitting effects.
  void log(log_level level, std::string_view event, std::string text);
  template <class MakeText>
  void log_lazy(log_level level, std::string_view event, MakeText make) {
    if (level >= st_.log_min)
      log(level, event, make());
  }
  uint64_t request(node_number n, node_message msg, time_us timeout,
                   outstanding_request what);
  void send(node_number n, node_message msg, time_us timeout);
  void emit(effect e);
  void persist();

  // machine.cpp
  node_number add_or_update_member(const join_req& req);
  void nudge_silent_joiners();
  void detector_tick();
  void own_stall_check();

  // machine_write.cpp
  void send_store(pending_write& pw, node_number node);
  bool answer_duplicate(const append_req& req, uint64_t token);
  void deliver_to_waiters(pending_write& pw, const answer& value);
  void fail_write(pending_write& pw);
  void ack_write(pending_write& pw);
  void maybe_finish(pending_write& pw);
  void finish_or_fail(pending_write& pw);
  void on_store_ack(batch_id id, node_number node);
  void on_store_failure(batch_id id, node_number node, errc code);
  batch_id take_batch_id();

  // machine_placement.cpp
  void on_grant_done(batch_id first, node_number node, bool ok);
  void answer_placement(open_placement& p);
  void close_placement(client_id client, batch_id first, const char* why);
  batch_id commit_one(const commit_req& req, const committed_batch& cb);
  void note_committed(open_placement* p, batch_id id);
  open_placement* placement_of(client_id client, batch_id id);
  void seal_tick();
  void on_sealed(batch_id first, node_number node, const seal_ack* ack);

  // machine_read.cpp
  void on_check_result(node_number node, const std::vector<batch_id>& asked,
                       const fetch_result& result);
  void forget_missing_copies(node_number node,
                             const std::vector<batch_id>& ids);

  // machine_repair.cpp
  void scan_dead_member(node_number n);
  void note_if_idle();
  void on_copy_done(batch_id id, node_number source, node_number target,
                    errc code);
  void start_copy(batch_id id, node_number source, node_number target);
  void pump_repairs();
  void repair_tick();
  void forget_lost_copies(node_number n, const std::vector<batch_id>& lost);
  void reconcile_member(node_number n, const join_req& req);

  // machine_balance.cpp
  void send_delete(node_number n, std::vector<batch_id> ids);
  void on_delete_ack(node_number n, const std::vector<batch_id>& ids,
                     const delete_ack& ack);
  void resend_deletes();
  void forget_copy(batch_meta& meta, batch_id id, node_number n);
  void flush_deletes();
  void drop_surplus(batch_id id);
  void rebalance_tick();

  // machine_members.cpp
  member_status handle_drain(node_number n);
  void drain_tick();
  answer handle_remove(const remove_req& req);

  // machine_retention.cpp
  void retention_tick();

  // machine_restart.cpp
  void start_from_record(const record_load& loaded);
  void maybe_end_rebuild();
  bool promisers_reported() const;

  // machine_doubt.cpp
  void member_reported(const node_name& name);
  bool adopt_or_twin(node_number n, const batch_info& info);
  /// Direct writes: batch `twin` leaves the index (deleted, failed) for
  /// `kept`, the newer copy of the same (client, seq); the pair's outcome
  /// is open until `kept` is recorded.
  void replace_twin(client_id client, sequence_nr seq, batch_id twin,
                    batch_id kept);

  // machine_failover.cpp
  time_us backoff();
  uint64_t request_to(const node_name& to, node_message msg, time_us timeout,
                      outstanding_request what);
  void failover_start(const record_load& loaded);
  bool bootstrap_allowed() const;
  std::string redirect_text() const;
  bool refuse_inactive(uint64_t token);
  /// The newest time by which a majority of storage nodes echoed this
  /// master's lease (-1: never; now with no members to hear from).
  time_us majority_echo() const;
  /// With several masters: a majority of storage nodes echoed this
  /// master's lease recently, so none of them promised a newer epoch.
  bool lease_valid() const;
  /// refuse_inactive, or not_active when the lease is not valid.
  bool refuse_without_lease(uint64_t token);
  void note_contact(const node_name& name, const std::string& address);
  master_info make_info(const master_ping& ping) const;
  void on_master_info(const node_name& from, const master_info& info);
  void ping_peers();
  void ask_promise(const node_name& name);
  void campaign();
  void start_round();
  void on_promise(const outstanding_request& what, epoch_ack& ack);
  void on_promise_refused(const outstanding_request& what);
  size_t counted_promises() const;
  void maybe_promote();
  void campaign_failed();
  void promote();
  void fresh_state();
  void replicate(const master_record& rec);
  void send_record(const node_name& name);
  void on_record_ack(const outstanding_request& what, const record_ack& ack);
  void commit(uint64_t version);
  bool record_committed() const;
  void reply_durable(uint64_t token, answer value);
  void active_tick();
  bool failover_tick();
  void step_down(const std::string& why, uint64_t epoch,
                 const node_name& active);

  master_state st_;
  master_options opts_;
  /// Holders a commit named that are asked whether they hold the copy
  /// (machine_placement.cpp; empty between steps).
  std::map<node_number, std::vector<batch_id>> verify_;
  time_us now_ = 0;
  effects* out_ = nullptr;
};

} // namespace logstore
