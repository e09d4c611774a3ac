// logstore — re-replication and reconciliation at the master
// (docs/protocol.md, "Repair" and "Rejoin").
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
//   (machine_doubt.cpp), delete failed, expired and twin copies.
#include "core/master/master_machine.hpp"

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
    if (meta.replicas.count > 0
        && live_copies(st, meta, now) < st.cfg.replication_factor)
      ++n;
  });
  return n;
}

uint64_t count_lost(const master_state& st) {
  uint64_t n = 0;
  st.index.for_each([&](batch_id, const batch_meta& meta) {
    if (meta.replicas.count == 0)
      ++n;
  });
  return n;
}

void enqueue_repair(master_state& st, batch_id id) {
  if (st.repair_queued.insert(id).second)
    st.repair_queue.push_back(id);
}

namespace {

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

/// Queues every batch that lists node n, fewest live copies first.
void master_machine::scan_dead_member(node_number n) {
  std::vector<std::pair<uint32_t, batch_id>> found;
  st_.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n))
      found.emplace_back(live_copies(st_, meta, now_), id);
  });
  std::sort(found.begin(), found.end());
  for (auto& [live, id] : found)
    enqueue_repair(st_, id);
  st_.members[n].dead_scanned = true;
  log(log_level::warn, "repair_planned",
      st_.members[n].name + " has been dead for "
        + std::to_string(st_.cfg.repair_grace / 1000)
        + " ms (the grace period): re-replicating its "
        + std::to_string(found.size()) + " batch(es), fewest copies first");
}

/// Logs once whenever the repair queue runs empty after repair copies.
void master_machine::note_if_idle() {
  if (!st_.repair_queue.empty() || !st_.repairs_inflight.empty()
      || st_.repairs_done == st_.copies_at_idle)
    return;
  log(log_level::info, "repair_idle",
      "repair queue empty: "
        + std::to_string(st_.repairs_done - st_.copies_at_idle)
        + " repair copies made since it was last empty ("
        + std::to_string(st_.repairs_done) + " in all)");
  st_.copies_at_idle = st_.repairs_done;
}

void master_machine::on_copy_done(batch_id id, node_number source,
                                  node_number target, errc code) {
  st_.repairs_inflight.erase(id);
  auto* meta = st_.index.find(id);
  auto move = st_.moving_from.find(id);
  bool was_move = move != st_.moving_from.end();
  if (code != errc::none) {
    ++st_.repair_failures;
    if (code == errc::timeout)
      emit(fx::forget_peer{st_.members[target].name});
    if (code == errc::batch_not_found && meta != nullptr
        && meta->replicas.remove(source))
      // The source does not have it (lost, or damaged and never served):
      // the index stops counting that copy, so repair sees the true count.
      log(log_level::warn, "copy_source_lost",
          st_.members[source].name + " lacks batch " + std::to_string(id)
            + " (asked to serve it for a copy); dropped from the index");
    if (was_move)
      st_.moving_from.erase(move); // a move is simply abandoned
    if (meta != nullptr
        && (!was_move
            || presumed_copies(st_, *meta, now_)
                 < st_.cfg.replication_factor))
      enqueue_repair(st_, id); // retried on the next tick
    return;
  }
  if (meta == nullptr) {
    if (was_move)
      st_.moving_from.erase(move);
    return; // expired or deleted meanwhile
  }
  if (was_move)
    ++st_.moves_done;
  else
    ++st_.repairs_done;
  add_replica(st_, id, *meta, target, now_);
  st_.members[target].bytes += meta->bytes;
  drop_surplus(id);
  if (presumed_copies(st_, *meta, now_) < st_.cfg.replication_factor)
    enqueue_repair(st_, id);
  pump_repairs();
  flush_deletes(); // also when the pump did not run
  note_if_idle();
}

void master_machine::start_copy(batch_id id, node_number source,
                                node_number target) {
  st_.repairs_inflight.emplace(id, target);
  outstanding_request what;
  what.what = outstanding_request::kind::copy;
  what.batch = id;
  what.source = source;
  what.target = target;
  request(target,
          copy_req{st_.epoch, id, st_.members[source].name,
                   st_.members[source].address},
          st_.cfg.copy_timeout, std::move(what));
}

void master_machine::pump_repairs() {
  if (st_.rebuilding)
    return; // copies counted before every holder reported would be waste
  auto budget = st_.repair_queue.size();
  while (budget-- > 0
         && st_.repairs_inflight.size() < st_.cfg.repair_inflight_max
         && !st_.repair_queue.empty()) {
    auto id = st_.repair_queue.front();
    st_.repair_queue.pop_front();
    st_.repair_queued.erase(id);
    auto* meta = st_.index.find(id);
    if (meta == nullptr || st_.repairs_inflight.count(id) > 0)
      continue;
    if (presumed_copies(st_, *meta, now_) >= st_.cfg.replication_factor) {
      // Enough copies, counting those on nodes that are only suspect or
      // dead for less than the grace period (they may well come back):
      // cancelled. Surplus live copies (a draining node's, one beyond RF)
      // are dropped.
      drop_surplus(id);
      continue;
    }
    node_number source = 0;
    if (!pick_source(st_, *meta, now_, source)) {
      // No live copy right now; a rejoining node may bring one back. A
      // batch with no copy anywhere is lost: only a block report that
      // lists it again (reconcile_member) queues it anew.
      if (meta->replicas.count > 0)
        enqueue_repair(st_, id);
      continue;
    }
    std::vector<node_number> exclude{meta->replicas.begin(),
                                     meta->replicas.end()};
    auto pick = choose_replicas(
      st_.cfg.placement,
      prefer_new_zones(st_, *meta, now_, eligible_nodes(st_, now_, exclude)),
      1, st_.rng);
    if (pick.empty()) {
      enqueue_repair(st_, id); // no node can take it yet
      continue;
    }
    start_copy(id, source, pick.front());
  }
  flush_deletes();
}

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

