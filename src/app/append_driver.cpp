// logstore — append pipeline actor.
#include "app/append_driver.hpp"

#include "actors/direct_write.hpp"
#include "actors/node_context.hpp"
#include "actors/protocol.hpp"
#include "core/client/append_session.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <iostream>

namespace logstore::app {

namespace {

struct job {
  /// The append_req, built once: every attempt sends this message as is
  /// (CAF messages are shared, copy-on-write), not a copy of the entries.
  caf::message msg;
  std::vector<uint32_t> lines;
  append_attempts attempts; ///< retries and verdicts: the client session
  uint64_t process = 0;
  time_us started = 0; ///< steady clock at the first attempt (on_complete)

  const append_req& req() const {
    return msg.get_as<append_req>(0);
  }
};

using job_ptr = std::shared_ptr<job>;

struct driver_state {
  driver_options opts;
  /// Batches the driver is responsible for: room granted but not yet
  /// received, queued, or at the master (attempting or backing off). At
  /// most room(): batches wait here, ready, so that a completion starts the
  /// next batch at once instead of after a round trip to the producer
  /// thread (which cost ~100 us per batch, measured).
  uint32_t active = 0;
  uint32_t room() const {
    return 2 * opts.in_flight;
  }
  /// Room is granted once this many slots are free (or the producer would
  /// cross threads for every batch: bench/cluster_bench.cpp, K=1 with 8 in
  /// flight).
  uint32_t grant_min() const {
    return std::max<uint32_t>(1, opts.in_flight);
  }
  /// Batches at the master or backing off; at most in_flight.
  uint32_t running = 0;
  std::deque<std::shared_ptr<job>> queued; ///< received, not yet started
  std::deque<caf::response_promise> waiting_room; ///< blocked producers
  caf::response_promise drain;
  bool draining = false;
  uint64_t acked = 0, not_stored = 0, maybe_stored = 0;
  process_ids processes{0, 1};
  time_us last_time = 0;
  std::map<sequence_nr, job_ptr> retrying; ///< waiting for their back-off
  /// Direct writes: the writer (null: through the master), whether the
  /// cluster's answer is known yet (the first placement_req tells), and
  /// the jobs in the writer by seq.
  writer_env_ptr writer;
  bool direct_known = false;
  std::map<sequence_nr, job_ptr> writing;
  size_t current = 0; ///< opts.masters[current] gets the next request
  /// Every request's timeout (actors/deadlines.hpp).
  deadlines_ptr deadlines = std::make_shared<deadline_wheel>();
};

using state_ptr = std::shared_ptr<driver_state>;

time_us steady_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch())
    .count();
}

void record(driver_state& st, const job& j, op_type type, errc code,
            batch_id batch) {
  if (!st.opts.hist)
    return;
  st.last_time = std::max(st.last_time, steady_us());
  st.opts.hist->add(append_event(type, j.req(), st.last_time, j.process,
                                 "master", batch, code));
}

void maybe_finish(driver_state& st) {
  while (st.active + st.grant_min() <= st.room()
         && !st.waiting_room.empty()) {
    // Every free slot, reserved for the batches the producer sends next.
    st.waiting_room.front().deliver(st.room() - st.active);
    st.waiting_room.pop_front();
    st.active = st.room();
  }
  if (st.draining && st.active == 0 && (!st.writer || st.writer->writer.idle())) {
    st.drain.deliver(st.acked, st.not_stored, st.maybe_stored);
    st.draining = false;
  }
}

void attempt(caf::event_based_actor* self, const state_ptr& st, job_ptr j);

/// Starts queued batches while fewer than in_flight are at the master.
void start_queued(caf::event_based_actor* self, const state_ptr& st) {
  while (st->running < st->opts.in_flight && !st->queued.empty()) {
    auto j = std::move(st->queued.front());
    st->queued.pop_front();
    ++st->running;
    attempt(self, st, std::move(j));
  }
}

