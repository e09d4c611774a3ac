// logstore — re-replication and reconciliation at the master.
//
//   node dead --(repair_grace passes)--> scan index: batches listing it
//        |                                  -> queue, fewest live copies first
//        +--(back within the grace)--> nothing copied
//
//   queue --(throttle: repair_inflight_max)--> copy_req to a target that
//   lacks the batch (placement policy), naming a live source replica
//        --copy_ack--> index gains the target (only now: never before the
//                      copy is confirmed)
//        --failure---> back in the queue; retried on the next tick
//   A queued batch with RF presumed copies (copies on nodes that are up,
//   suspect, or dead for less than the grace) is skipped: a node that
//   returned cancels the unneeded remainder, and a queued batch never
//   bypasses the grace of a node that is merely silent. Live copies above
//   RF (the node came back after all) are trimmed (drop_surplus).
//
//   join with block report --> forget copies the node no longer has,
//   re-add copies the index had lost track of (surplus beyond RF is
//   trimmed later, among verified copies only), adopt unknown batches
//   (master_doubt.cpp), delete failed, expired and twin copies.
#include "actors/master_state.hpp"

#include "core/base/assert.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace logstore {

uint32_t live_copies(const master_state& st, const batch_meta& meta,
                     time_us now) {
  uint32_t n = 0;
  for (auto r : meta.replicas)
    if (st.detector.state(r, now) == node_state::up && !st.members[r].draining)
      ++n;
  return n;
}

uint32_t presumed_copies(const master_state& st, const batch_meta& meta,
                         time_us now) {
  uint32_t n = 0;
  for (auto r : meta.replicas)
    if (!st.members[r].draining
        && (st.detector.state(r, now) == node_state::up
            || !st.members[r].dead_scanned))
      ++n;
  return n;
}

uint64_t count_under_replicated(const master_state& st, time_us now) {
  uint64_t n = 0;
  st.index.for_each([&](batch_id, const batch_meta& meta) {
    if (live_copies(st, meta, now) < st.cfg.replication_factor)
      ++n;
  });
  return n;
}

void enqueue_repair(master_state& st, batch_id id) {
  if (st.repair_queued.insert(id).second)
    st.repair_queue.push_back(id);
}

namespace {

void pump_repairs(caf::event_based_actor* self, const master_ptr& st);
void on_copy_done(caf::event_based_actor* self, const master_ptr& st,
                  batch_id id, node_number source, node_number target,
                  errc code);

/// Queues every batch that lists node n, fewest live copies first.
void scan_dead_member(caf::event_based_actor* self, const master_ptr& st,
                      node_number n, time_us now) {
  std::vector<std::pair<uint32_t, batch_id>> found;
  st->index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n))
      found.emplace_back(live_copies(*st, meta, now), id);
  });
  std::sort(found.begin(), found.end());
  for (auto& [live, id] : found)
    enqueue_repair(*st, id);
  st->members[n].dead_scanned = true;
  log_event(self, st->ctx, log_level::warn, "repair_planned",
            st->members[n].name + " has been dead for "
              + std::to_string(st->cfg.repair_grace / 1000)
              + " ms (the grace period): re-replicating its "
              + std::to_string(found.size()) + " batch(es), fewest copies first");
}

/// A replica that is up to copy from (a draining node is a fine source: it
/// still holds its copies). Drawn at random among them, so a replica that
/// turns out not to hold the batch (batch_not_found) is not asked forever.
bool pick_source(master_state& st, const batch_meta& meta, time_us now,
                 node_number& out) {
  std::vector<node_number> up;
  for (auto r : meta.replicas)
    if (st.detector.state(r, now) == node_state::up)
      up.push_back(r);
  if (up.empty())
    return false;
  out = up.size() == 1 ? up.front() : up[st.rng.below(up.size())];
  return true;
}

/// Logs once whenever the repair queue runs empty after repair copies.
void note_if_idle(caf::event_based_actor* self, const master_ptr& st) {
  if (!st->repair_queue.empty() || !st->repairs_inflight.empty()
      || st->repairs_done == st->copies_at_idle)
    return;
  log_event(self, st->ctx, log_level::info, "repair_idle",
            "repair queue empty: "
              + std::to_string(st->repairs_done - st->copies_at_idle)
              + " repair copies made since it was last empty ("
              + std::to_string(st->repairs_done) + " in all)");
  st->copies_at_idle = st->repairs_done;
}

