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
//   A queued batch whose live copies are back to RF (node returned, other
//   copy finished) is skipped: the unneeded remainder is cancelled.
//
//   join with block report --> forget copies the node no longer has,
//   re-add copies the index had lost track of, delete surplus (> RF live)
//   and never-acknowledged copies.
#include "actors/master_state.hpp"

#include "core/assert.hpp"

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
                  batch_id id, node_number target, errc code);

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

/// A replica that is up and not draining, to copy from.
bool pick_source(const master_state& st, const batch_meta& meta, time_us now,
                 node_number& out) {
  for (auto r : meta.replicas)
    if (st.detector.state(r, now) == node_state::up) {
      out = r;
      return true;
    }
  return false;
}

void add_replica(master_state& st, batch_meta& meta, node_number n,
                 time_us now) {
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
                  batch_id id, node_number target, errc code) {
  st->repairs_inflight.erase(id);
  auto now = now_us(self);
  auto* meta = st->index.find(id);
  auto move = st->moving_from.find(id);
  bool was_move = move != st->moving_from.end();
  if (code != errc::none) {
    ++st->repair_failures;
    if (code == errc::timeout)
      st->peers.forget(st->members[target].name);
    if (was_move)
      st->moving_from.erase(move); // a move is simply abandoned
    else if (meta != nullptr)
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
  add_replica(*st, *meta, target, now);
  st->members[target].bytes += meta->bytes;
  drop_surplus(self, st, id);
  if (live_copies(*st, *meta, now) < st->cfg.replication_factor)
    enqueue_repair(*st, id);
  pump_repairs(self, st);
}

} // namespace

void start_copy(caf::event_based_actor* self, const master_ptr& st,
                batch_id id, node_number source, node_number target) {
  st->repairs_inflight.emplace(id, target);
  copy_req req{id, st->members[source].name, st->members[source].address};
  auto timeout = st->cfg.copy_timeout;
  st->peers.with_peer(
    self, st->ctx.directory, st->members[target].name, timeout,
    [self, st, id, target, timeout, req](const caf::actor& peer) {
      self->request(peer, span_us(timeout), req)
        .then(
          [self, st, id, target](copy_ack&) {
            on_copy_done(self, st, id, target, errc::none);
          },
          [self, st, id, target](caf::error& err) {
            on_copy_done(self, st, id, target, to_errc(err));
          });
    },
    [self, st, id, target](errc code) {
      on_copy_done(self, st, id, target, code);
    });
}

namespace {

void pump_repairs(caf::event_based_actor* self, const master_ptr& st) {
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
    if (live_copies(*st, *meta, now) >= st->cfg.replication_factor) {
      drop_surplus(self, st, id); // e.g. a draining node's copy
      continue; // enough copies again: cancelled
    }
    node_number source = 0;
    if (!pick_source(*st, *meta, now, source)) {
      // No live copy right now; a rejoining node may bring one back.
      enqueue_repair(*st, id);
      continue;
    }
    std::vector<node_number> exclude{meta->replicas.begin(),
                                     meta->replicas.end()};
    auto pick = choose_replicas(st->cfg.placement,
                                eligible_nodes(*st, now, exclude), 1, st->rng);
    if (pick.empty()) {
      enqueue_repair(*st, id); // no node can take it yet
      continue;
    }
    start_copy(self, st, id, source, pick.front());
  }
}

} // namespace

void repair_tick(caf::event_based_actor* self, const master_ptr& st) {
  auto now = now_us(self);
  for (size_t n = 0; n < st->members.size(); ++n) {
    auto& m = st->members[n];
    if (m.dead_since >= 0 && !m.dead_scanned
        && now - m.dead_since >= st->cfg.repair_grace)
      scan_dead_member(self, st, static_cast<node_number>(n), now);
  }
  pump_repairs(self, st);
}

void forget_lost_copies(caf::event_based_actor* self, const master_ptr& st,
                        node_number n, const std::vector<batch_id>& lost) {
  uint64_t dropped = 0;
  for (auto id : lost)
    if (auto* meta = st->index.find(id); meta && meta->replicas.remove(n)) {
      enqueue_repair(*st, id);
      ++dropped;
    }
  log_event(self, st->ctx, log_level::warn, "copies_lost",
            st->members[n].name + " reports " + std::to_string(lost.size())
              + " damaged or lost copy(ies); " + std::to_string(dropped)
              + " dropped from the index and queued for re-replication");
  pump_repairs(self, st);
}

void reconcile_member(caf::event_based_actor* self, const master_ptr& st,
                      node_number n, const std::vector<batch_id>& holds) {
  LOGSTORE_ASSERT(std::is_sorted(holds.begin(), holds.end()));
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
  std::vector<batch_id> drop;
  for (auto id : holds) {
    auto* meta = st->index.find(id);
    if (meta == nullptr) {
      // Never acknowledged (a write that failed) and not in flight: the
      // copy can never be read, so it is garbage (docs/protocol.md).
      if (st->pending_writes.count(id) == 0 && id < st->next_batch)
        drop.push_back(id);
      continue;
    }
    if (meta->replicas.contains(n))
      continue;
    if (live_copies(*st, *meta, now) >= st->cfg.replication_factor) {
      drop.push_back(id); // surplus beyond RF
      continue;
    }
    add_replica(*st, *meta, n, now);
    ++readded;
  }
  if (!drop.empty())
    st->peers.with_peer(
      self, st->ctx.directory, st->members[n].name, st->cfg.store_timeout,
      [self, drop](const caf::actor& peer) {
        self->send(peer, delete_req{drop});
      },
      [](errc) {});
  if (lost + readded + drop.size() > 0)
    log_event(self, st->ctx, log_level::info, "reconciled",
              st->members[n].name + " reported " + std::to_string(holds.size())
                + " batch(es): " + std::to_string(lost)
                + " copies lost (queued for repair), "
                + std::to_string(readded) + " copies re-added, "
                + std::to_string(drop.size())
                + " surplus or never-acknowledged copies deleted");
  pump_repairs(self, st);
}

} // namespace logstore
