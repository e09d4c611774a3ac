// logstore — direct writes carried out by an actor (direct_write.hpp).
#include "actors/direct_write.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <iterator>

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

void store_ended(caf::event_based_actor* self, const writer_env_ptr& env,
                 const std::vector<writer_env::queued_store>& stores,
                 const node_name& node, const std::vector<errc>& codes) {
  then(self, env, [&](direct_writer::outputs& o) {
    for (size_t i = 0; i < stores.size(); ++i)
      env->writer.on_store(stores[i].op, stores[i].req->batch, node, codes[i],
                           o);
  });
}

/// At most this many frame bytes in one store_many_req (a batch larger than
/// that goes alone).
constexpr size_t store_many_bytes_max = size_t{4} << 20;

/// Sends what waits for `node` in one message, if a message may go.
void flush(caf::event_based_actor* self, const writer_env_ptr& env,
           const node_name& node) {
  auto& box = env->outboxes[node];
  if (box.queued.empty()
      || box.in_flight >= std::max<uint32_t>(1, env->store_messages_in_flight))
    return;
  auto sent = std::make_shared<std::vector<writer_env::queued_store>>();
  size_t bytes = 0, n = 0;
  for (; n < box.queued.size() && n < store_many_max; ++n) {
    bytes += box.queued[n].req->frame.size();
    if (n > 0 && bytes > store_many_bytes_max)
      break;
  }
  sent->assign(std::make_move_iterator(box.queued.begin()),
               std::make_move_iterator(box.queued.begin()
                                       + static_cast<std::ptrdiff_t>(n)));
  box.queued.erase(box.queued.begin(),
                   box.queued.begin() + static_cast<std::ptrdiff_t>(n));
  ++box.in_flight;
  time_us timeout = 0;
  for (auto& q : *sent)
    timeout = std::max(timeout, q.timeout);
  auto answered = [self, env, node, sent](std::vector<errc> codes) {
    auto& b = env->outboxes[node];
    --b.in_flight;
    std::vector<writer_env::queued_store> dropped;
    if (codes.front() == errc::timeout || codes.front() == errc::unreachable) {
      // The node did not answer: what still waits for it fails now, never
      // sent (definite), and the writer places it elsewhere, instead of
      // each message waiting out its own timeout behind this one.
      env->peers.forget(node); // it may have restarted
      dropped = std::move(b.queued);
      b.queued.clear();
    }
    store_ended(self, env, *sent, node, codes);
    if (!dropped.empty())
      store_ended(self, env, dropped, node,
                  std::vector<errc>(dropped.size(), errc::unreachable));
    flush(self, env, node);
  };
  auto failed = [answered, sent](errc code) {
    answered(std::vector<errc>(sent->size(), code));
  };
  env->peers.with_peer(
    self, env->directory, node, timeout,
    [self, env, timeout, sent, answered, failed](const caf::actor& p) {
      if (sent->size() == 1) {
        deadline_wheel::request<store_ack>(
          self, env->deadlines, p, span_us(timeout), sent->front().msg,
          [answered](store_ack&) { answered({errc::none}); },
          [failed](caf::error& err) { failed(to_errc(err)); });
        return;
      }
      store_many_req req;
      req.stores.reserve(sent->size());
      for (auto& q : *sent)
        req.stores.push_back(*q.req);
      deadline_wheel::request<store_many_reply>(
        self, env->deadlines, p, span_us(timeout), std::move(req),
        [answered, n = sent->size()](store_many_reply& reply) {
          // A short reply answers the rest with "no answer" (indefinite).
          std::vector<errc> codes(n, errc::timeout);
          for (size_t i = 0; i < n && i < reply.outcomes.size(); ++i)
            codes[i] = errc_from_wire(reply.outcomes[i].code);
          answered(std::move(codes));
        },
        [failed](caf::error& err) { failed(to_errc(err)); });
    },
    failed);
}

void send_stores(caf::event_based_actor* self, const writer_env_ptr& env,
                 std::vector<direct_writer::store_send>& stores) {
  std::vector<node_name> touched;
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
    env->outboxes[s.node].queued.push_back({s.op, s.timeout, s.req, msg});
    if (std::find(touched.begin(), touched.end(), s.node) == touched.end())
      touched.push_back(s.node);
  }
  for (auto& node : touched)
    flush(self, env, node);
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
      deadline_wheel::request<placement_reply>(
        self, env->deadlines, m, span_us(env->request_timeout), req,
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
      deadline_wheel::request<commit_ack>(
        self, env->deadlines, m, span_us(env->request_timeout), req,
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
