// logstore — master actor: message dispatch, membership and status.
#include "actors/master_actor.hpp"

#include "actors/master_state.hpp"
#include "core/assert.hpp"

#include <caf/all.hpp>

namespace logstore {

namespace {

node_number add_or_update_member(caf::event_based_actor* self,
                                 const master_ptr& st, const join_req& req) {
  if (auto n = st->number_of(req.name)) {
    auto& m = st->members[*n];
    m.address = req.address;
    m.zone = req.zone;
    // A re-join may be a new incarnation: resolve it afresh.
    st->peers.forget(req.name);
    log_event(self, st->ctx, log_level::info, "member_rejoined",
              req.name + " joined again from " + req.address);
    return *n;
  }
  auto n = static_cast<node_number>(st->members.size());
  st->members.push_back({req.name, req.address, req.zone, 0, 0});
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
  for (size_t n = 0; n < st.members.size(); ++n)
    out.members.push_back(
      describe_member(st, static_cast<node_number>(n), now));
  return out;
}

void on_tick(caf::event_based_actor* self, const master_ptr& st) {
  auto now = now_us(self);
  for (auto& [n, state] : st->detector.tick(now)) {
    auto level = state == node_state::up ? log_level::info : log_level::warn;
    auto& m = st->members[n];
    if (state == node_state::dead) {
      m.dead_since = now;
      m.dead_scanned = false;
    } else if (state == node_state::up) {
      m.dead_since = -1;
      m.dead_scanned = false;
    }
    log_event(self, st->ctx, level, "member_" + std::string{to_string(state)},
              m.name + " is now " + std::string{to_string(state)});
  }
  repair_tick(self, st);
  // Rebalancing and retention scan the whole index: every 10th tick.
  if (++st->ticks % 10 == 0) {
    rebalance_tick(self, st);
    retention_tick(self, st);
  }
  self->delayed_send(self, span_us(st->cfg.heartbeat_interval),
                     tick_atom::value);
}

} // namespace

caf::behavior master_actor(caf::event_based_actor* self, cluster_config cfg,
                           node_context ctx) {
  auto st = std::make_shared<master_state>(cfg, std::move(ctx));
  self->set_default_handler(caf::drop);
  self->send(self, tick_atom::value);
  return {
    [self, st](const join_req& req) {
      auto n = add_or_update_member(self, st, req);
      st->detector.heard_from(n, now_us(self));
      reconcile_member(self, st, n, req.holds);
      if (st->ctx.directory)
        self->send(st->ctx.directory, learn_atom::value, req.name,
                   req.address);
      return join_ack{st->epoch, st->cfg.heartbeat_interval};
    },
    [self, st](const heartbeat_msg& hb) {
      auto n = st->number_of(hb.name);
      if (!n)
        return; // not a member (yet): its join is on the way
      st->detector.heard_from(*n, now_us(self));
      st->members[*n].batches = hb.batches;
      st->members[*n].bytes = hb.bytes;
      if (!hb.lost.empty())
        forget_lost_copies(self, st, *n, hb.lost);
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
    [self, st](tick_atom) { on_tick(self, st); },
  };
}

} // namespace logstore