void add_replica(master_state& st, batch_id id, batch_meta& meta,
                 node_number n, time_us now) {
  listed_again(st, n, id);
  if (meta.replicas.contains(n))
    return;
  if (meta.replicas.count == replicas_max) {
    // Make room by forgetting a copy on a node that is not up.
    for (auto r : meta.replicas)
      if (st.detector.state(r, now) != node_state::up) {
        meta.replicas.remove(r);
        break;
      }
  }
  meta.replicas.add(n);
}

void on_copy_done(caf::event_based_actor* self, const master_ptr& st,
                  batch_id id, node_number source, node_number target,
                  errc code) {
  st->repairs_inflight.erase(id);
  auto now = now_us(self);
  auto* meta = st->index.find(id);
  auto move = st->moving_from.find(id);
  bool was_move = move != st->moving_from.end();
  if (code != errc::none) {
    ++st->repair_failures;
    if (code == errc::timeout)
      st->peers.forget(st->members[target].name);
    if (code == errc::batch_not_found && meta != nullptr
        && meta->replicas.remove(source))
      // The source does not have it (lost, or damaged and never served):
      // the index stops counting that copy, so repair sees the true count.
      log_event(self, st->ctx, log_level::warn, "copy_source_lost",
                st->members[source].name + " lacks batch "
                  + std::to_string(id)
                  + " (asked to serve it for a copy); dropped from the "
                    "index");
    if (was_move)
      st->moving_from.erase(move); // a move is simply abandoned
    if (meta != nullptr
        && (!was_move
            || presumed_copies(*st, *meta, now)
                 < st->cfg.replication_factor))
      enqueue_repair(*st, id); // retried on the next tick
    return;
  }
  if (meta == nullptr) {
    if (was_move)
      st->moving_from.erase(move);
    return; // expired or deleted meanwhile
  }
  if (was_move)
    ++st->moves_done;
  else
    ++st->repairs_done;
  add_replica(*st, id, *meta, target, now);
  st->members[target].bytes += meta->bytes;
  drop_surplus(self, st, id);
  if (presumed_copies(*st, *meta, now) < st->cfg.replication_factor)
    enqueue_repair(*st, id);
  pump_repairs(self, st);
  flush_deletes(self, st); // also when the pump did not run
  note_if_idle(self, st);
}

} // namespace

void start_copy(caf::event_based_actor* self, const master_ptr& st,
                batch_id id, node_number source, node_number target) {
  st->repairs_inflight.emplace(id, target);
  copy_req req{id, st->members[source].name, st->members[source].address};
  auto timeout = st->cfg.copy_timeout;
  st->peers.with_peer(
    self, st->ctx.directory, st->members[target].name, timeout,
    [self, st, id, source, target, timeout, req](const caf::actor& peer) {
      self->request(peer, span_us(timeout), req)
        .then(
          [self, st, id, source, target](copy_ack&) {
            on_copy_done(self, st, id, source, target, errc::none);
          },
          [self, st, id, source, target](caf::error& err) {
            on_copy_done(self, st, id, source, target, to_errc(err));
          });
    },
    [self, st, id, source, target](errc code) {
      on_copy_done(self, st, id, source, target, code);
    });
}

