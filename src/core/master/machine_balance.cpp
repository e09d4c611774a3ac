// logstore — rebalance, surplus copies and tracked deletes at the master
// (drain and remove: machine_members.cpp; docs/protocol.md, "Drain,
// rebalance and retention").
//
// Rebalance: every few ticks (every tick while moves are under way), when
//            the most loaded node holds more than (1 + threshold) x the mean
//            or the least loaded less than (1 - threshold) x, move batches
//            from the most to the least loaded node: copy to the light node
//            first, drop the heavy node's copy only after the copy is
//            confirmed, so no batch ever has fewer than RF copies during a
//            move. Moves in flight count as done when loads are compared,
//            and a move never puts two live copies in one zone.
// Surplus:   a batch with more than RF verified copies (a dead node came
//            back after its copies were re-made) loses the extra ones,
//            copies in a zone that holds another first, then the most
//            loaded node.
// Deletes:   requests (delete_ack), sent again until acknowledged; the ack
//            says at which of the node's versions the copies went, so a
//            block report built before it does not count them
//            (machine_repair.cpp, deletes_in_flight).
#include "core/master/master_machine.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace logstore {

void master_machine::on_delete_ack(node_number n,
                                   const std::vector<batch_id>& ids,
                                   const delete_ack& ack) {
  auto& m = st_.members[n];
  for (auto id : ids)
    if (auto i = m.deleting.find(id); i != m.deleting.end()) {
      i->second.boot = ack.boot;
      i->second.version = std::max(i->second.version, ack.version);
      i->second.acked = now_;
    }
}

void master_machine::send_delete(node_number n, std::vector<batch_id> ids) {
  if (ids.empty())
    return;
  for (auto id : ids) {
    auto& track = st_.members[n].deleting[id];
    track.sent = now_;
    track.version = 0; // (again) unacknowledged
  }
  outstanding_request what;
  what.what = outstanding_request::kind::remove_copies;
  what.node = n;
  what.ids = ids;
  request(n, delete_req{st_.epoch, std::move(ids)}, st_.cfg.store_timeout,
          std::move(what));
}

void master_machine::resend_deletes() {
  for (size_t i = 0; i < st_.members.size(); ++i) {
    auto& m = st_.members[i];
    if (m.removed || m.deleting.empty())
      continue;
    bool up = st_.detector.state(static_cast<node_number>(i), now_)
              == node_state::up;
    std::vector<batch_id> again;
    for (auto it = m.deleting.begin(); it != m.deleting.end();) {
      auto& t = it->second;
      if (t.version != 0 && now_ - t.acked >= stale_report_max) {
        it = m.deleting.erase(it);
        continue;
      }
      if (t.version == 0 && up && now_ - t.sent >= 2 * st_.cfg.store_timeout)
        again.push_back(it->first);
      ++it;
    }
    send_delete(static_cast<node_number>(i), std::move(again));
  }
}

/// Out of the index first; the node deletes its copy when the pending
/// deletes are flushed (one delete_req per node, not one per copy).
void master_machine::forget_copy(batch_meta& meta, batch_id id,
                                 node_number n) {
  meta.replicas.remove(n);
  st_.members[n].bytes -= std::min<uint64_t>(st_.members[n].bytes,
                                              meta.bytes);
  st_.pending_deletes[n].push_back(id);
}

namespace {

uint32_t verified_copies(const master_state& st, const batch_meta& meta,
                         time_us now) {
  uint32_t n = 0;
  for (auto r : meta.replicas)
    n += verified_copy(st, r, now) ? 1 : 0;
  return n;
}

/// Of the verified copies of a batch above RF, the one to drop: one in a
/// zone that holds another verified copy, else the one on the most loaded
/// node.
node_number trim_victim(const master_state& st, const batch_meta& meta,
                        time_us now) {
  std::vector<node_number> live;
  for (auto r : meta.replicas)
    if (verified_copy(st, r, now))
      live.push_back(r);
  LOGSTORE_ASSERT(!live.empty());
  auto shares_zone = [&](node_number r) {
    auto& zone = st.members[r].zone;
    return !zone.empty()
           && std::count_if(live.begin(), live.end(), [&](node_number x) {
                return st.members[x].zone == zone;
              }) > 1;
  };
  auto better = [&](node_number x, node_number y) { // x is a better victim
    if (shares_zone(x) != shares_zone(y))
      return shares_zone(x);
    return std::tie(st.members[x].bytes, x) > std::tie(st.members[y].bytes, y);
  };
  auto victim = live.front();
  for (auto r : live)
    if (better(r, victim))
      victim = r;
  return victim;
}

} // namespace

bool verified_copy(const master_state& st, node_number r, time_us now) {
  auto& m = st.members[r];
  return !m.removed && !m.draining && m.heartbeat_seen
         && st.detector.state(r, now) == node_state::up;
}

void master_machine::flush_deletes() {
  auto pending = std::move(st_.pending_deletes);
  st_.pending_deletes.clear();
  for (auto& [n, ids] : pending)
    send_delete(n, std::move(ids));
}

