// logstore — workload client actor.
#include "actors/client_actor.hpp"

#include "core/base/assert.hpp"
#include "core/base/prng.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

namespace logstore {

namespace {

struct client_state {
  client_options opts;
  node_context ctx;
  history* hist = nullptr;
  prng rng;
  peer_cache peers;
  sequence_nr next_seq = 1;
  uint64_t process = 0;
  uint32_t final_attempts = 0;
  /// Appends waiting out a back-off before their next attempt (in_doubt).
  std::map<sequence_nr, std::pair<std::shared_ptr<append_req>, uint32_t>>
    backing_off;
};

using state_ptr = std::shared_ptr<client_state>;

history_event base_event(caf::event_based_actor* self, const client_state& st,
                         op_type type, op_fn f) {
  history_event ev;
  ev.time = now_us(self);
  ev.process = st.process;
  ev.type = type;
  ev.f = f;
  return ev;
}

void record(client_state& st, history_event ev) {
  if (st.hist != nullptr)
    st.hist->add(std::move(ev));
}

/// After an indefinite outcome this process's last operation is in limbo:
/// continue under a fresh process id (Knossos' "crashed process" rule).
void renumber(client_state& st) {
  st.process += st.opts.process_stride;
}

void schedule_next(caf::event_based_actor* self, const state_ptr& st) {
  auto gap = static_cast<time_us>(
    st->rng.exponential(static_cast<double>(st->opts.mean_gap)));
  self->delayed_send(self, span_us(std::max<time_us>(gap, 1)),
                     next_op_atom::value);
}

append_req make_batch(caf::event_based_actor* self, client_state& st) {
  append_req req;
  req.client = st.opts.number;
  req.seq = st.next_seq++;
  auto base = st.opts.start_ts + now_us(self);
  for (uint32_t i = 0; i < st.opts.batch_size; ++i) {
    entry e;
    e.ts = base + static_cast<timestamp_us>(st.rng.below(1000));
    e.source = "app-" + std::to_string(1 + st.rng.below(3));
    e.payload.resize(st.opts.entry_bytes);
    // Printable pseudo-random bytes, 8 per generator call.
    uint64_t bits = 0;
    for (size_t j = 0; j < e.payload.size(); ++j) {
      if (j % 8 == 0)
        bits = st.rng.next();
      e.payload[j] = static_cast<char>('a' + (bits & 0xFF) % 26);
      bits >>= 8;
    }
    req.entries.push_back(std::move(e));
  }
  return req;
}

std::vector<entry_ref> refs_of(const append_req& req) {
  std::vector<entry_ref> out;
  out.reserve(req.entries.size());
  for (uint32_t i = 0; i < req.entries.size(); ++i)
    out.push_back({req.client, req.seq, i, req.entries[i].ts,
                   req.entries[i].source});
  return out;
}

std::vector<entry_ref> refs_of(const read_result& res) {
  std::vector<entry_ref> out;
  out.reserve(res.entries.size());
  for (auto& e : res.entries)
    out.push_back({e.client, e.seq, e.index, e.ts, e.source});
  return out;
}

void finish_append(caf::event_based_actor* self, const state_ptr& st,
                   const append_req& req, op_type type, errc code,
                   batch_id batch) {
  auto ev = base_event(self, *st, type, op_fn::append);
  ev.client = req.client;
  ev.seq = req.seq;
  ev.entries = refs_of(req);
  ev.batch = batch;
  ev.error = code;
  ev.node = st->opts.master;
  record(*st, std::move(ev));
  if (type == op_type::info)
    renumber(*st);
  schedule_next(self, st);
}

void attempt_append(caf::event_based_actor* self, const state_ptr& st,
                    std::shared_ptr<append_req> req, uint32_t attempt) {
  req->attempt = attempt; // 0 = first: the master may answer definitely
  auto on_error = [self, st, req, attempt](errc code) {
    if (code == errc::timeout || code == errc::unreachable)
      st->peers.forget(st->opts.master);
    if (!is_definite(code) && attempt < st->opts.append_retries) {
      if (code == errc::in_doubt) {
        // A quick "cannot tell yet" (a restarted master waiting for
        // reports): back off before the same (client, seq) goes again.
        auto delay = std::min<time_us>(100'000 << std::min(attempt, 4u),
                                       st->opts.op_timeout);
        st->backing_off[req->seq] = {req, attempt + 1};
        self->delayed_send(self, span_us(delay), backoff_atom::value,
                           req->seq);
        return;
      }
      attempt_append(self, st, req, attempt + 1); // same (client, seq)
      return;
    }
    // A definite answer from the master is authoritative for (client, seq)
    // even after earlier timeouts: the master answers a retry definitely
    // only when it can see every earlier attempt (docs/protocol.md, "From
    // outcome to history"). An unreachable master is definite only if no
    // attempt was ever sent.
    auto definite = is_definite(code)
                    && (code != errc::unreachable || attempt == 0);
    auto type = definite ? op_type::fail : op_type::info;
    finish_append(self, st, *req, type, code, 0);
  };
  st->peers.with_peer(
    self, st->ctx.directory, st->opts.master, st->opts.op_timeout,
    [self, st, req, on_error](const caf::actor& master) {
      self->request(master, span_us(st->opts.op_timeout), *req)
        .then(
          [self, st, req](append_ack& ack) {
            finish_append(self, st, *req, op_type::ok, errc::none, ack.batch);
          },
          [on_error](caf::error& err) mutable { on_error(to_errc(err)); });
    },
    on_error);
}

void start_read(caf::event_based_actor* self, const state_ptr& st,
                op_fn f, time_range range) {
  auto inv = base_event(self, *st, op_type::invoke, f);
  inv.range = range;
  record(*st, inv);
  auto complete = [self, st, f, range](op_type type, errc code,
                                       read_result* res) {
    auto ev = base_event(self, *st, type, f);
    ev.range = range;
    ev.error = code;
    ev.node = st->opts.master;
    if (res != nullptr) {
      ev.entries = refs_of(*res);
      ev.complete = res->complete;
      ev.missing = res->missing;
      ev.expired_before = res->expired_before;
    }
    record(*st, std::move(ev));
    if (type == op_type::info)
      renumber(*st);
    if (f == op_fn::read)
      schedule_next(self, st);
  };
  auto timeout = f == op_fn::final_read ? 4 * st->opts.op_timeout
                                        : st->opts.op_timeout;
  auto on_error = [self, st, f, range, complete](errc code) {
    if (code == errc::timeout || code == errc::unreachable)
      st->peers.forget(st->opts.master);
    if (f == op_fn::final_read && ++st->final_attempts < 3) {
      self->delayed_send(self, span_us(st->opts.op_timeout),
                         final_read_atom::value);
    }
    // A read changes nothing, but the history keeps Maelstrom's split: a
    // timed-out read is indefinite (info), a refused one definite (fail).
    complete(is_definite(code) ? op_type::fail : op_type::info, code,
             nullptr);
  };
  st->peers.with_peer(
    self, st->ctx.directory, st->opts.master, timeout,
    [self, range, timeout, complete, on_error](const caf::actor& master) {
      self->request(master, span_us(timeout), read_req{range.from, range.to})
        .then([complete](read_result& res) { complete(op_type::ok, errc::none,
                                                      &res); },
              [on_error](caf::error& err) { on_error(to_errc(err)); });
    },
    on_error);
}

void next_op(caf::event_based_actor* self, const state_ptr& st) {
  auto now = now_us(self);
  if (now >= st->opts.stop_at)
    return;
  if (st->rng.chance(st->opts.read_share)) {
    auto to = st->opts.start_ts + now;
    start_read(self, st, op_fn::read, {to - st->opts.read_window, to});
    return;
  }
  auto req = std::make_shared<append_req>(make_batch(self, *st));
  auto inv = base_event(self, *st, op_type::invoke, op_fn::append);
  inv.client = req->client;
  inv.seq = req->seq;
  inv.entries = refs_of(*req);
  record(*st, std::move(inv));
  attempt_append(self, st, std::move(req), 0);
}

} // namespace

caf::behavior client_actor(caf::event_based_actor* self, client_options opts,
                           node_context ctx, history* h) {
  auto st = std::make_shared<client_state>();
  st->opts = std::move(opts);
  st->ctx = std::move(ctx);
  st->hist = h;
  st->rng = prng{st->ctx.seed};
  st->process = st->opts.number;
  self->set_default_handler(caf::drop);
  self->delayed_send(self, span_us(st->opts.start_at), next_op_atom::value);
  return {
    [self, st](next_op_atom) { next_op(self, st); },
    [self, st](backoff_atom, sequence_nr seq) {
      auto i = st->backing_off.find(seq);
      if (i == st->backing_off.end())
        return;
      auto [req, attempt] = std::move(i->second);
      st->backing_off.erase(i);
      attempt_append(self, st, std::move(req), attempt);
    },
    [self, st](final_read_atom) {
      // The whole time axis: everything ever acknowledged must be here.
      start_read(self, st, op_fn::final_read,
                 {std::numeric_limits<timestamp_us>::min(),
                  std::numeric_limits<timestamp_us>::max()});
    },
  };
}

} // namespace logstore