namespace {

void pump_repairs(caf::event_based_actor* self, const master_ptr& st) {
  if (st->rebuilding)
    return; // copies counted before every holder reported would be waste
  auto now = now_us(self);
  auto budget = st->repair_queue.size();
  while (budget-- > 0
         && st->repairs_inflight.size() < st->cfg.repair_inflight_max
         && !st->repair_queue.empty()) {
    auto id = st->repair_queue.front();
    st->repair_queue.pop_front();
    st->repair_queued.erase(id);
    auto* meta = st->index.find(id);
    if (meta == nullptr || st->repairs_inflight.count(id) > 0)
      continue;
    if (presumed_copies(*st, *meta, now) >= st->cfg.replication_factor) {
      // Enough copies, counting those on nodes that are only suspect or
      // dead for less than the grace period (they may well come back):
      // cancelled. Surplus live copies (a draining node's, one beyond RF)
      // are dropped.
      drop_surplus(self, st, id);
      continue;
    }
    node_number source = 0;
    if (!pick_source(*st, *meta, now, source)) {
      // No live copy right now; a rejoining node may bring one back.
      enqueue_repair(*st, id);
      continue;
    }
    std::vector<node_number> exclude{meta->replicas.begin(),
                                     meta->replicas.end()};
    auto pick = choose_replicas(
      st->cfg.placement,
      prefer_new_zones(*st, *meta, now, eligible_nodes(*st, now, exclude)), 1,
      st->rng);
    if (pick.empty()) {
      enqueue_repair(*st, id); // no node can take it yet
      continue;
    }
    start_copy(self, st, id, source, pick.front());
  }
  flush_deletes(self, st);
}

} // namespace

std::vector<placement_candidate>
prefer_new_zones(const master_state& st, const batch_meta& meta, time_us now,
                 std::vector<placement_candidate> candidates) {
  std::vector<std::string> used;
  for (auto r : meta.replicas)
    if (!st.members[r].zone.empty() && !st.members[r].draining
        && st.detector.state(r, now) == node_state::up)
      used.push_back(st.members[r].zone);
  if (used.empty())
    return candidates;
  std::vector<placement_candidate> fresh;
  for (auto& c : candidates)
    if (std::find(used.begin(), used.end(), c.zone) == used.end())
      fresh.push_back(c);
  return fresh.empty() ? candidates : fresh;
}

void repair_tick(caf::event_based_actor* self, const master_ptr& st) {
  auto now = now_us(self);
  for (size_t n = 0; n < st->members.size(); ++n) {
    auto& m = st->members[n];
    if (m.dead_since >= 0 && !m.dead_scanned
        && now - m.dead_since >= st->cfg.repair_grace)
      scan_dead_member(self, st, static_cast<node_number>(n), now);
  }
  pump_repairs(self, st);
  note_if_idle(self, st);
}

void member_returned(master_state& st, node_number n) {
  // Copies made for it meanwhile are now surplus: the pump finds these
  // batches above RF and trims them (drop_surplus).
  st.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n))
      enqueue_repair(st, id);
  });
}

void forget_lost_copies(caf::event_based_actor* self, const master_ptr& st,
                        node_number n, const std::vector<batch_id>& lost) {
  uint64_t dropped = 0;
  for (auto id : lost) {
    if (auto pw = st->pending_writes.find(id); pw != st->pending_writes.end()) {
      // Reported before (or after) its confirmation: it is no copy either
      // way (on_store_ack ignores a late confirmation from this node).
      auto& w = pw->second;
      if (std::find(w.lost_on.begin(), w.lost_on.end(), n) == w.lost_on.end())
        w.lost_on.push_back(n);
      w.meta.replicas.remove(n);
    }
    if (auto* meta = st->index.find(id); meta && meta->replicas.remove(n)) {
      enqueue_repair(*st, id);
      ++dropped;
    }
  }
  log_event(self, st->ctx, log_level::warn, "copies_lost",
            st->members[n].name + " reports " + std::to_string(lost.size())
              + " damaged or lost copy(ies); " + std::to_string(dropped)
              + " dropped from the index and queued for re-replication");
  pump_repairs(self, st);
}

namespace {

/// Forgets what a join's report makes obsolete, and returns a predicate:
/// is this reported copy one the master asked the node to delete, and
/// the report does not show the delete applied yet (it is pending, or the
/// report was built before it)? Such a copy is on its way out: it must not
/// be counted, or a batch would seem to have a copy that is gone.
auto deletes_in_flight(member& m, const join_req& req) {
  if (m.boot != req.boot) {
    // A new process: acknowledgements of the old one say nothing about
    // this report (an unsynced delete may even have been undone).
    for (auto i = m.deleting.begin(); i != m.deleting.end();)
      i = i->second.version != 0 ? m.deleting.erase(i) : std::next(i);
    m.boot = req.boot;
  }
  auto version = req.version;
  return [&m, version](batch_id id) {
    auto i = m.deleting.find(id);
    return i != m.deleting.end()
           && (i->second.version == 0 || version < i->second.version);
  };
}

} // namespace