void master_machine::drop_surplus(batch_id id) {
  auto* meta = st_.index.find(id);
  if (meta == nullptr)
    return;
  auto rf = st_.cfg.replication_factor;
  if (live_copies(st_, *meta, now_) < rf)
    return;
  if (verified_copies(st_, *meta, now_) < rf
      || (live_copies(st_, *meta, now_) > rf
          && verified_copies(st_, *meta, now_) <= rf)) {
    // Surplus, but some copies are not confirmed yet (a member that just
    // joined has not heartbeated): decide once they are.
    enqueue_repair(st_, id);
    return;
  }
  std::vector<node_number> drop;
  for (auto r : meta->replicas)
    if (st_.members[r].draining)
      drop.push_back(r);
  if (auto i = st_.moving_from.find(id); i != st_.moving_from.end()) {
    if (meta->replicas.contains(i->second)
        && std::find(drop.begin(), drop.end(), i->second) == drop.end())
      drop.push_back(i->second);
    st_.moving_from.erase(i);
  }
  for (auto n : drop) {
    // Never below RF verified copies: re-check before each removal.
    if (verified_copies(st_, *meta, now_) - (verified_copy(st_, n, now_) ? 1 : 0)
        < rf)
      continue;
    forget_copy(*meta, id, n);
  }
  // Bound: each round removes one replica, and there are at most
  // replicas_max.
  while (verified_copies(st_, *meta, now_) > rf)
    forget_copy(*meta, id, trim_victim(st_, *meta, now_));
}

namespace {

/// Batches per node, as the index places them, with the moves and repairs
/// in flight counted as done; `eligible` = up and not draining.
std::vector<int64_t> load_by_node(const master_state& st, time_us now,
                                  std::vector<bool>& eligible) {
  std::vector<int64_t> load(st.members.size(), 0);
  eligible.assign(st.members.size(), false);
  for (size_t n = 0; n < st.members.size(); ++n)
    eligible[n] = st.detector.state(static_cast<node_number>(n), now)
                    == node_state::up
                  && !st.members[n].draining && !st.members[n].removed;
  st.index.for_each([&](batch_id, const batch_meta& meta) {
    for (auto r : meta.replicas)
      ++load[r];
  });
  for (auto& [id, target] : st.repairs_inflight) {
    ++load[target];
    if (auto i = st.moving_from.find(id); i != st.moving_from.end())
      --load[i->second];
  }
  return load;
}

/// May batch `meta` move from `from` to `to` without two live copies in one
/// zone?
bool zone_allows(const master_state& st, const batch_meta& meta,
                 node_number from, node_number to, time_us now) {
  auto& zone = st.members[to].zone;
  if (zone.empty())
    return true;
  for (auto r : meta.replicas)
    if (r != from && st.members[r].zone == zone && !st.members[r].draining
        && st.detector.state(r, now) == node_state::up)
      return false;
  return true;
}

} // namespace

void master_machine::rebalance_tick() {
  auto was_rebalancing = std::exchange(st_.rebalancing, false);
  auto threshold = st_.cfg.rebalance_threshold;
  if (threshold <= 0 || st_.members.size() < 2 || !st_.repair_queue.empty())
    return;
  std::vector<bool> ok;
  auto load = load_by_node(st_, now_, ok);
  double total = 0;
  size_t count = 0;
  for (size_t n = 0; n < load.size(); ++n)
    if (ok[n]) {
      total += static_cast<double>(load[n]);
      ++count;
    }
  if (count < 2 || total == 0)
    return;
  auto mean = total / static_cast<double>(count);
  size_t heavy = load.size(), light = load.size();
  for (size_t n = 0; n < load.size(); ++n) {
    if (!ok[n])
      continue;
    if (heavy == load.size() || load[n] > load[heavy])
      heavy = n;
    if (light == load.size() || load[n] < load[light])
      light = n;
  }
  // Out of balance when either end leaves the band; a gap below 2 batches
  // cannot be narrowed by a move (it would only swap the two nodes).
  bool out = static_cast<double>(load[heavy]) > mean * (1 + threshold)
             || static_cast<double>(load[light]) < mean * (1 - threshold);
  if (!out || load[heavy] - load[light] < 2) {
    if (was_rebalancing && st_.repairs_inflight.empty())
      log(log_level::info, "rebalanced",
                "loads from " + std::to_string(load[light]) + " to "
                  + std::to_string(load[heavy]) + " batches per node (mean "
                  + std::to_string(static_cast<uint64_t>(mean)) + "): within "
                  "the band; " + std::to_string(st_.moves_done)
                  + " moves in all");
    else
      st_.rebalancing = was_rebalancing && !st_.repairs_inflight.empty();
    return;
  }
  st_.rebalancing = true; // look again next tick
  auto h = static_cast<node_number>(heavy);
  auto l = static_cast<node_number>(light);
  auto budget = st_.cfg.repair_inflight_max > st_.repairs_inflight.size()
                  ? st_.cfg.repair_inflight_max - st_.repairs_inflight.size()
                  : 0;
  budget = std::min<size_t>(budget, static_cast<size_t>(load[heavy]
                                                        - load[light])
                                      / 2);
  std::vector<batch_id> picks;
  st_.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (picks.size() < budget && meta.replicas.contains(h)
        && !meta.replicas.contains(l) && st_.repairs_inflight.count(id) == 0
        && live_copies(st_, meta, now_) >= st_.cfg.replication_factor
        && zone_allows(st_, meta, h, l, now_))
      picks.push_back(id);
  });
  if (picks.empty()) {
    st_.rebalancing = budget == 0; // all slots busy: wait for them
    return;
  }
  log(log_level::info, "rebalance",
            "moving " + std::to_string(picks.size()) + " batch(es) from "
              + st_.members[h].name + " (" + std::to_string(load[heavy])
              + " batches) to " + st_.members[l].name + " ("
              + std::to_string(load[light]) + "); mean "
              + std::to_string(static_cast<uint64_t>(mean)) + ", band +-"
              + std::to_string(static_cast<int>(threshold * 100)) + "%");
  for (auto id : picks) {
    st_.moving_from[id] = h;
    start_copy(id, h, l);
  }
}

} // namespace logstore
