// logstore — master actor: message dispatch, membership and status.
#include "actors/master_actor.hpp"

#include "actors/master_state.hpp"
#include "core/base/assert.hpp"
#include "core/storage/node_identity.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace logstore {

namespace {

/// Names, zones and addresses end up in the durable record and in logs: a
/// join that carries anything else is refused before it changes anything.
std::string check_join(const join_req& req) {
  if (!valid_node_name(req.name))
    return "a node name is 1 to 64 letters, digits, '-', '_' or '.'";
  if (req.name == "master")
    return "the name master is reserved for the master";
  if (!req.zone.empty() && !valid_node_name(req.zone))
    return "a zone is at most 64 letters, digits, '-', '_' or '.'";
  bool plain_address
    = !req.address.empty() && req.address.size() <= 255
      && std::all_of(req.address.begin(), req.address.end(), [](char c) {
           return c > ' ' && c < 127 && c != '\t';
         });
  if (!plain_address)
    return "an address is HOST:PORT";
  return {};
}

/// A join under a name that a live member holds at another address is a
/// second process with the same identity (a copied data directory, or two
/// nodes started with one --name): refused, nothing changes. The same
/// address is the same node restarted (two processes cannot listen on one
/// address), whatever its incarnation.
std::string name_conflict(const master_state& st, const join_req& req,
                          time_us now) {
  auto n = st.number_of(req.name);
  if (!n)
    return {};
  auto& m = st.members[*n];
  if (m.address == req.address
      || st.detector.state(*n, now) == node_state::dead || st.joined.size()
                                                             <= *n
      || !st.joined[*n])
    return {};
  return req.name + " is a live member at " + m.address
         + " (incarnation " + std::to_string(m.incarnation) + "); a node at "
         + req.address + " (incarnation " + std::to_string(req.incarnation)
         + ") cannot join under the same name";
}

node_number add_or_update_member(caf::event_based_actor* self,
                                 const master_ptr& st, const join_req& req) {
  if (auto n = st->number_of(req.name)) {
    auto& m = st->members[*n];
    m.address = req.address;
    m.zone = req.zone;
    m.incarnation = req.incarnation;
    // A re-join may be a new incarnation: resolve it afresh.
    st->peers.forget(req.name);
    log_event(self, st->ctx, log_level::info, "member_rejoined",
              req.name + " joined again from " + req.address);
    return *n;
  }
  auto n = static_cast<node_number>(st->members.size());
  member fresh;
  fresh.name = req.name;
  fresh.address = req.address;
  fresh.zone = req.zone;
  fresh.incarnation = req.incarnation;
  st->members.push_back(std::move(fresh));
  st->member_numbers.emplace(req.name, n);
  log_event(self, st->ctx, log_level::info, "member_joined",
            req.name + " joined from " + req.address
              + (req.zone.empty() ? "" : " (zone " + req.zone + ")"));
  return n;
}

status_reply make_status(caf::event_based_actor* self, const master_state& st) {
  status_reply out;
  out.epoch = st.epoch;
  out.replication_factor = st.cfg.replication_factor;
  out.write_quorum = st.cfg.effective_write_quorum();
  out.batches = st.index.size();
  auto now = now_us(self);
  out.under_replicated = count_under_replicated(st, now);
  out.repairs_done = st.repairs_done;
  out.repairs_pending = st.repair_queue.size() + st.repairs_inflight.size();
  out.moves_done = st.moves_done;
  out.expired_before = st.expired_before;
  for (size_t n = 0; n < st.members.size(); ++n)
    if (!st.members[n].removed)
      out.members.push_back(
        describe_member(st, static_cast<node_number>(n), now));
  return out;
}

/// A member that joined but has not heartbeated since may have lost our
/// join_ack: until it hears one it sends no heartbeats and only retries its
/// join after a timeout and back-off, so two lost messages would look like
/// a dead node. While it is silent, ask it every tick to join again.
void nudge_silent_joiners(caf::event_based_actor* self, const master_ptr& st,
                          time_us now) {
  for (size_t n = 0; n < st->members.size(); ++n) {
    auto& m = st->members[n];
    if (m.removed || m.heartbeat_seen
        || st->detector.state(static_cast<node_number>(n), now)
             == node_state::up)
      continue;
    st->peers.with_peer(
      self, st->ctx.directory, m.name, st->cfg.heartbeat_interval,
      [self](const caf::actor& peer) { self->send(peer, join_atom::value); },
      [](errc) {});
  }
}

void on_tick(caf::event_based_actor* self, const master_ptr& st) {
  auto now = now_us(self);
  nudge_silent_joiners(self, st, now);
  for (auto& [n, state] : st->detector.tick(now)) {
    auto level = state == node_state::up ? log_level::info : log_level::warn;
    auto& m = st->members[n];
    if (m.removed)
      continue;
    std::string why;
    if (state == node_state::dead) {
      m.dead_since = now;
      m.dead_scanned = false;
      why = "; its batches are re-replicated if it stays dead for "
            + std::to_string(st->cfg.repair_grace / 1000) + " ms";
    } else if (state == node_state::up) {
      if (m.dead_since >= 0)
        why = m.dead_scanned
                ? "; it was dead past the grace period, so its batches were "
                  "queued for repair (copies still needed are made, the "
                  "rest are cancelled)"
                : "; it was dead for "
                    + std::to_string((now - m.dead_since) / 1000)
                    + " ms, within the grace period: nothing is copied";
      if (m.dead_scanned)
        member_returned(*st, n);
      m.dead_since = -1;
      m.dead_scanned = false;
    }
    log_event(self, st->ctx, level, "member_" + std::string{to_string(state)},
              m.name + " is now " + std::string{to_string(state)} + why);
  }
  maybe_end_rebuild(self, st);
  repair_tick(self, st);
  if (st->ticks % 4 == 0)
    resend_deletes(self, st);
  // Rebalancing, drain and retention scan the whole index: every 10th
  // tick, and rebalancing every tick while a round of moves is under way.
  if (++st->ticks % 10 == 0 && !st->rebuilding) {
    drain_tick(self, st);
    rebalance_tick(self, st);
    retention_tick(self, st);
  } else if (st->rebalancing && !st->rebuilding) {
    rebalance_tick(self, st);
  }
  self->delayed_send(self, span_us(st->cfg.heartbeat_interval),
                     tick_atom::value);
}

} // namespace

