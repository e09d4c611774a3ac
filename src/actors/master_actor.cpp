// logstore — the master actor: a thin shell around master_machine
// (core/master/master_machine.hpp). It turns CAF messages into the
// machine's inputs, with the actor clock's time, and carries out the
// effects the machine answers with, in their order: requests and sends to
// named nodes (through the directory and the peer cache), replies by
// token, timers, the durable record, node events. No protocol decision is
// made here.
#include "actors/master_actor.hpp"
#include "actors/deadlines.hpp"

#include "core/base/assert.hpp"
#include "core/master/master_machine.hpp"

#include <caf/all.hpp>

#include <memory>
#include <unordered_map>

namespace logstore {

namespace {

struct shell {
  shell(cluster_config cfg, node_context x, disk* d, bool check)
    : ctx(std::move(x)),
      state_disk(d),
      machine(cfg, prng{ctx.seed},
              master_options{d != nullptr, ctx.name, ctx.log_min, check}) {
  }
  node_context ctx;
  disk* state_disk;
  master_machine machine;
  peer_cache peers;
  /// Requests this master received and answers later, by token.
  std::unordered_map<uint64_t, caf::response_promise> promises;
  uint64_t next_token = 1;
  /// The timeouts of the requests it sends (deadlines.hpp).
  deadlines_ptr deadlines = std::make_shared<deadline_wheel>();
};

using shell_ptr = std::shared_ptr<shell>;

void run(caf::event_based_actor* self, const shell_ptr& sh, effects& out);

/// Runs one input of the machine, then its effects.
template <class Input>
void step(caf::event_based_actor* self, const shell_ptr& sh, Input input) {
  effects out;
  input(sh->machine, local_now(self, sh->ctx), out);
  run(self, sh, out);
}

/// A token for the request being handled, answered by a later `reply`.
uint64_t promise(caf::event_based_actor* self, const shell_ptr& sh) {
  auto token = sh->next_token++;
  sh->promises.emplace(token, self->make_response_promise());
  return token;
}

/// The handler of a request `Msg` that the machine answers by token.
template <class Msg, class Input>
auto asked(caf::event_based_actor* self, const shell_ptr& sh, Input input) {
  return [self, sh, input](Msg& msg) {
    auto token = promise(self, sh);
    step(self, sh, [&](master_machine& m, time_us now, effects& out) {
      (m.*input)(token, msg, now, out);
    });
  };
}

/// Sends a request that expects a `Reply`; its outcome goes to the machine.
template <class Reply>
void request_expecting(caf::event_based_actor* self, const shell_ptr& sh,
                       const caf::actor& peer, const fx::request& r) {
  auto token = r.token;
  deadline_wheel::request<Reply>(
    self, sh->deadlines, peer, local_span(sh->ctx, r.timeout),
    to_message(r.msg),
    [self, sh, token](Reply& x) {
      node_reply reply{std::move(x)};
      step(self, sh, [&](master_machine& m, time_us now, effects& out) {
        m.on_reply(token, reply, now, out);
      });
    },
    [self, sh, token](caf::error& err) {
      auto code = to_errc(err);
      step(self, sh, [&](master_machine& m, time_us now, effects& out) {
        m.on_failure(token, code, now, out);
      });
    });
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::request& r) {
  auto token = r.token;
  sh->peers.with_peer(
    self, sh->ctx.directory, r.to, r.timeout,
    [self, sh, r](const caf::actor& peer) {
      switch (r.msg.index()) {
        case 0: request_expecting<store_ack>(self, sh, peer, r); return;
        case 1: request_expecting<copy_ack>(self, sh, peer, r); return;
        case 2: request_expecting<fetch_result>(self, sh, peer, r); return;
        case 3: request_expecting<delete_ack>(self, sh, peer, r); return;
        case 6: request_expecting<epoch_ack>(self, sh, peer, r); return;
        case 7: request_expecting<record_ack>(self, sh, peer, r); return;
        case 8: request_expecting<master_info>(self, sh, peer, r); return;
        case 10: request_expecting<grant_ack>(self, sh, peer, r); return;
        case 11: request_expecting<seal_ack>(self, sh, peer, r); return;
        default: LOGSTORE_ASSERT_MSG(false, "no reply to this message");
      }
    },
    [self, sh, token](errc code) {
      step(self, sh, [&](master_machine& m, time_us now, effects& out) {
        m.on_failure(token, code, now, out);
      });
    });
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::send& s) {
  auto msg = to_message(s.msg);
  sh->peers.with_peer(
    self, sh->ctx.directory, s.to, s.timeout,
    [self, msg](const caf::actor& peer) { self->send(peer, msg); },
    [](errc) {});
}

void perform(caf::event_based_actor* self, const shell_ptr&,
             const fx::to_sender& s) {
  if (auto sender = caf::actor_cast<caf::actor>(self->current_sender()))
    self->send(sender, to_message(s.msg));
}

void perform(caf::event_based_actor*, const shell_ptr& sh,
             const fx::reply& r) {
  auto i = sh->promises.find(r.token);
  if (i == sh->promises.end())
    return;
  std::visit(
    [&](const auto& x) {
      using type = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<type, error_answer>)
        i->second.deliver(make_error(x.code, x.text));
      else
        i->second.deliver(x);
    },
    r.value);
  sh->promises.erase(i);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::timer& t) {
  auto msg = t.kind == fx::timer_kind::tick
               ? caf::make_message(tick_atom::value)
             : t.kind == fx::timer_kind::campaign
               ? caf::make_message(campaign_atom::value)
               : caf::make_message(retry_atom::value, t.batch, t.node);
  if (t.delay == 0)
    self->send(self, msg);
  else
    self->delayed_send(self, local_span(sh->ctx, t.delay), msg);
}

void perform(caf::event_based_actor*, const shell_ptr& sh,
             const fx::forget_peer& f) {
  sh->peers.forget(f.name);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::learn& l) {
  if (sh->ctx.directory)
    self->send(sh->ctx.directory, learn_atom::value, l.name, l.address);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::persist& p) {
  if (sh->state_disk == nullptr)
    return;
  if (auto status = save_master_record(*sh->state_disk, p.record);
      status != disk_status::ok)
    log_event(self, sh->ctx, log_level::error, "state_save_failed",
              "could not write master-state (" + std::string{to_string(status)}
                + "); a restart may forget recent members or failures");
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::event& e) {
  log_event(self, sh->ctx, e.level, e.name, e.text);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::verdict& v) {
  if (sh->ctx.log != nullptr)
    sh->ctx.log->on_verdict(now_us(self), sh->ctx.name, v.subject, v.state);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::role& r) {
  if (sh->ctx.log != nullptr)
    sh->ctx.log->on_epoch(now_us(self), sh->ctx.name, r.name, r.epoch);
}

void perform(caf::event_based_actor* self, const shell_ptr& sh,
             const fx::acked& a) {
  if (sh->ctx.log != nullptr)
    sh->ctx.log->on_epoch(now_us(self), sh->ctx.name, "acked", a.epoch);
}

void perform(caf::event_based_actor* self, const shell_ptr&,
             const fx::stop& s) {
  self->quit(make_error(s.code, s.text));
}

void run(caf::event_based_actor* self, const shell_ptr& sh, effects& out) {
  for (auto& e : out)
    std::visit([&](const auto& x) { perform(self, sh, x); }, e);
}

record_load load_record(disk* d) {
  record_load out;
  if (d != nullptr)
    out.ok = load_master_record(*d, out.record, out.error);
  return out;
}

} // namespace

