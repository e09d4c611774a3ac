// logstore — a read without the master on the data path (direct_read.hpp).
#include "actors/direct_read.hpp"

#include "core/client/read_session.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <optional>

namespace logstore {

namespace {

struct read_run {
  reader_env_ptr env;
  node_name master;
  time_range window;
  time_us deadline = 0;
  read_done done;
  std::optional<read_session> session;
  size_t in_flight = 0;
  bool finished = false;
  /// The prefetch: sent to `prefetch_node`, answered (`prefetched`), or
  /// failed; the plan waits for it when `plan_waiting`.
  enum class prefetch_state : uint8_t { none, pending, answered, failed };
  prefetch_state prefetch = prefetch_state::none;
  node_name prefetch_node;
  fetch_result prefetched;
  bool plan_waiting = false;
};

using run_ptr = std::shared_ptr<read_run>;

void end(const run_ptr& run, errc code, const std::string& text,
         read_result* res) {
  if (run->finished)
    return;
  run->finished = true;
  run->done(code, text, res);
}

void send_fetches(caf::event_based_actor* self, const run_ptr& run,
                  std::vector<read_session::fetch_to> fetches);

void maybe_finish(caf::event_based_actor* self, const run_ptr& run);

/// The first assignment, with the prefetch's frames if it was answered.
void start_fetches(caf::event_based_actor* self, const run_ptr& run) {
  using ps = read_run::prefetch_state;
  auto& session = *run->session;
  auto fetches = run->prefetch == ps::answered
                   ? session.start(run->prefetch_node, run->prefetched)
                 : run->prefetch == ps::failed
                   ? session.start_without(run->prefetch_node)
                   : session.start();
  run->prefetched = {};
  auto& env = *run->env;
  env.prefetch_timeout = session.fetch_timeout();
  if (auto* p = session.preferred(); p != nullptr)
    env.prefetch_at = *p;
  send_fetches(self, run, std::move(fetches));
}

/// Asks the node that served the previous read for its frames of the
/// window, while the plan is on its way.
void send_prefetch(caf::event_based_actor* self, const run_ptr& run) {
  using ps = read_run::prefetch_state;
  auto& env = *run->env;
  if (!env.prefetch_at)
    return;
  run->prefetch = ps::pending;
  run->prefetch_node = env.prefetch_at->name;
  auto timeout = std::min(std::max<time_us>(env.prefetch_timeout, 1'000),
                          run->deadline - now_us(self));
  auto done = [self, run](bool ok) {
    if (run->finished)
      return;
    if (!ok) {
      run->prefetch = ps::failed;
      run->prefetched = {};
    } else {
      run->prefetch = ps::answered;
    }
    if (run->plan_waiting) {
      run->plan_waiting = false;
      start_fetches(self, run);
      maybe_finish(self, run);
    }
  };
  fetch_req req{{}, run->window.from, run->window.to,
                read_plan::fetch_batches_max};
  auto node = run->prefetch_node;
  env.peers.with_peer(
    self, env.directory, node, timeout,
    [self, run, timeout, req, done, node](const caf::actor& peer) {
      deadline_wheel::request<fetch_result>(
        self, run->env->deadlines, peer, span_us(timeout), req,
        [run, done](fetch_result& res) {
          run->prefetched = std::move(res);
          done(true);
        },
        [run, done, node](caf::error& err) {
          if (to_errc(err) == errc::timeout)
            run->env->peers.forget(node);
          run->env->prefetch_at.reset(); // the next plan picks another
          done(false);
        });
    },
    [run, done](errc) {
      run->env->prefetch_at.reset();
      done(false);
    });
}

void maybe_finish(caf::event_based_actor* self, const run_ptr& run) {
  if (run->finished || run->in_flight > 0 || !run->session->done())
    return;
  auto result = run->session->finish();
  if (auto bad = run->session->corrupt_frames(); bad > 0) {
    run->env->corrupt_frames += bad;
    if (run->env->log != nullptr)
      log_event(self, *run->env->log, log_level::warn, "corrupt_frame",
                std::to_string(bad)
                  + " fetched frame(s) failed verification (damaged on the "
                    "way or in a node's memory); not merged, read from "
                    "other replicas");
  }
  // Hints first: the master checks those copies with their nodes.
  for (auto& hint : run->session->hints())
    run->env->peers.with_peer(
      self, run->env->directory, run->master, run->session->fetch_timeout(),
      [self, hint](const caf::actor& master) { self->send(master, hint); },
      [](errc) {});
  end(run, errc::none, {}, &result);
}

void on_fetch_failed(caf::event_based_actor* self, const run_ptr& run,
                     uint64_t id) {
  --run->in_flight;
  if (run->finished)
    return;
  send_fetches(self, run, run->session->on_failure(id));
  maybe_finish(self, run);
}

void send_fetches(caf::event_based_actor* self, const run_ptr& run,
                  std::vector<read_session::fetch_to> fetches) {
  if (fetches.empty())
    return;
  auto left = run->deadline - now_us(self);
  if (left <= 0) {
    end(run, errc::timeout,
        "the read did not finish before its deadline", nullptr);
    return;
  }
  auto timeout = std::min(run->session->fetch_timeout(), left);
  for (auto& f : fetches) {
    ++run->in_flight;
    if (!f.address.empty() && f.address != "sim") {
      auto& known = run->env->learned[f.node];
      if (known != f.address) {
        known = f.address;
        self->send(run->env->directory, learn_atom::value, f.node, f.address);
      }
    }
    auto id = f.id;
    auto node = f.node;
    run->env->peers.with_peer(
      self, run->env->directory, node, timeout,
      [self, run, id, node, timeout,
       req = std::move(f.req)](const caf::actor& peer) mutable {
        deadline_wheel::request<fetch_result>(
          self, run->env->deadlines, peer, span_us(timeout), std::move(req),
          [self, run, id](fetch_result& res) {
            --run->in_flight;
            if (run->finished)
              return;
            send_fetches(self, run, run->session->on_result(id, res));
            maybe_finish(self, run);
          },
          [self, run, id, node](caf::error& err) {
            if (to_errc(err) == errc::timeout)
              run->env->peers.forget(node); // it may have restarted
            on_fetch_failed(self, run, id);
          });
      },
      [self, run, id](errc) { on_fetch_failed(self, run, id); });
  }
}

} // namespace

void direct_read(caf::event_based_actor* self, const reader_env_ptr& env,
                 const node_name& master, time_range window, time_us timeout,
                 read_done done) {
  auto run = std::make_shared<read_run>();
  run->env = env;
  run->master = master;
  run->window = window;
  run->deadline = now_us(self) + timeout;
  run->done = std::move(done);
  auto failed = [run](errc code, const std::string& text) {
    if (code == errc::timeout || code == errc::unreachable
        || code == errc::not_active)
      run->env->peers.forget(run->master);
    end(run, code, text, nullptr);
  };
  send_prefetch(self, run);
  env->peers.with_peer(
    self, env->directory, master, timeout,
    [self, run, timeout, failed](const caf::actor& m) {
      deadline_wheel::request<read_plan_reply>(
        self, run->env->deadlines, m, span_us(timeout),
        read_plan_req{run->window.from, run->window.to},
        [self, run](read_plan_reply& plan) {
          run->session.emplace(run->window, std::move(plan));
          if (!run->session->error().empty()) {
            end(run, errc::malformed_request, run->session->error(),
                nullptr);
            return;
          }
          using ps = read_run::prefetch_state;
          if (run->prefetch == ps::pending
              && run->session->lists(run->prefetch_node)) {
            run->plan_waiting = true; // start_fetches once it answers
            return;
          }
          start_fetches(self, run);
          maybe_finish(self, run);
        },
        [failed](caf::error& err) {
          failed(to_errc(err),
                 describe_error(err, "no read plan from the master"));
        });
    },
    [failed](errc code) {
      failed(code, "cannot reach the master: " + std::string{to_string(code)});
    });
}

caf::behavior reader_actor(caf::event_based_actor* self, caf::actor directory,
                           node_name master, time_us timeout) {
  auto env = std::make_shared<reader_env>();
  env->directory = std::move(directory);
  env->deadlines = std::make_shared<deadline_wheel>();
  return {
    [self, env](deadline_atom) { env->deadlines->tick(self); },
    [self, env, master, timeout](const read_req& req) {
      auto rp = self->make_response_promise();
      if (req.from > req.to) {
        rp.deliver(make_error(errc::malformed_request,
                              "inverted range: from > to"));
        return;
      }
      direct_read(self, env, master, {req.from, req.to}, timeout,
                  [rp](errc code, const std::string& text,
                       read_result* res) mutable {
                    if (code == errc::none)
                      rp.deliver(std::move(*res));
                    else
                      rp.deliver(make_error(code, text));
                  });
    },
  };
}

} // namespace logstore
