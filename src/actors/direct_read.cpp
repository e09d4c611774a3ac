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
    if (!f.address.empty() && f.address != "sim")
      self->send(run->env->directory, learn_atom::value, f.node, f.address);
    auto id = f.id;
    auto node = f.node;
    run->env->peers.with_peer(
      self, run->env->directory, node, timeout,
      [self, run, id, node, timeout,
       req = std::move(f.req)](const caf::actor& peer) mutable {
        self->request(peer, span_us(timeout), std::move(req))
          .then(
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
  env->peers.with_peer(
    self, env->directory, master, timeout,
    [self, run, timeout, failed](const caf::actor& m) {
      self
        ->request(m, span_us(timeout),
                  read_plan_req{run->window.from, run->window.to})
        .then(
          [self, run](read_plan_reply& plan) {
            run->session.emplace(run->window, std::move(plan));
            if (!run->session->error().empty()) {
              end(run, errc::malformed_request, run->session->error(),
                  nullptr);
              return;
            }
            send_fetches(self, run, run->session->start());
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
  return {
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