caf::behavior master_actor(caf::event_based_actor* self, cluster_config cfg,
                           node_context ctx, disk* state_disk,
                           bool check_invariants) {
  auto sh = std::make_shared<shell>(cfg, std::move(ctx), state_disk,
                                    check_invariants);
  auto loaded = load_record(state_disk);
  self->set_default_handler(caf::drop);
  step(self, sh, [&](master_machine& m, time_us now, effects& out) {
    m.start(loaded, now, out);
  });
  using machine = master_machine;
  return {
    asked<const join_req>(self, sh, &machine::on_join),
    asked<append_req>(self, sh, &machine::on_append),
    asked<const read_plan_req>(self, sh, &machine::on_read_plan),
    asked<const placement_req>(self, sh, &machine::on_placement),
    asked<const commit_req>(self, sh, &machine::on_commit),
    [self, sh](const missing_copies& hint) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_missing_copies(hint, now, out);
      });
    },
    asked<const drain_req>(self, sh, &machine::on_drain),
    asked<const remove_req>(self, sh, &machine::on_remove),
    asked<const master_ping>(self, sh, &machine::on_master_ping),
    [self, sh](const epoch_notice& n) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_epoch_notice(n, now, out);
      });
    },
    [self, sh](const status_req&) {
      auto token = promise(self, sh);
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_status(token, now, out);
      });
    },
    [self, sh](const heartbeat_msg& hb) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_heartbeat(hb, now, out);
      });
    },
    [self, sh](deadline_atom) { sh->deadlines->tick(self); },
    [self, sh](tick_atom) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_tick(now, out);
      });
    },
    [self, sh](campaign_atom) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_campaign_timer(now, out);
      });
    },
    [self, sh](retry_atom, batch_id id, node_number node) {
      step(self, sh, [&](machine& m, time_us now, effects& out) {
        m.on_retry_store(id, node, now, out);
      });
    },
  };
}

} // namespace logstore
