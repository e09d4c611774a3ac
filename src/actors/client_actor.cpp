// logstore — workload client actor.
#include "actors/client_actor.hpp"

#include "actors/direct_read.hpp"
#include "actors/direct_write.hpp"
#include "core/base/assert.hpp"
#include "core/base/prng.hpp"
#include "core/client/append_session.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

namespace logstore {

namespace {

/// One append under way: the request (the same (client, seq) on every
/// attempt), its attempts, and its history process.
struct append_op {
  append_req req;
  append_attempts attempts;
  uint64_t process = 0;
};

using op_ptr = std::shared_ptr<append_op>;

struct client_state {
  client_options opts;
  node_context ctx;
  history* hist = nullptr;
  prng rng;
  peer_cache peers;
  /// Reads keep their own peer cache (the master and storage nodes).
  reader_env_ptr reader;
  /// Every request's timeout (reads, direct writes, appends).
  deadlines_ptr deadlines = std::make_shared<deadline_wheel>();
  sequence_nr next_seq = 1;
  process_ids processes{0, 1};
  uint32_t final_attempts = 0;
  /// Appends waiting out a back-off before their next attempt.
  std::map<sequence_nr, op_ptr> backing_off;
  /// Direct writes (opts.direct): the writer and the appends under way in
  /// it, by seq.
  writer_env_ptr writer;
  std::map<sequence_nr, op_ptr> writing;
  /// The master this client sends to: opts.masters[current].
  size_t current = 0;
  /// The newest master epoch seen in an ack: sent with every append, so a
  /// master of an older epoch steps down.
  uint64_t epoch = 0;
  const node_name& master() const {
    return opts.masters[current];
  }
  /// A master that did not answer, or said it is not active: forget its
  /// handle and try the next one.
  void master_failed(errc code) {
    if (code == errc::timeout || code == errc::unreachable
        || code == errc::not_active) {
      peers.forget(master());
      if (code != errc::not_active || opts.masters.size() > 1)
        current = (current + 1) % opts.masters.size();
    }
  }
};

using state_ptr = std::shared_ptr<client_state>;


void record(client_state& st, history_event ev) {
  if (st.hist != nullptr)
    st.hist->add(std::move(ev));
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
  auto now = now_us(self);
  auto base = st.opts.start_ts + now;
  // Drawn only when asked for: runs without backfill keep their traces.
  if (st.opts.backfill_share > 0 && st.rng.chance(st.opts.backfill_share)) {
    auto back = static_cast<uint64_t>(std::max<time_us>(now, 0)) + 1;
    base = st.opts.start_ts + static_cast<timestamp_us>(st.rng.below(back));
  }
  req.entries.reserve(st.opts.batch_size);
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

void finish(caf::event_based_actor* self, const state_ptr& st,
            history_event ev) {
  st->processes.release(ev.process, ev.type);
  record(*st, std::move(ev));
  schedule_next(self, st);
}

/// The end of one attempt of a direct write: ok, or an error the session
/// turns into a retry or a verdict (as for an append through the master).
void direct_attempt_ended(caf::event_based_actor* self, const state_ptr& st,
                          const direct_writer::attempt_end& e) {
  auto i = st->writing.find(e.op);
  if (i == st->writing.end())
    return;
  auto op = i->second;
  st->epoch = std::max(st->epoch, e.epoch);
  if (e.code == errc::none) {
    st->writing.erase(i);
    writer_finish(self, st->writer, e.op);
    finish(self, st,
           append_event(op_type::ok, op->req, now_us(self), op->process,
                        st->master(), e.batch));
    return;
  }
  auto d = op->attempts.on_error(e.code);
  if (d.retry) {
    st->backing_off[op->req.seq] = op;
    self->delayed_send(self, span_us(d.delay), backoff_atom::value,
                       op->req.seq);
    return;
  }
  st->writing.erase(i);
  writer_finish(self, st->writer, e.op);
  finish(self, st,
         append_event(d.outcome, op->req, now_us(self), op->process,
                      st->master(), 0, e.code));
}

/// One attempt of an append; the session (core/client/append_session.hpp)
/// decides retries and verdicts, as it does for `logstore append`.
void attempt_append(caf::event_based_actor* self, const state_ptr& st,
                    op_ptr op) {
  if (st->writer) {
    op->req.attempt = op->attempts.begin();
    st->writing[op->req.seq] = op;
    writer_begin(self, st->writer, op->req.seq, op->req);
    return;
  }
  op->req.attempt = op->attempts.begin();
  op->req.epoch = st->epoch;
  auto on_error = [self, st, op](errc code) {
    st->master_failed(code);
    auto d = op->attempts.on_error(code);
    if (d.retry) {
      st->backing_off[op->req.seq] = op;
      self->delayed_send(self, span_us(d.delay), backoff_atom::value,
                         op->req.seq);
      return;
    }
    finish(self, st,
           append_event(d.outcome, op->req, now_us(self), op->process,
                        st->master(), 0, code));
  };
  st->peers.with_peer(
    self, st->ctx.directory, st->master(), st->opts.op_timeout,
    [self, st, op, on_error](const caf::actor& master) {
      deadline_wheel::request<append_ack>(
        self, st->deadlines, master, span_us(st->opts.op_timeout), op->req,
        [self, st, op](append_ack& ack) {
          st->epoch = std::max(st->epoch, ack.epoch);
          finish(self, st,
                 append_event(op_type::ok, op->req, now_us(self),
                              op->process, st->master(), ack.batch));
        },
        [on_error](caf::error& err) mutable { on_error(to_errc(err)); });
    },
    on_error);
}

void start_read(caf::event_based_actor* self, const state_ptr& st,
                op_fn f, time_range range) {
  auto process = st->processes.take();
  record(*st, read_event(op_type::invoke, f, range, now_us(self), process,
                         st->master(), errc::none, nullptr));
  auto complete = [self, st, f, range, process](op_type type, errc code,
                                                const read_result* res) {
    st->processes.release(process, type);
    record(*st, read_event(type, f, range, now_us(self), process,
                           st->master(), code, res));
    if (f == op_fn::read)
      schedule_next(self, st);
  };
  auto timeout = f == op_fn::final_read ? 4 * st->opts.op_timeout
                                        : st->opts.op_timeout;
  auto on_error = [self, st, f, complete](errc code) {
    st->master_failed(code);
    if (f == op_fn::final_read
        && ++st->final_attempts < 3 * st->opts.masters.size()) {
      self->delayed_send(self, span_us(st->opts.op_timeout),
                         final_read_atom::value);
    }
    complete(read_outcome(code), code, nullptr);
  };
  direct_read(self, st->reader, st->master(), range, timeout,
              [complete, on_error](errc code, const std::string&,
                                   read_result* res) {
                if (code == errc::none)
                  complete(op_type::ok, errc::none, res);
                else
                  on_error(code);
              });
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
  retry_policy policy;
  policy.retries = st->opts.append_retries;
  auto op = std::make_shared<append_op>(
    append_op{make_batch(self, *st), append_attempts{policy},
              st->processes.take()});
  record(*st, append_event(op_type::invoke, op->req, now, op->process,
                           st->master()));
  attempt_append(self, st, std::move(op));
}

} // namespace

caf::behavior client_actor(caf::event_based_actor* self, client_options opts,
                           node_context ctx, history* h) {
  auto st = std::make_shared<client_state>();
  st->opts = std::move(opts);
  st->ctx = std::move(ctx);
  st->hist = h;
  st->rng = prng{st->ctx.seed};
  st->reader = std::make_shared<reader_env>();
  st->reader->directory = st->ctx.directory;
  st->reader->log = &st->ctx;
  st->reader->deadlines = st->deadlines;
  st->processes = process_ids{st->opts.number, st->opts.process_stride};
  if (st->opts.direct) {
    st->writer = std::make_shared<writer_env>(st->opts.number);
    auto& w = *st->writer;
    w.directory = st->ctx.directory;
    w.deadlines = st->deadlines;
    w.request_timeout = st->opts.op_timeout;
    std::weak_ptr<client_state> weak = st;
    w.master = [weak] {
      auto s = weak.lock();
      return s ? s->master() : node_name{};
    };
    w.master_failed = [weak](errc code) {
      if (auto s = weak.lock())
        s->master_failed(code);
    };
    w.on_end = [self, weak](const direct_writer::attempt_end& e) {
      if (auto s = weak.lock())
        direct_attempt_ended(self, s, e);
    };
  }
  self->set_default_handler(caf::drop);
  self->delayed_send(self, span_us(st->opts.start_at), next_op_atom::value);
  return {
    [self, st](next_op_atom) { next_op(self, st); },
    [self, st](deadline_atom) { st->deadlines->tick(self); },
    [self, st](backoff_atom, sequence_nr seq) {
      auto i = st->backing_off.find(seq);
      if (i == st->backing_off.end())
        return;
      auto op = std::move(i->second);
      st->backing_off.erase(i);
      attempt_append(self, st, std::move(op));
    },
    [self, st](commit_retry_atom) {
      if (st->writer)
        writer_commit_retry(self, st->writer);
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