void reconcile_member(caf::event_based_actor* self, const master_ptr& st,
                      node_number n, const join_req& req) {
  const auto& infos = req.holds;
  auto in_flight = deletes_in_flight(st->members[n], req);
  std::vector<batch_id> holds;
  holds.reserve(infos.size());
  for (auto& info : infos)
    holds.push_back(info.batch);
  std::sort(holds.begin(), holds.end());
  auto now = now_us(self);
  auto held = [&](batch_id id) {
    return std::binary_search(holds.begin(), holds.end(), id);
  };
  uint64_t lost = 0;
  std::vector<batch_id> lost_ids;
  st->index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n) && !held(id))
      lost_ids.push_back(id);
  });
  for (auto id : lost_ids) {
    st->index.find(id)->replicas.remove(n);
    enqueue_repair(*st, id);
    ++lost;
  }
  uint64_t readded = 0;
  uint64_t adopted = 0;
  uint64_t twins = 0;
  uint64_t deleting = 0;
  std::vector<batch_id> drop;
  uint64_t malformed = 0;
  for (auto& info : infos) {
    auto id = info.batch;
    if (info.min_ts > info.max_ts || info.entries == 0) {
      ++malformed; // remote input: never indexed, never asserted on
      continue;
    }
    if (in_flight(id)) {
      ++deleting; // resend_deletes() finishes the job
      continue;
    }
    auto* meta = st->index.find(id);
    if (meta == nullptr) {
      if (st->pending_writes.count(id) > 0)
        continue; // a write in flight: its own acks decide
      if (st->failed.count(id) > 0 || info.max_ts < st->expired_before) {
        // Failed (never acknowledged), a twin, or expired by retention:
        // garbage, the positive reason to delete a copy.
        drop.push_back(id);
        continue;
      }
      // A batch this master does not know, yet not failed: it was written
      // before a master restart (or its ack was in flight). Adopt it, and
      // its (client, seq), so a retry is answered instead of stored twice;
      // unless this epoch already has an answer for that pair.
      if (!adopt_or_twin(self, st, n, info)) {
        drop.push_back(id);
        ++twins;
        continue;
      }
      enqueue_repair(*st, id); // until every holder reported: maybe short
      ++adopted;
      continue;
    }
    if (meta->replicas.contains(n))
      continue;
    // A copy the index did not list here: keep it. If the batch now has
    // more live copies than RF, the pump trims one, counting only verified
    // copies (drop_surplus): a report alone is never a reason to delete.
    add_replica(*st, id, *meta, n, now);
    enqueue_repair(*st, id);
    ++readded;
  }
  // Deletes this report shows applied need no memory any more.
  auto& m = st->members[n];
  for (auto i = m.deleting.begin(); i != m.deleting.end();)
    i = i->second.version != 0 && i->second.version <= req.version
          ? m.deleting.erase(i)
          : std::next(i);
  if (twins > 0)
    save_record(self, st); // twins joined the durable failed set
  send_delete(self, st, n, drop);
  if (malformed > 0)
    log_event(self, st->ctx, log_level::error, "report_malformed",
              st->members[n].name + " reported " + std::to_string(malformed)
                + " batch(es) with an inverted time range or no entries; "
                  "ignored");
  if (lost + readded + adopted + drop.size() + deleting > 0)
    log_event(self, st->ctx, log_level::info, "reconciled",
              st->members[n].name + " reported " + std::to_string(holds.size())
                + " batch(es): " + std::to_string(lost)
                + " copies lost (queued for repair), "
                + std::to_string(readded) + " copies added back, "
                + std::to_string(adopted)
                + " unknown batches adopted into the index, "
                + std::to_string(drop.size() - twins)
                + " failed or expired copies deleted, "
                + std::to_string(twins) + " twin(s) deleted, "
                + std::to_string(deleting) + " being deleted (not counted)");
  pump_repairs(self, st);
}

} // namespace logstore
