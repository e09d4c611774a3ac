// logstore — the master's write path: placement, store requests, the write
// quorum, replacement of nodes that do not confirm. See master_actor.hpp.
#include "actors/master_state.hpp"

#include "core/base/assert.hpp"
#include "core/storage/entry_store.hpp"
#include "core/master/placement.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace logstore {

namespace {

bool contains(const std::vector<node_number>& xs, node_number x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

void erase_value(std::vector<node_number>& xs, node_number x) {
  xs.erase(std::remove(xs.begin(), xs.end(), x), xs.end());
}

/// Turns the client's entries into stored entries sorted in read order.
store_req make_store_req(uint64_t epoch, batch_id id, append_req& req) {
  store_req out;
  out.epoch = epoch;
  out.batch = id;
  out.client = req.client;
  out.seq = req.seq;
  out.entries.reserve(req.entries.size());
  for (uint32_t i = 0; i < req.entries.size(); ++i) {
    auto& e = req.entries[i];
    out.entries.push_back({e.ts, std::move(e.source), std::move(e.payload),
                           req.client, req.seq, i});
  }
  std::sort(out.entries.begin(), out.entries.end(), read_order_less);
  out.min_ts = out.entries.front().ts;
  out.max_ts = out.entries.back().ts;
  return out;
}

void send_store(caf::event_based_actor* self, const master_ptr& st,
                pending_write& pw, node_number node);

void deliver_to_waiters(pending_write& pw, const caf::message& reply) {
  for (auto& rp : pw.waiters)
    rp.deliver(reply);
  pw.waiters.clear();
}

void fail_write(caf::event_based_actor* self, const master_ptr& st,
                pending_write& pw) {
  // A retry's earlier attempt may be stored on a member that has not
  // reported since a restart: then the honest answer is "in doubt".
  auto code = definite_allowed(*st, pw.retry ? 1 : 0) ? errc::replication_failed
                                                      : errc::in_doubt;
  log_event(self, st->ctx, log_level::warn, "replication_failed",
            "batch " + std::to_string(pw.id) + " reached only "
              + std::to_string(pw.meta.replicas.count) + " of "
              + std::to_string(st->cfg.effective_write_quorum())
              + " required copies after " + std::to_string(pw.attempts)
              + " attempts; telling the client ("
              + (code == errc::in_doubt
                   ? "in doubt: an earlier attempt may be stored on "
                       + unreported_names(*st) + ", not reported yet"
                   : std::string{"definite: never indexed"})
              + ")");
  // Cannot be refused: the pair is in progress with this very batch.
  (void) remember_outcome(*st, pw.client, pw.seq,
                          {dedup_table::state::failed, pw.id, code}, false);
  // Durably: copies of it on nodes must never be adopted after a restart.
  st->failed.insert(pw.id);
  save_record(self, st);
  auto err = make_error(code, "batch " + std::to_string(pw.id));
  for (auto& rp : pw.waiters)
    rp.deliver(err);
  pw.waiters.clear();
  st->pending_writes.erase(pw.id);
}

append_ack make_ack(const master_state& st, batch_id id,
                    const replica_list& replicas) {
  append_ack ack;
  ack.batch = id;
  for (auto n : replicas)
    ack.replicas.push_back(st.members[n].name);
  return ack;
}

void ack_write(caf::event_based_actor* self, const master_ptr& st,
               pending_write& pw) {
  LOGSTORE_ASSERT(!pw.acked);
  LOGSTORE_ASSERT(pw.meta.replicas.count >= st->cfg.effective_write_quorum());
  pw.acked = true;
  st->index.insert(pw.id, pw.meta);
  note_acked(*st, pw.meta);
  // Cannot be refused: the pair is in progress with this very batch.
  (void) remember_outcome(*st, pw.client, pw.seq,
                          {dedup_table::state::acked, pw.id, errc::none},
                          false);
  deliver_to_waiters(pw,
                     caf::make_message(make_ack(*st, pw.id, pw.meta.replicas)));
  log_lazy(self, st->ctx, log_level::debug, "batch_acked", [&] {
    return "batch " + std::to_string(pw.id) + " has "
           + std::to_string(pw.meta.replicas.count)
           + " confirmed copies; acknowledged";
  });
}

/// Ends tracking once nothing is outstanding. The batch keeps whatever
/// copies it got; fewer than RF means under-replicated (repaired later).
void maybe_finish(caf::event_based_actor* self, const master_ptr& st,
                  pending_write& pw) {
  if (!pw.outstanding.empty())
    return;
  if (!pw.acked)
    return; // fail_write or a replacement decides
  if (pw.meta.replicas.count < st->cfg.replication_factor) {
    log_event(self, st->ctx, log_level::warn, "under_replicated",
              "batch " + std::to_string(pw.id) + " ended with "
                + std::to_string(pw.meta.replicas.count) + " of "
                + std::to_string(st->cfg.replication_factor)
                + " copies; queued for repair");
    enqueue_repair(*st, pw.id);
  }
  st->pending_writes.erase(pw.id);
}

void on_store_failure(caf::event_based_actor* self, const master_ptr& st,
                      batch_id id, node_number node, errc code);

void on_store_ack(caf::event_based_actor* self, const master_ptr& st,
                  batch_id id, node_number node) {
  auto i = st->pending_writes.find(id);
  if (i == st->pending_writes.end()) {
    // A late confirmation after tracking ended: the copy exists, so record
    // it if the batch is indexed and still short of replicas.
    if (auto* meta = st->index.find(id);
        meta != nullptr && meta->replicas.count < st->cfg.replication_factor) {
      listed_again(*st, node, id);
      meta->replicas.add(node);
    }
    return;
  }
  auto& pw = i->second;
  if (contains(pw.lost_on, node)) {
    // The node reported this copy lost before its confirmation arrived.
    on_store_failure(self, st, id, node, errc::store_refused);
    return;
  }
  erase_value(pw.outstanding, node);
  listed_again(*st, node, id);
  if (pw.meta.replicas.add(node)) {
    st->members[node].bytes += pw.meta.bytes;
    if (pw.acked)
      if (auto* meta = st->index.find(id))
        meta->replicas.add(node);
  }
  if (!pw.acked
      && pw.meta.replicas.count >= st->cfg.effective_write_quorum())
    ack_write(self, st, pw);
  maybe_finish(self, st, pw);
}

/// Without a further copy in flight: fail (below the write quorum, never
/// acked) or end tracking.
void finish_or_fail(caf::event_based_actor* self, const master_ptr& st,
                    pending_write& pw) {
  if (!pw.acked
      && pw.meta.replicas.count + pw.outstanding.size()
           < st->cfg.effective_write_quorum()) {
    fail_write(self, st, pw);
    return;
  }
  maybe_finish(self, st, pw);
}

void on_store_failure(caf::event_based_actor* self, const master_ptr& st,
                      batch_id id, node_number node, errc code) {
  auto i = st->pending_writes.find(id);
  if (i == st->pending_writes.end())
    return;
  auto& pw = i->second;
  if (!contains(pw.outstanding, node))
    return; // already confirmed, or a duplicated error
  erase_value(pw.outstanding, node);
  if (code == errc::timeout)
    st->peers.forget(st->members[node].name);
  auto have = pw.meta.replicas.count + pw.outstanding.size();
  if (have < st->cfg.replication_factor
      && pw.attempts < st->cfg.effective_store_attempts()) {
    auto now = now_us(self);
    auto candidates = eligible_nodes(*st, now, pw.tried);
    auto pick = choose_replicas(st->cfg.placement, candidates, 1, st->rng);
    if (!pick.empty()) {
      log_event(self, st->ctx, log_level::info, "store_replaced",
                st->members[node].name + " did not confirm batch "
                  + std::to_string(id) + " (" + std::string{to_string(code)}
                  + "); sending the copy to "
                  + st->members[pick.front()].name + " instead");
      send_store(self, st, pw, pick.front());
      return;
    }
    // No other node to try: a lost message or a connection being set up
    // again is not a dead node. Ask the same node once more, shortly, while
    // attempts last and the detector does not call it dead.
    if ((code == errc::timeout || code == errc::unreachable)
        && st->detector.state(node, now) != node_state::dead) {
      pw.outstanding.push_back(node); // reserved for the retry
      self->delayed_send(self,
                         span_us(std::max<time_us>(st->cfg.store_timeout / 5,
                                                   1'000)),
                         retry_atom::value, id, node);
      return;
    }
  }
  finish_or_fail(self, st, pw);
}

} // namespace

void retry_store(caf::event_based_actor* self, const master_ptr& st,
                 batch_id id, node_number node) {
  auto i = st->pending_writes.find(id);
  if (i == st->pending_writes.end())
    return;
  auto& pw = i->second;
  if (!contains(pw.outstanding, node))
    return;
  erase_value(pw.outstanding, node);
  if (st->detector.state(node, now_us(self)) == node_state::dead) {
    finish_or_fail(self, st, pw);
    return;
  }
  send_store(self, st, pw, node);
}

namespace {

void send_store(caf::event_based_actor* self, const master_ptr& st,
                pending_write& pw, node_number node) {
  pw.outstanding.push_back(node);
  pw.tried.push_back(node);
  ++pw.attempts;
  auto id = pw.id;
  auto payload = pw.payload;
  auto timeout = st->cfg.store_timeout;
  st->peers.with_peer(
    self, st->ctx.directory, st->members[node].name, timeout,
    [self, st, id, node, payload, timeout](const caf::actor& peer) {
      self->request(peer, span_us(timeout), payload)
        .then([self, st, id, node](
                store_ack&) { on_store_ack(self, st, id, node); },
              [self, st, id, node](caf::error& err) {
                on_store_failure(self, st, id, node, to_errc(err));
              });
    },
    [self, st, id, node](errc code) {
      on_store_failure(self, st, id, node, code);
    });
}

/// Answers a retried (client, seq) from memory. Returns true if answered.
bool answer_duplicate(const master_ptr& st, const append_req& req,
                      caf::response_promise& rp) {
  auto* seen = find_outcome(*st, req.client, req.seq);
  if (seen == nullptr)
    return false;
  switch (seen->st) {
    case dedup_table::state::in_progress: {
      auto i = st->pending_writes.find(seen->batch);
      if (i == st->pending_writes.end())
        return false; // invariant 3 says never; treat it as unknown
      i->second.waiters.push_back(std::move(rp));
      return true;
    }
    case dedup_table::state::acked: {
      auto* meta = st->index.find(seen->batch);
      auto quorum = st->cfg.effective_write_quorum();
      if (meta != nullptr && meta->replicas.count < quorum) {
        // Adopted after a restart with fewer known copies than an ack
        // promises: stored, but not vouched for yet. Repair is copying it.
        rp.deliver(make_error(
          errc::in_doubt,
          "batch " + std::to_string(seen->batch) + " holds this append on "
            + std::to_string(meta->replicas.count) + " known node(s), "
            + std::to_string(quorum) + " required; retry shortly"));
        return true;
      }
      replica_list none;
      rp.deliver(make_ack(*st, seen->batch, meta ? meta->replicas : none));
      return true;
    }
    case dedup_table::state::failed:
      if (!is_definite(seen->error))
        return false; // "in doubt" is no answer yet: try again
      rp.deliver(make_error(seen->error, "batch "
                                           + std::to_string(seen->batch)));
      return true;
  }
  return false;
}

/// The definite answer a master gives when it cannot place an append, or
/// in_doubt for a retry while a member is unreported (master_doubt.cpp).
caf::error refuse(const master_state& st, const append_req& req, errc code,
                  const std::string& text) {
  if (definite_allowed(st, req.attempt))
    return make_error(code, text);
  return make_error(errc::in_doubt,
                    text + "; an earlier attempt of this (client, seq) may "
                           "be stored on " + unreported_names(st)
                      + ", which has not reported since the master "
                        "restarted: retry later");
}

} // namespace

std::vector<placement_candidate>
eligible_nodes(const master_state& st, time_us now,
               const std::vector<node_number>& exclude) {
  std::vector<placement_candidate> result;
  for (size_t n = 0; n < st.members.size(); ++n) {
    auto num = static_cast<node_number>(n);
    if (st.detector.state(num, now) != node_state::up || contains(exclude, num)
        || st.members[n].draining)
      continue;
    result.push_back({num, st.members[n].bytes, st.members[n].zone});
  }
  return result;
}

void handle_append(caf::event_based_actor* self, const master_ptr& st,
                   append_req& req, caf::response_promise rp) {
  if (req.entries.empty() || req.entries.size() > st->cfg.batch_entries_max) {
    rp.deliver(make_error(errc::malformed_request,
                          "a batch holds 1 to "
                            + std::to_string(st->cfg.batch_entries_max)
                            + " entries"));
    return;
  }
  if (answer_duplicate(st, req, rp))
    return; // known from before (also after a restart: adopted)
  if (st->rebuilding) {
    rp.deliver(refuse(*st, req, errc::unavailable,
                      "the master restarted and is rebuilding its index "
                      "from the storage nodes' reports; retry shortly"));
    return;
  }
  bool track = req.attempt > 0 && st->uncertain();
  if (track && st->restart_retries >= master_state::restart_retries_max) {
    rp.deliver(refuse(*st, req, errc::unavailable,
                      "too many retries to remember while a member is "
                      "unreported"));
    return;
  }

  auto now = now_us(self);
  auto candidates = eligible_nodes(*st, now, {});
  auto quorum = st->cfg.effective_write_quorum();
  if (candidates.size() < quorum) {
    rp.deliver(refuse(*st, req, errc::not_enough_nodes,
                      std::to_string(candidates.size())
                        + " live storage nodes, write quorum "
                        + std::to_string(quorum)));
    return;
  }
  auto id = take_batch_id(self, st);
  auto sreq = make_store_req(st->epoch, id, req);
  pending_write pw;
  pw.id = id;
  pw.client = req.client;
  pw.seq = req.seq;
  pw.retry = req.attempt > 0;
  pw.meta.min_ts = sreq.min_ts;
  pw.meta.max_ts = sreq.max_ts;
  pw.meta.entries = static_cast<uint32_t>(sreq.entries.size());
  uint64_t bytes = 0;
  for (auto& e : sreq.entries)
    bytes += entry_bytes(e);
  pw.meta.bytes = static_cast<uint32_t>(bytes);
  pw.payload = caf::make_message(std::move(sreq));
  pw.waiters.push_back(std::move(rp));
  auto chosen = choose_replicas(st->cfg.placement, candidates,
                                st->cfg.replication_factor, st->rng);
  // Cannot be refused: find_outcome() knew nothing of the pair.
  (void) remember_outcome(*st, req.client, req.seq,
                          {dedup_table::state::in_progress, id, errc::none},
                          track);
  st->restart_retries += track ? 1 : 0;
  auto& stored = st->pending_writes.emplace(id, std::move(pw)).first->second;
  for (auto n : chosen)
    send_store(self, st, stored, n);
}

} // namespace logstore