void complete(caf::event_based_actor* self, const state_ptr& st, const job& j,
              op_type type, errc code, batch_id batch,
              const std::string& text) {
  record(*st, j, type, code, batch);
  if (st->opts.on_complete)
    st->opts.on_complete(j.req().seq, type, steady_us() - j.started);
  auto n = j.req().entries.size();
  st->processes.release(j.process, type);
  if (type == op_type::ok) {
    st->acked += n;
  } else if (type == op_type::fail) {
    st->not_stored += n;
    std::cerr << "append: lines " << line_ranges(j.lines)
              << ": NOT stored (definite: " << to_string(code) << ") "
              << text << "\n";
  } else {
    st->maybe_stored += n;
    std::cerr << "append: lines " << line_ranges(j.lines)
              << ": MAYBE stored (indefinite: " << to_string(code)
              << " after " << j.attempts.attempts() << " attempts) " << text << "\n";
  }
  --st->active;
  --st->running;
  start_queued(self, st);
  maybe_finish(*st);
}

/// The end of an attempt the writer made (direct writes).
void direct_ended(caf::event_based_actor* self, const state_ptr& st,
                  const direct_writer::attempt_end& e) {
  auto i = st->writing.find(e.op);
  if (i == st->writing.end())
    return;
  auto j = i->second;
  auto writer = st->writer; // the attempts that ended may outlive it here
  if (e.code == errc::precondition_failed
      && (!st->direct_known || !writer)) {
    // The cluster writes through the master: from now on, append_req (the
    // batches waiting for the same placement_req come here too).
    st->direct_known = true;
    st->writing.erase(i);
    if (writer)
      writer_finish(self, writer, e.op);
    st->writer.reset();
    j->attempts = append_attempts{st->opts.policy};
    attempt(self, st, std::move(j));
    return;
  }
  if (!writer)
    return;
  if (e.code == errc::none) {
    st->direct_known = true;
    st->writing.erase(i);
    writer_finish(self, writer, e.op);
    complete(self, st, *j, op_type::ok, errc::none, e.batch, {});
    return;
  }
  auto d = j->attempts.on_error(e.code);
  if (d.retry) {
    st->retrying.emplace(j->req().seq, j);
    self->delayed_send(self, span_us(d.delay), next_op_atom::value,
                       j->req().seq);
    return;
  }
  st->writing.erase(i);
  writer_finish(self, writer, e.op);
  complete(self, st, *j, d.outcome, e.code, 0, {});
}

void attempt(caf::event_based_actor* self, const state_ptr& st, job_ptr j) {
  if (j->attempts.attempts() == 0 && st->opts.on_complete)
    j->started = steady_us();
  if (st->writer) {
    (void) j->attempts.begin();
    st->writing[j->req().seq] = j;
    writer_begin(self, st->writer, j->req().seq, j->req());
    return;
  }
  if (!st->opts.master) { // never connected: nothing was ever sent
    complete(self, st, *j, op_type::fail, errc::unreachable, 0,
             "(no master)");
    return;
  }
  // The attempt number goes with the request: a restarted master answers a
  // first attempt definitely, a retry only when it can see every earlier
  // one. The message is copied on write; the entries are not touched.
  auto number = j->attempts.begin();
  if (number > 0)
    j->msg.get_mutable_as<append_req>(0).attempt = number;
  deadline_wheel::request<append_ack>(
    self, st->deadlines, st->opts.master, st->opts.timeout, j->msg,
    [self, st, j](append_ack& ack) {
      complete(self, st, *j, op_type::ok, errc::none, ack.batch, {});
    },
    [self, st, j](caf::error& err) {
      auto code = to_errc(err);
      auto d = j->attempts.on_error(code);
      if (d.retry) {
        st->retrying.emplace(j->req().seq, j);
        self->delayed_send(self, span_us(d.delay), next_op_atom::value,
                           j->req().seq);
        return;
      }
      complete(self, st, *j, d.outcome, code, 0,
               describe_error(err, self->system().render(err)));
    });
}

} // namespace

std::string line_ranges(const std::vector<uint32_t>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    size_t k = i;
    while (k + 1 < lines.size() && lines[k + 1] == lines[k] + 1)
      ++k;
    if (!out.empty())
      out += ", ";
    out += std::to_string(lines[i]);
    if (k > i)
      out += "-" + std::to_string(lines[k]);
    i = k + 1;
  }
  return out;
}

