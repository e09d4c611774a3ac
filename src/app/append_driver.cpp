// logstore — append pipeline actor.
#include "app/append_driver.hpp"

#include "actors/node_context.hpp"
#include "actors/protocol.hpp"

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
  uint32_t attempts = 0;
  bool maybe_sent = false; ///< some attempt may have reached the master
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
  /// most in_flight + 1: one batch waits here, ready, so that a completion
  /// starts the next batch at once instead of after a round trip to the
  /// producer thread (which cost ~100 us per batch, measured).
  uint32_t active = 0;
  /// Batches at the master or backing off; at most in_flight.
  uint32_t running = 0;
  std::deque<std::shared_ptr<job>> queued; ///< received, not yet started
  std::deque<caf::response_promise> waiting_room; ///< blocked producers
  caf::response_promise drain;
  bool draining = false;
  uint64_t acked = 0, not_stored = 0, maybe_stored = 0;
  std::vector<uint64_t> free_processes;
  uint64_t next_process = 0;
  time_us last_time = 0;
  std::map<sequence_nr, job_ptr> retrying; ///< waiting for their back-off
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
  history_event ev;
  st.last_time = std::max(st.last_time, steady_us());
  ev.time = st.last_time;
  ev.process = j.process;
  ev.type = type;
  ev.f = op_fn::append;
  auto& req = j.req();
  ev.client = req.client;
  ev.seq = req.seq;
  for (uint32_t i = 0; i < req.entries.size(); ++i)
    ev.entries.push_back({req.client, req.seq, i, req.entries[i].ts,
                          req.entries[i].source});
  ev.batch = batch;
  ev.error = code;
  ev.node = "master";
  st.opts.hist->add(std::move(ev));
}

void maybe_finish(driver_state& st) {
  while (st.active < st.opts.in_flight + 1 && !st.waiting_room.empty()) {
    st.waiting_room.front().deliver(caf::unit);
    st.waiting_room.pop_front();
    ++st.active; // reserved for the batch the producer sends next
  }
  if (st.draining && st.active == 0) {
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
  if (type == op_type::ok) {
    st->acked += n;
    st->free_processes.push_back(j.process);
  } else if (type == op_type::fail) {
    st->not_stored += n;
    st->free_processes.push_back(j.process);
    std::cerr << "append: lines " << line_ranges(j.lines)
              << ": NOT stored (definite: " << to_string(code) << ") "
              << text << "\n";
  } else {
    st->maybe_stored += n;
    std::cerr << "append: lines " << line_ranges(j.lines)
              << ": MAYBE stored (indefinite: " << to_string(code)
              << " after " << j.attempts << " attempts) " << text << "\n";
  }
  --st->active;
  --st->running;
  start_queued(self, st);
  maybe_finish(*st);
}

void attempt(caf::event_based_actor* self, const state_ptr& st, job_ptr j) {
  if (j->attempts == 0 && st->opts.on_complete)
    j->started = steady_us();
  if (!st->opts.master) { // never connected: nothing was ever sent
    complete(self, st, *j, op_type::fail, errc::unreachable, 0,
             "(no master)");
    return;
  }
  // The attempt number goes with the request: a restarted master answers a
  // first attempt definitely, a retry only when it can see every earlier
  // one. The message is copied on write; the entries are not touched.
  if (j->attempts > 0)
    j->msg.get_mutable_as<append_req>(0).attempt = j->attempts;
  ++j->attempts;
  self->request(st->opts.master, st->opts.timeout, j->msg)
    .then(
      [self, st, j](append_ack& ack) {
        complete(self, st, *j, op_type::ok, errc::none, ack.batch, {});
      },
      [self, st, j](caf::error& err) {
        auto code = to_errc(err);
        if (code != errc::unreachable)
          j->maybe_sent = true; // a timeout or an answer: it got there
        bool transient = code == errc::timeout || code == errc::unreachable
                         || code == errc::unavailable
                         || code == errc::in_doubt;
        if (transient && j->attempts <= st->opts.retries) {
          auto delay = std::min<time_us>(100'000 << (j->attempts - 1),
                                         2'000'000);
          st->retrying.emplace(j->req().seq, j);
          self->delayed_send(self, span_us(delay), next_op_atom::value,
                             j->req().seq);
          return;
        }
        // A definite answer from the master is authoritative for (client,
        // seq) even after timeouts: the master answers a retry definitely
        // only when it can see every earlier attempt (else in_doubt).
        // Unreachable is definite only if no attempt ever got out.
        bool definite = is_definite(code)
                        && !(code == errc::unreachable && j->maybe_sent);
        complete(self, st, *j, definite ? op_type::fail : op_type::info, code,
                 0, describe_error(err, self->system().render(err)));
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
  st->next_process = st->opts.process_base;
  if (st->opts.hist && st->opts.hist->size() > 0)
    st->last_time = st->opts.hist->events().back().time;
  self->set_default_handler(caf::drop);
  return {
    // A producer asks for room first, then sends the batch. Room means:
    // fewer than in_flight + 1 batches here (see driver_state::active).
    [self, st](batch_atom) -> caf::result<caf::unit_t> {
      if (st->active < st->opts.in_flight + 1) {
        ++st->active;
        return caf::unit;
      }
      st->waiting_room.push_back(self->make_response_promise());
      return caf::delegated<caf::unit_t>{};
    },
    [self, st](append_req& req, std::vector<uint32_t>& lines) {
      auto j = std::make_shared<job>();
      j->msg = caf::make_message(std::move(req));
      j->lines = std::move(lines);
      if (!st->free_processes.empty()) {
        j->process = st->free_processes.back();
        st->free_processes.pop_back();
      } else {
        j->process = st->next_process++;
      }
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
    [self, st](drain_atom) -> caf::result<uint64_t, uint64_t, uint64_t> {
      st->drain = self->make_response_promise();
      st->draining = true;
      maybe_finish(*st);
      return caf::delegated<uint64_t, uint64_t, uint64_t>{};
    },
  };
}

} // namespace logstore::app
