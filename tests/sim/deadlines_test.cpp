// Reference: src/actors/deadlines.hpp (request timeouts without one CAF
// timer per request). Virtual time (CAF's test_coordinator): a timeout fires
// at exactly its deadline, an answered request leaves nothing in the clock,
// a late answer is dropped, and many requests share one timer.
#include "actors/deadlines.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

using namespace logstore;
using namespace std::chrono_literals;

namespace {

struct outcome {
  int value = -1; ///< the answer, -1: none
  caf::sec error = caf::sec::none;
  int64_t at_us = -1; ///< virtual time of the handler
};

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
  ~fixture() {
    sched->clock().cancel_all();
    sched->run();
  }
  int64_t now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
             sched->clock().now().time_since_epoch())
      .count();
  }
  /// Runs until nothing is left: every timer fired.
  void drain() {
    for (;;) {
      sched->run();
      if (!sched->has_pending_timeout())
        break;
      sched->trigger_timeout();
    }
  }
};

/// Answers x + 1 for even x, after `delay`; odd x never.
caf::behavior server(caf::event_based_actor* self, caf::timespan delay) {
  auto waiting = std::make_shared<std::map<uint64_t, caf::response_promise>>();
  auto next = std::make_shared<uint64_t>(0);
  return {
    [=](int x) -> caf::result<int> {
      if (x % 2 != 0)
        return caf::delegated<int>{}; // never answered
      auto id = (*next)++;
      (*waiting)[id] = self->make_response_promise();
      self->delayed_send(self, delay, id, x + 1);
      return caf::delegated<int>{};
    },
    [=](uint64_t id, int answer) {
      (*waiting)[id].deliver(answer);
      waiting->erase(id);
    },
  };
}

/// Sends each of `xs` through a wheel with `timeout`, `gap` apart, and
/// records what came back.
caf::behavior client(caf::event_based_actor* self, fixture* fx,
                     caf::actor srv, std::vector<int> xs,
                     caf::timespan timeout, caf::timespan gap,
                     std::vector<outcome>* out, deadlines_ptr wheel) {
  out->resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    self->delayed_send(self, gap * static_cast<int64_t>(i), i);
  return {
    [=](deadline_atom) { wheel->tick(self); },
    [=](size_t i) {
      deadline_wheel::request<int>(
        self, wheel, srv, timeout, xs[i],
        [=](int& v) {
          (*out)[i].value = v;
          (*out)[i].at_us = fx->now();
        },
        [=](caf::error& e) {
          (*out)[i].error = static_cast<caf::sec>(e.code());
          (*out)[i].at_us = fx->now();
        });
    },
  };
}

} // namespace

TEST_CASE("answered requests leave no timer; unanswered ones time out on "
          "time") {
  fixture fx;
  auto srv = fx.sys->spawn(server, caf::timespan{1ms});
  std::vector<outcome> out;
  auto wheel = std::make_shared<deadline_wheel>();
  auto c = fx.sys->spawn(client, &fx, srv, std::vector<int>{0, 2, 1, 4, 3},
                         caf::timespan{100ms}, caf::timespan{10ms}, &out,
                         wheel);
  fx.drain();
  REQUIRE(out.size() == 5);
  // Even: answered 1 ms after sending (sent at 0, 10, 30 ms).
  CHECK(out[0].value == 1);
  CHECK(out[0].at_us == 1'000);
  CHECK(out[1].value == 3);
  CHECK(out[3].value == 5);
  CHECK(out[3].at_us == 31'000);
  // Odd: the timeout, exactly 100 ms after sending (sent at 20, 40 ms).
  CHECK(out[2].value == -1);
  CHECK(out[2].error == caf::sec::request_timeout);
  CHECK(out[2].at_us == 120'000);
  CHECK(out[4].error == caf::sec::request_timeout);
  CHECK(out[4].at_us == 140'000);
  CHECK(wheel->pending() == 0);
  caf::anon_send_exit(c, caf::exit_reason::kill);
  caf::anon_send_exit(srv, caf::exit_reason::kill);
  fx.sched->run();
}

TEST_CASE("an answer after the timeout is dropped: each handler runs once") {
  fixture fx;
  auto srv = fx.sys->spawn(server, caf::timespan{50ms}); // slower than 20 ms
  std::vector<outcome> out;
  auto wheel = std::make_shared<deadline_wheel>();
  auto c = fx.sys->spawn(client, &fx, srv, std::vector<int>{0},
                         caf::timespan{20ms}, caf::timespan{1ms}, &out, wheel);
  fx.drain();
  CHECK(out[0].error == caf::sec::request_timeout);
  CHECK(out[0].value == -1); // the answer at 50 ms found no handler
  CHECK(out[0].at_us == 20'000);
  caf::anon_send_exit(c, caf::exit_reason::kill);
  caf::anon_send_exit(srv, caf::exit_reason::kill);
  fx.sched->run();
}

/// 1000 requests 1 ms apart, each answered in 0.1 ms: what waits in the
/// clock after the first 0.5 s.
size_t clock_entries_at_half_time(const deadlines_ptr& wheel) {
  fixture fx;
  auto srv = fx.sys->spawn(server, caf::timespan{100us});
  std::vector<outcome> out;
  std::vector<int> xs(1000, 2);
  auto c = fx.sys->spawn(client, &fx, srv, xs, caf::timespan{1s},
                         caf::timespan{1ms}, &out, wheel);
  while (fx.now() < 500'000) {
    fx.sched->run();
    REQUIRE(fx.sched->has_pending_timeout());
    fx.sched->trigger_timeout();
  }
  size_t in_clock = fx.sched->clock().schedule().size();
  fx.drain();
  for (auto& o : out)
    CHECK(o.value == 3);
  if (wheel)
    CHECK(wheel->pending() == 0);
  caf::anon_send_exit(c, caf::exit_reason::kill);
  caf::anon_send_exit(srv, caf::exit_reason::kill);
  fx.sched->run();
  return in_clock;
}

TEST_CASE("many requests share one timer, not one CAF timeout each") {
  // The ~500 sends still scheduled, plus ONE deadline timer.
  CHECK(clock_entries_at_half_time(std::make_shared<deadline_wheel>())
        <= 502);
  // CAF 0.17 keeps the timeout of every request answered so far (~500
  // more): the reason for the wheel.
  CHECK(clock_entries_at_half_time(nullptr) >= 990);
}

TEST_CASE("without a wheel a request keeps CAF's own timeout") {
  fixture fx;
  auto srv = fx.sys->spawn(server, caf::timespan{1ms});
  std::vector<outcome> out;
  auto c = fx.sys->spawn(client, &fx, srv, std::vector<int>{1},
                         caf::timespan{30ms}, caf::timespan{1ms}, &out,
                         deadlines_ptr{});
  fx.drain();
  CHECK(out[0].error == caf::sec::request_timeout);
  CHECK(out[0].at_us == 30'000);
  caf::anon_send_exit(c, caf::exit_reason::kill);
  caf::anon_send_exit(srv, caf::exit_reason::kill);
  fx.sched->run();
}