void master_machine::repair_tick() {
  for (size_t n = 0; n < st_.members.size(); ++n) {
    auto& m = st_.members[n];
    if (m.dead_since >= 0 && !m.dead_scanned
        && now_ - m.dead_since >= st_.cfg.repair_grace)
      scan_dead_member(static_cast<node_number>(n));
  }
  pump_repairs();
  note_if_idle();
}

void member_returned(master_state& st, node_number n) {
  // Copies made for it meanwhile are now surplus: the pump finds these
  // batches above RF and trims them (drop_surplus).
  st.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n))
      enqueue_repair(st, id);
  });
}

void master_machine::forget_lost_copies(node_number n,
                                        const std::vector<batch_id>& lost) {
  uint64_t dropped = 0;
  for (auto id : lost) {
    if (auto pw = st_.pending_writes.find(id); pw != st_.pending_writes.end()) {
      // Reported before (or after) its confirmation: it is no copy either
      // way (on_store_ack ignores a late confirmation from this node).
      auto& w = pw->second;
      if (std::find(w.lost_on.begin(), w.lost_on.end(), n) == w.lost_on.end())
        w.lost_on.push_back(n);
      w.meta.replicas.remove(n);
    }
    if (auto* meta = st_.index.find(id); meta && meta->replicas.remove(n)) {
      enqueue_repair(st_, id);
      ++dropped;
    } else if (in_open_placement(st_, id)) {
      // A direct write not committed yet: its commit will name this node.
      auto p = std::prev(st_.placements.upper_bound(id));
      if (p->second.lost.size() < 4096)
        p->second.lost.insert({id, n});
    }
  }
  log(log_level::warn, "copies_lost",
      st_.members[n].name + " reports " + std::to_string(lost.size())
        + " damaged or lost copy(ies); " + std::to_string(dropped)
        + " dropped from the index and queued for re-replication");
  pump_repairs();
}

void master_machine::reconcile_member(node_number n, const join_req& req) {
  const auto& infos = req.holds;
  auto in_flight = deletes_in_flight(st_.members[n], req);
  std::vector<batch_id> holds;
  holds.reserve(infos.size());
  for (auto& info : infos)
    holds.push_back(info.batch);
  std::sort(holds.begin(), holds.end());
  auto held = [&](batch_id id) {
    return std::binary_search(holds.begin(), holds.end(), id);
  };
  uint64_t lost = 0;
  std::vector<batch_id> lost_ids;
  st_.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n) && !held(id))
      lost_ids.push_back(id);
  });
  for (auto id : lost_ids) {
    st_.index.find(id)->replicas.remove(n);
    enqueue_repair(st_, id);
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
    auto* meta = st_.index.find(id);
    if (meta == nullptr) {
      if (st_.pending_writes.count(id) > 0 || in_open_placement(st_, id))
        continue; // a write in flight: its own acks (or commit) decide
      if (st_.failed.count(id) > 0 || info.max_ts < st_.expired_before) {
        // Failed (never acknowledged), a twin, or expired by retention:
        // garbage, the positive reason to delete a copy.
        drop.push_back(id);
        continue;
      }
      // A batch this master does not know, yet not failed: it was written
      // before a master restart (or its ack was in flight). Adopt it, and
      // its (client, seq), so a retry is answered instead of stored twice;
      // unless this epoch already has an answer for that pair.
      if (!adopt_or_twin(n, info)) {
        drop.push_back(id);
        ++twins;
        continue;
      }
      enqueue_repair(st_, id); // until every holder reported: maybe short
      ++adopted;
      continue;
    }
    if (meta->replicas.contains(n))
      continue;
    // A copy the index did not list here: keep it. If the batch now has
    // more live copies than RF, the pump trims one, counting only verified
    // copies (drop_surplus): a report alone is never a reason to delete.
    add_replica(st_, id, *meta, n, now_);
    enqueue_repair(st_, id);
    ++readded;
  }
  // Deletes this report shows applied need no memory any more.
  auto& m = st_.members[n];
  for (auto i = m.deleting.begin(); i != m.deleting.end();)
    i = i->second.version != 0 && i->second.version <= req.version
          ? m.deleting.erase(i)
          : std::next(i);
  if (twins > 0)
    persist(); // twins joined the durable failed set
  send_delete(n, drop);
  if (malformed > 0)
    log(log_level::error, "report_malformed",
        st_.members[n].name + " reported " + std::to_string(malformed)
          + " batch(es) with an inverted time range or no entries; ignored");
  if (lost + readded + adopted + drop.size() + deleting > 0)
    log(log_level::info, "reconciled",
        st_.members[n].name + " reported " + std::to_string(holds.size())
          + " batch(es): " + std::to_string(lost)
          + " copies lost (queued for repair), " + std::to_string(readded)
          + " copies added back, " + std::to_string(adopted)
          + " unknown batches adopted into the index, "
          + std::to_string(drop.size() - twins)
          + " failed or expired copies deleted, " + std::to_string(twins)
          + " twin(s) deleted, " + std::to_string(deleting)
          + " being deleted (not counted)");
  pump_repairs();
}

} // namespace logstore