caf::behavior master_actor(caf::event_based_actor* self, cluster_config cfg,
                           node_context ctx, disk* state_disk) {
  auto st = std::make_shared<master_state>(cfg, std::move(ctx));
  st->state_disk = state_disk;
  start_from_record(self, st);
  self->set_default_handler(caf::drop);
  self->send(self, tick_atom::value);
  return {
    [self, st](const join_req& req) -> caf::result<join_ack> {
      if (auto bad = check_join(req); !bad.empty())
        return make_error(errc::malformed_request, bad);
      if (auto clash = name_conflict(*st, req, now_us(self));
          !clash.empty()) {
        log_event(self, st->ctx, log_level::error, "join_refused", clash);
        return make_error(errc::name_in_use, clash);
      }
      auto before = st->members.size();
      auto n = add_or_update_member(self, st, req);
      st->detector.heard_from(n, now_us(self));
      st->members[n].heartbeat_seen = false; // until its first heartbeat
      reconcile_member(self, st, n, req);
      st->joined.resize(st->members.size(), false);
      st->joined[n] = true;
      member_reported(self, st, req.name);
      if (st->members.size() != before || !st->record.members.empty())
        save_record(self, st); // membership is part of the durable record
      maybe_end_rebuild(self, st);
      if (st->ctx.directory)
        self->send(st->ctx.directory, learn_atom::value, req.name,
                   req.address);
      return join_ack{st->epoch, st->cfg.heartbeat_interval};
    },
    [self, st](const heartbeat_msg& hb) {
      auto n = st->number_of(hb.name);
      if (!n || *n >= st->joined.size() || !st->joined[*n]) {
        // A node this incarnation has not heard join (the master restarted,
        // or its join was lost): ask it to join again, with its report.
        if (auto sender = caf::actor_cast<caf::actor>(self->current_sender()))
          self->send(sender, join_atom::value);
        return;
      }
      st->detector.heard_from(*n, now_us(self));
      st->members[*n].heartbeat_seen = true;
      st->members[*n].batches = hb.batches;
      st->members[*n].bytes = hb.bytes;
      if (!hb.lost.empty()) {
        forget_lost_copies(self, st, *n, hb.lost);
        // The node repeats these until it hears that they were processed.
        if (auto sender = caf::actor_cast<caf::actor>(self->current_sender()))
          self->send(sender, lost_ack{hb.lost});
      }
    },
    [self, st](append_req& req) {
      handle_append(self, st, req, self->make_response_promise());
    },
    [self, st](const read_req& req) {
      handle_read(self, st, req, self->make_response_promise());
    },
    [self, st](const status_req&) { return make_status(self, *st); },
    [self, st](const drain_req& req) -> caf::result<member_status> {
      auto n = st->number_of(req.node);
      if (!n)
        return make_error(errc::malformed_request,
                          "no member named " + req.node);
      return handle_drain(self, st, *n);
    },
    [self, st](const remove_req& req) -> caf::result<member_status> {
      auto out = handle_remove(self, st, req);
      if (!out)
        return std::move(out.error());
      return std::move(*out);
    },
    [self, st](tick_atom) { on_tick(self, st); },
    [self, st](retry_atom, batch_id id, node_number node) {
      retry_store(self, st, id, node);
    },
  };
}

} // namespace logstore
