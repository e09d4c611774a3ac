// logstore — the master's write path: placement, store requests, the write
// quorum, replacement of nodes that do not confirm (docs/protocol.md,
// "Write path").
//
//   append_req --> dedup? --yes--> answer as before (ack / same error / wait)
//        | no
//        v
//   live nodes >= write_quorum? --no--> not_enough_nodes (definite; in_doubt
//        | yes                          for a retry a restart cannot vouch for)
//        v
//   choose RF nodes --> store_req to each --(ack)--> confirmed >= W? --> index
//        ^                    |                           the batch, ack client
//        |               (timeout/error)
//        +--- replacement node, while attempts and untried live nodes last;
//             none left and confirmed + outstanding < W --> replication_failed
#include "core/master/master_machine.hpp"

#include "core/base/assert.hpp"
#include "core/base/frame.hpp"

#include <algorithm>

namespace logstore {

namespace {

/// What the master learns of a batch while it encodes it.
struct encoded_batch {
  store_req req;
  batch_meta meta;
};

/// Turns the client's entries into stored entries sorted in read order and
/// encodes them once, as the frame every replica stores (frame.hpp).
encoded_batch encode_batch(uint64_t epoch, batch_id id, append_req& req) {
  std::vector<stored_entry> entries;
  entries.reserve(req.entries.size());
  for (uint32_t i = 0; i < req.entries.size(); ++i) {
    auto& e = req.entries[i];
    entries.push_back({e.ts, std::move(e.source), std::move(e.payload),
                       req.client, req.seq, i});
  }
  std::sort(entries.begin(), entries.end(), read_order_less);
  encoded_batch out;
  out.req.epoch = epoch;
  out.req.batch = id;
  out.meta.min_ts = entries.front().ts;
  out.meta.max_ts = entries.back().ts;
  out.meta.entries = static_cast<uint32_t>(entries.size());
  uint64_t bytes = 0;
  for (auto& e : entries)
    bytes += entry_bytes(e);
  out.meta.bytes = static_cast<uint32_t>(bytes);
  encode_batch_frame(id, req.client, req.seq, out.meta.min_ts,
                     out.meta.max_ts, entries, out.req.frame);
  return out;
}

append_ack make_ack(const master_state& st, batch_id id,
                    const replica_list& replicas) {
  append_ack ack;
  ack.batch = id;
  ack.epoch = st.epoch;
  for (auto n : replicas)
    ack.replicas.push_back(st.members[n].name);
  return ack;
}

/// The definite answer a master gives when it cannot place an append, or
/// in_doubt for a retry while a member is unreported (machine_doubt.cpp).
error_answer refuse(const master_state& st, const append_req& req, errc code,
                    const std::string& text) {
  if (definite_allowed(st, req.attempt))
    return {code, text};
  return {errc::in_doubt,
          text + "; an earlier attempt of this (client, seq) may be stored on "
            + unreported_names(st)
            + ", which has not reported since the master restarted: retry "
              "later"};
}

} // namespace

void master_machine::deliver_to_waiters(pending_write& pw,
                                        const answer& value) {
  for (auto token : pw.waiters)
    emit(fx::reply{token, value});
  pw.waiters.clear();
}

void master_machine::fail_write(pending_write& pw) {
  // A retry's earlier attempt may be stored on a member that has not
  // reported since a restart: then the honest answer is "in doubt".
  auto code = definite_allowed(st_, pw.retry ? 1 : 0) ? errc::replication_failed
                                                      : errc::in_doubt;
  log(log_level::warn, "replication_failed",
      "batch " + std::to_string(pw.id) + " reached only "
        + std::to_string(pw.meta.replicas.count) + " of "
        + std::to_string(st_.cfg.effective_write_quorum())
        + " required copies after " + std::to_string(pw.attempts)
        + " attempts; telling the client ("
        + (code == errc::in_doubt
             ? "in doubt: an earlier attempt may be stored on "
                 + unreported_names(st_) + ", not reported yet"
             : std::string{"definite: never indexed"})
        + ")");
  // Cannot be refused: the pair is in progress with this very batch.
  (void) remember_outcome(st_, pw.client, pw.seq,
                          {dedup_table::state::failed, pw.id, code}, false);
  // Durably: copies of it on nodes must never be adopted after a restart.
  st_.failed.insert(pw.id);
  persist();
  // With several masters the record is committed at a majority of storage
  // nodes before the client hears a definite failure (a new master must
  // know the batch failed).
  error_answer failed{code, "batch " + std::to_string(pw.id)};
  for (auto token : pw.waiters)
    reply_durable(token, failed);
  pw.waiters.clear();
  st_.pending_writes.erase(pw.id);
}

void master_machine::ack_write(pending_write& pw) {
  LOGSTORE_ASSERT(!pw.acked);
  LOGSTORE_ASSERT(pw.meta.replicas.count >= st_.cfg.effective_write_quorum());
  pw.acked = true;
  pw.acked_with = pw.meta.replicas.count;
  st_.index.insert(pw.id, pw.meta);
  note_acked(st_, pw.meta);
  // Cannot be refused: the pair is in progress with this very batch.
  (void) remember_outcome(st_, pw.client, pw.seq,
                          {dedup_table::state::acked, pw.id, errc::none},
                          false);
  deliver_to_waiters(pw, make_ack(st_, pw.id, pw.meta.replicas));
  if (st_.failover.enabled)
    emit(fx::acked{st_.epoch});
  log_lazy(log_level::debug, "batch_acked", [&] {
    return "batch " + std::to_string(pw.id) + " has "
           + std::to_string(pw.meta.replicas.count)
           + " confirmed copies; acknowledged";
  });
}

/// Ends tracking once nothing is outstanding. The batch keeps whatever
/// copies it got; fewer than RF means under-replicated (repaired later).
void master_machine::maybe_finish(pending_write& pw) {
  if (!pw.outstanding.empty())
    return;
  if (!pw.acked)
    return; // fail_write or a replacement decides
  if (pw.meta.replicas.count < st_.cfg.replication_factor) {
    log(log_level::warn, "under_replicated",
        "batch " + std::to_string(pw.id) + " ended with "
          + std::to_string(pw.meta.replicas.count) + " of "
          + std::to_string(st_.cfg.replication_factor)
          + " copies; queued for repair");
    enqueue_repair(st_, pw.id);
  }
  st_.pending_writes.erase(pw.id);
}

void master_machine::on_store_ack(batch_id id, node_number node) {
  auto i = st_.pending_writes.find(id);
  if (i == st_.pending_writes.end()) {
    // A late confirmation after tracking ended: the copy exists, so record
    // it if the batch is indexed and still short of replicas.
    if (auto* meta = st_.index.find(id);
        meta != nullptr && meta->replicas.count < st_.cfg.replication_factor) {
      listed_again(st_, node, id);
      meta->replicas.add(node);
    }
    return;
  }
  auto& pw = i->second;
  if (contains(pw.lost_on, node)) {
    // The node reported this copy lost before its confirmation arrived.
    on_store_failure(id, node, errc::store_refused);
    return;
  }
  erase_value(pw.outstanding, node);
  listed_again(st_, node, id);
  if (pw.meta.replicas.add(node)) {
    st_.members[node].bytes += pw.meta.bytes;
    if (pw.acked)
      if (auto* meta = st_.index.find(id))
        meta->replicas.add(node);
  }
  if (!pw.acked && pw.meta.replicas.count >= st_.cfg.effective_write_quorum())
    ack_write(pw);
  maybe_finish(pw);
}

/// Without a further copy in flight: fail (below the write quorum, never
/// acked) or end tracking.
void master_machine::finish_or_fail(pending_write& pw) {
  if (!pw.acked
      && pw.meta.replicas.count + pw.outstanding.size()
           < st_.cfg.effective_write_quorum()) {
    fail_write(pw);
    return;
  }
  maybe_finish(pw);
}

void master_machine::on_store_failure(batch_id id, node_number node,
                                      errc code) {
  auto i = st_.pending_writes.find(id);
  if (i == st_.pending_writes.end())
    return;
  auto& pw = i->second;
  if (!contains(pw.outstanding, node))
    return; // already confirmed, or a duplicated error
  erase_value(pw.outstanding, node);
  if (code == errc::timeout)
    emit(fx::forget_peer{st_.members[node].name});
  auto have = pw.meta.replicas.count + pw.outstanding.size();
  if (have < st_.cfg.replication_factor
      && pw.attempts < st_.cfg.effective_store_attempts()) {
    auto candidates = eligible_nodes(st_, now_, pw.tried);
    auto pick = choose_replicas(st_.cfg.placement, candidates, 1, st_.rng);
    if (!pick.empty()) {
      log(log_level::info, "store_replaced",
          st_.members[node].name + " did not confirm batch "
            + std::to_string(id) + " (" + std::string{to_string(code)}
            + "); sending the copy to " + st_.members[pick.front()].name
            + " instead");
      send_store(pw, pick.front());
      return;
    }
    // No other node to try: a lost message, a connection being set up
    // again or a frame damaged on the way is not a dead node. Ask the same
    // node once more, shortly, while attempts last and the detector does
    // not call it dead (the master's own copy of the frame is intact).
    if ((code == errc::timeout || code == errc::unreachable
         || code == errc::corrupt_frame)
        && st_.detector.state(node, now_) != node_state::dead) {
      pw.outstanding.push_back(node); // reserved for the retry
      emit(fx::timer{std::max<time_us>(st_.cfg.store_timeout / 5, 1'000),
                     fx::timer_kind::retry_store, id, node});
      return;
    }
  }
  finish_or_fail(pw);
}

void master_machine::send_store(pending_write& pw, node_number node) {
  pw.outstanding.push_back(node);
  pw.tried.push_back(node);
  ++pw.attempts;
  outstanding_request what;
  what.what = outstanding_request::kind::store;
  what.batch = pw.id;
  what.node = node;
  request(node, pw.payload, st_.cfg.store_timeout, std::move(what));
}

/// Answers a retried (client, seq) from memory. Returns true if answered.
bool master_machine::answer_duplicate(const append_req& req, uint64_t token) {
  auto* seen = find_outcome(st_, req.client, req.seq);
  if (seen == nullptr)
    return false;
  switch (seen->st) {
    case dedup_table::state::in_progress: {
      auto i = st_.pending_writes.find(seen->batch);
      if (i == st_.pending_writes.end())
        return false; // invariant 3 says never; treat it as unknown
      i->second.waiters.push_back(token);
      return true;
    }
    case dedup_table::state::acked: {
      auto* meta = st_.index.find(seen->batch);
      auto quorum = st_.cfg.effective_write_quorum();
      if (meta != nullptr && meta->replicas.count < quorum) {
        // Adopted after a restart with fewer known copies than an ack
        // promises: stored, but not vouched for yet. Repair is copying it.
        emit(fx::reply{
          token, error_answer{errc::in_doubt,
                              "batch " + std::to_string(seen->batch)
                                + " holds this append on "
                                + std::to_string(meta->replicas.count)
                                + " known node(s), " + std::to_string(quorum)
                                + " required; retry shortly"}});
        return true;
      }
      replica_list none;
      emit(fx::reply{token, make_ack(st_, seen->batch,
                                     meta ? meta->replicas : none)});
      return true;
    }
    case dedup_table::state::failed:
      if (!is_definite(seen->error))
        return false; // "in doubt" is no answer yet: try again
      // (With several masters: once the record naming it failed is
      // committed, as for the first answer.)
      reply_durable(token, error_answer{seen->error,
                                        "batch "
                                          + std::to_string(seen->batch)});
      return true;
  }
  return false;
}

batch_id master_machine::take_batch_id() {
  auto id = st_.next_batch++;
  if (st_.failover.enabled) {
    // Reserve the next block while half of this one is left, so that its
    // record is committed before the ids are needed.
    if (st_.next_batch + master_state::id_block / 2
        >= st_.record.reserved_until) {
      st_.record.reserved_until += master_state::id_block;
      persist();
    }
    return id;
  }
  if (st_.durable && st_.next_batch >= st_.record.reserved_until) {
    // Reserve the next block durably before any of it is handed out.
    st_.record.reserved_until = st_.next_batch + master_state::id_block;
    persist();
  }
  return id;
}

void master_machine::on_append(uint64_t token, append_req& req, time_us now,
                               effects& out) {
  begin(now, out);
  if (st_.failover.enabled && st_.failover.role == master_role::active
      && req.epoch > st_.epoch)
    step_down("a client has seen epoch " + std::to_string(req.epoch),
              req.epoch, {});
  if (refuse_inactive(token))
    return end();
  if (st_.cfg.write_path == write_path_kind::direct) {
    emit(fx::reply{token, error_answer{errc::precondition_failed,
                                       "this cluster takes direct writes "
                                       "(write_path = direct): ask for a "
                                       "placement (placement_req) and store "
                                       "at its replicas"}});
    return end();
  }
  if (req.entries.empty() || req.entries.size() > st_.cfg.batch_entries_max) {
    emit(fx::reply{token, error_answer{errc::malformed_request,
                                       "a batch holds 1 to "
                                         + std::to_string(
                                           st_.cfg.batch_entries_max)
                                         + " entries"}});
    return end();
  }
  if (answer_duplicate(req, token))
    return end(); // known from before (also after a restart: adopted)
  if (st_.rebuilding) {
    emit(fx::reply{token,
                   refuse(st_, req, errc::unavailable,
                          "the master restarted and is rebuilding its index "
                          "from the storage nodes' reports; retry shortly")});
    return end();
  }
  bool track = req.attempt > 0 && st_.uncertain();
  if (track && st_.restart_retries >= master_state::restart_retries_max) {
    emit(fx::reply{token, refuse(st_, req, errc::unavailable,
                                 "too many retries to remember while a "
                                 "member is unreported")});
    return end();
  }
  if (st_.failover.enabled
      && st_.next_batch >= st_.failover.committed_reserved) {
    emit(fx::reply{token, refuse(st_, req, errc::unavailable,
                                 "the next block of batch ids is not yet "
                                 "recorded on a majority of storage nodes; "
                                 "retry shortly")});
    return end();
  }
  auto candidates = eligible_nodes(st_, now_, {});
  auto quorum = st_.cfg.effective_write_quorum();
  if (candidates.size() < quorum) {
    emit(fx::reply{token, refuse(st_, req, errc::not_enough_nodes,
                                 std::to_string(candidates.size())
                                   + " live storage nodes, write quorum "
                                   + std::to_string(quorum))});
    return end();
  }
  auto id = take_batch_id();
  auto encoded = encode_batch(st_.epoch, id, req);
  auto shared = std::make_shared<shared_store>();
  shared->req = std::move(encoded.req);
  pending_write pw;
  pw.id = id;
  pw.client = req.client;
  pw.seq = req.seq;
  pw.retry = req.attempt > 0;
  pw.meta.min_ts = encoded.meta.min_ts;
  pw.meta.max_ts = encoded.meta.max_ts;
  pw.meta.entries = encoded.meta.entries;
  pw.meta.bytes = encoded.meta.bytes;
  pw.payload = std::move(shared);
  pw.waiters.push_back(token);
  auto chosen = choose_replicas(st_.cfg.placement, candidates,
                                st_.cfg.replication_factor, st_.rng);
  // Cannot be refused: find_outcome() knew nothing of the pair.
  (void) remember_outcome(st_, req.client, req.seq,
                          {dedup_table::state::in_progress, id, errc::none},
                          track);
  st_.restart_retries += track ? 1 : 0;
  auto& stored = st_.pending_writes.emplace(id, std::move(pw)).first->second;
  for (auto n : chosen)
    send_store(stored, n);
  end();
}

std::vector<placement_candidate>
eligible_nodes(const master_state& st, time_us now,
               const std::vector<node_number>& exclude) {
  std::vector<placement_candidate> result;
  for (size_t n = 0; n < st.members.size(); ++n) {
    auto num = static_cast<node_number>(n);
    if (st.members[n].removed
        || st.detector.state(num, now) != node_state::up
        || contains(exclude, num) || st.members[n].draining)
      continue;
    // With several masters, only a member a majority knows of from the
    // record: a new master must find every copy an ack counted.
    if (st.failover.enabled
        && st.failover.committed_names.count(st.members[n].name) == 0)
      continue;
    result.push_back({num, st.members[n].bytes, st.members[n].zone});
  }
  return result;
}

} // namespace logstore