caf::behavior append_driver(caf::event_based_actor* self,
                            driver_options opts) {
  auto st = std::make_shared<driver_state>();
  st->opts = std::move(opts);
  st->processes = process_ids{st->opts.process_base, 1};
  if (st->opts.directory && !st->opts.masters.empty()) {
    st->writer = std::make_shared<writer_env>(st->opts.client);
    auto& w = *st->writer;
    w.directory = st->opts.directory;
    w.deadlines = st->deadlines;
    w.request_timeout
      = std::chrono::duration_cast<std::chrono::microseconds>(st->opts.timeout)
          .count();
    std::weak_ptr<driver_state> weak = st;
    w.master = [weak] {
      auto s = weak.lock();
      return s ? s->opts.masters[s->current] : node_name{};
    };
    w.master_failed = [weak](errc code) {
      auto s = weak.lock();
      if (s && (code == errc::timeout || code == errc::unreachable
                || code == errc::not_active))
        s->current = (s->current + 1) % s->opts.masters.size();
    };
    w.on_end = [self, weak](const direct_writer::attempt_end& e) {
      if (auto s = weak.lock())
        direct_ended(self, s, e);
    };
    w.on_progress = [weak] {
      if (auto s = weak.lock())
        maybe_finish(*s);
    };
  }
  if (st->opts.hist && st->opts.hist->size() > 0)
    st->last_time = st->opts.hist->events().back().time;
  self->set_default_handler(caf::drop);
  return {
    // A producer asks for room first, then sends as many batches as it got
    // credits (see driver_state::active).
    [self, st](batch_atom) -> caf::result<uint32_t> {
      if (st->active + st->grant_min() <= st->room()) {
        auto credits = st->room() - st->active;
        st->active = st->room();
        return credits;
      }
      st->waiting_room.push_back(self->make_response_promise());
      return caf::delegated<uint32_t>{};
    },
    [self, st](append_req& req, std::vector<uint32_t>& lines) {
      auto j = std::make_shared<job>();
      j->msg = caf::make_message(std::move(req));
      j->lines = std::move(lines);
      j->attempts = append_attempts{st->opts.policy};
      j->process = st->processes.take();
      record(*st, *j, op_type::invoke, errc::none, 0);
      st->queued.push_back(std::move(j));
      start_queued(self, st);
    },
    [self, st](next_op_atom, sequence_nr seq) {
      auto i = st->retrying.find(seq);
      if (i == st->retrying.end())
        return;
      auto j = std::move(i->second);
      st->retrying.erase(i);
      attempt(self, st, std::move(j));
    },
    [self, st](commit_retry_atom) {
      if (st->writer)
        writer_commit_retry(self, st->writer);
    },
    [self, st](deadline_atom) { st->deadlines->tick(self); },
    [self, st](drain_atom, uint32_t unused)
      -> caf::result<uint64_t, uint64_t, uint64_t> {
      st->active -= std::min(unused, st->active); // credits never used
      st->drain = self->make_response_promise();
      st->draining = true;
      if (st->writer)
        writer_close(self, st->writer); // the placements end with the run
      maybe_finish(*st);
      return caf::delegated<uint64_t, uint64_t, uint64_t>{};
    },
  };
}

void driver_room::take(caf::scoped_actor& self) {
  if (credits_ == 0) {
    // No timeout: the driver is in this process and always answers (a dead
    // one bounces the request); a finite one would leave a timer per
    // request in CAF's clock, which never cancels it (actors/deadlines.hpp).
    self->request(driver_, caf::infinite, batch_atom::value)
      .receive([this](uint32_t n) { credits_ = n; },
               [this](caf::error&) { credits_ = 1; }); // gone: send anyway
  }
  credits_ -= credits_ > 0 ? 1 : 0;
}

std::tuple<uint64_t, uint64_t, uint64_t>
driver_room::drain(caf::scoped_actor& self) {
  std::tuple<uint64_t, uint64_t, uint64_t> out{0, 0, 0};
  self->request(driver_, caf::infinite, drain_atom::value, credits_)
    .receive(
      [&](uint64_t acked, uint64_t not_stored, uint64_t maybe) {
        out = {acked, not_stored, maybe};
      },
      [](caf::error&) {});
  credits_ = 0;
  return out;
}

} // namespace logstore::app
