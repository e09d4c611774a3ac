// logstore — direct writes carried out by an actor (direct_write.hpp).
#include "actors/direct_write.hpp"

#include <caf/all.hpp>

namespace logstore {

namespace {

/// A master that did not answer may have restarted (a new actor): its
/// handle is looked up afresh; then the caller moves on (master_failed).
void forget_master(writer_env& env, const node_name& master, errc code) {
  if (code == errc::timeout || code == errc::unreachable
      || code == errc::not_active)
    env.peers.forget(master);
  if (env.master_failed)
    env.master_failed(code);
}

void perform(caf::event_based_actor* self, const writer_env_ptr& env,
             direct_writer::outputs& out);

void then(caf::event_based_actor* self, writer_env_ptr env,
          const std::function<void(direct_writer::outputs&)>& input) {
  // `env` by value: a callback below may drop the caller's last handle.
  direct_writer::outputs out;
  input(out);
  perform(self, env, out);
  if (env->on_progress)
    env->on_progress();
}

void send_stores(caf::event_based_actor* self, const writer_env_ptr& env,
                 std::vector<direct_writer::store_send>& stores) {
  // One encoded message per batch, shared by every replica's send.
  const store_req* last = nullptr;
  caf::message msg;
  for (auto& s : stores) {
    if (s.req.get() != last) {
      last = s.req.get();
      msg = caf::make_message(*s.req);
    }
    if (!s.address.empty() && s.address != "sim") {
      auto& known = env->learned[s.node];
      if (known != s.address) {
        known = s.address;
        self->send(env->directory, learn_atom::value, s.node, s.address);
      }
    }
    auto op = s.op;
    auto batch = s.req->batch;
    auto node = s.node;
    auto timeout = s.timeout;
    auto failed = [self, env, op, batch, node](errc code) {
      then(self, env, [&](direct_writer::outputs& o) {
        env->writer.on_store(op, batch, node, code, o);
      });
    };
    env->peers.with_peer(
      self, env->directory, node, timeout,
      [self, env, op, batch, node, timeout, msg, failed](const caf::actor& p) {
        self->request(p, span_us(timeout), msg)
          .then(
            [self, env, op, batch, node](store_ack&) {
              then(self, env, [&](direct_writer::outputs& o) {
                env->writer.on_store(op, batch, node, errc::none, o);
              });
            },
            [env, node, failed](caf::error& err) {
              auto code = to_errc(err);
              if (code == errc::timeout)
                env->peers.forget(node); // it may have restarted
              failed(code);
            });
      },
      failed);
  }
}

void send_ask(caf::event_based_actor* self, const writer_env_ptr& env,
              placement_req req) {
  auto master = env->master();
  auto failed = [self, env, master](errc code) {
    forget_master(*env, master, code);
    then(self, env, [&](direct_writer::outputs& o) {
      env->writer.on_placement_failed(code, o);
    });
  };
  env->peers.with_peer(
    self, env->directory, master, env->request_timeout,
    [self, env, req = std::move(req), failed](const caf::actor& m) {
      self->request(m, span_us(env->request_timeout), req)
        .then(
          [self, env](placement_reply& reply) {
            then(self, env, [&](direct_writer::outputs& o) {
              env->writer.on_placement(reply, o);
            });
          },
          [failed](caf::error& err) { failed(to_errc(err)); });
    },
    failed);
}

void send_commit(caf::event_based_actor* self, const writer_env_ptr& env,
                 commit_req req) {
  auto master = env->master();
  auto failed = [self, env, master](errc code) {
    forget_master(*env, master, code);
    then(self, env, [&](direct_writer::outputs& o) {
      env->writer.on_commit_failed(o);
    });
  };
  env->peers.with_peer(
    self, env->directory, master, env->request_timeout,
    [self, env, req = std::move(req), failed](const caf::actor& m) {
      self->request(m, span_us(env->request_timeout), req)
        .then(
          [self, env](commit_ack& ack) {
            then(self, env, [&](direct_writer::outputs& o) {
              env->writer.on_commit(ack, o);
            });
          },
          [failed](caf::error& err) { failed(to_errc(err)); });
    },
    failed);
}

void perform(caf::event_based_actor* self, const writer_env_ptr& env,
             direct_writer::outputs& out) {
  if (!out.stores.empty())
    send_stores(self, env, out.stores);
  if (out.ask)
    send_ask(self, env, std::move(*out.ask));
  if (out.commit)
    send_commit(self, env, std::move(*out.commit));
  if (out.commit_timer)
    self->delayed_send(self, span_us(env->commit_delay),
                       commit_retry_atom::value);
  for (auto& e : out.ended) {
    env->writer.saw_epoch(e.epoch);
    if (env->on_end)
      env->on_end(e);
  }
}

} // namespace

void writer_begin(caf::event_based_actor* self, writer_env_ptr env,
                  uint64_t op, const append_req& req) {
  then(self, env, [&](direct_writer::outputs& o) {
    env->writer.begin(op, req, o);
  });
}

void writer_finish(caf::event_based_actor* self, writer_env_ptr env,
                   uint64_t op) {
  then(self, env,
       [&](direct_writer::outputs& o) { env->writer.finish(op, o); });
}

void writer_commit_retry(caf::event_based_actor* self,
                         writer_env_ptr env) {
  then(self, env,
       [&](direct_writer::outputs& o) { env->writer.retry_commit(o); });
}

void writer_close(caf::event_based_actor* self, writer_env_ptr env) {
  then(self, env, [&](direct_writer::outputs& o) { env->writer.close(o); });
}

} // namespace logstore
