// logstore — request timeouts without one CAF timer per request.
// Layer: actors. Used by every actor that sends requests on a hot path.
//
// CAF 0.17 never cancels a request's timeout when the answer arrives
// (measured: five answered requests with a 1 s timeout leave five entries
// in the clock). So every `self->request(dest, timeout, ...)` costs, on top
// of the request itself, one insertion into the actor clock (in a real
// process: a push to the clock's thread, which wakes up for it) and, at
// the deadline, a request_timeout message into the actor's mailbox that is
// dropped because nobody waits for it any more: one message more per
// request, in the simulator and the real cluster alike.
//
// `deadline_wheel` sends the request without a CAF timeout and keeps the
// deadline itself: answered requests leave the wheel at once; one
// `deadline_atom` timer per actor is armed for the earliest deadline still
// pending (requests are mostly sent with one timeout, so deadlines arrive
// in order and the timer is re-armed about once per timeout, not once per
// request). A request whose deadline passes gets the same
// `sec::request_timeout` error CAF would have delivered, at the same
// instant, and an answer after that is dropped as CAF drops it.
//
// The owning actor handles `deadline_atom` by calling `tick(self)`.
#pragma once

#include "actors/node_context.hpp"

#include <caf/actor_clock.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>

#include <cstdint>
#include <memory>
#include <queue>
#include <unordered_set>
#include <utility>
#include <vector>

namespace logstore {

using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

class deadline_wheel {
public:
  /// Sends `msg` to `dest` as a request that fails with
  /// sec::request_timeout after `timeout` (actor clock); `on_ok(Reply&)` or
  /// `on_err(caf::error&)` runs once, as with CAF's `then`.
  template <class Reply, class Msg, class OnOk, class OnErr>
  static void request(caf::event_based_actor* self,
                      const std::shared_ptr<deadline_wheel>& wheel,
                      const caf::actor& dest, caf::timespan timeout,
                      Msg&& msg, OnOk on_ok, OnErr on_err) {
    if (!wheel) { // an actor without a wheel: CAF's own timeout
      self->request(dest, timeout, std::forward<Msg>(msg))
        .then([on_ok](Reply& r) mutable { on_ok(r); },
              [on_err](caf::error& e) mutable { on_err(e); });
      return;
    }
    auto handle = self->request(dest, caf::infinite, std::forward<Msg>(msg));
    auto id = handle.id().integer_value();
    wheel->add(self, id, self->clock().now() + timeout);
    std::weak_ptr<deadline_wheel> w = wheel;
    handle.then(
      [w, id, on_ok](Reply& r) mutable {
        if (auto p = w.lock())
          p->pending_.erase(id);
        on_ok(r);
      },
      [w, id, on_err](caf::error& e) mutable {
        if (auto p = w.lock())
          p->pending_.erase(id);
        on_err(e);
      });
  }

  /// The actor got deadline_atom: fail what is due, arm the next timer.
  void tick(caf::event_based_actor* self);

  /// Requests sent and neither answered nor timed out.
  size_t pending() const {
    return pending_.size();
  }

private:
  using time_point = caf::actor_clock::time_point;
  struct entry {
    time_point due;
    uint64_t seq; ///< ties keep the order of sending
    uint64_t id;  ///< the response's message id
    bool operator>(const entry& x) const {
      return due != x.due ? due > x.due : seq > x.seq;
    }
  };

  void add(caf::event_based_actor* self, uint64_t id, time_point due);
  /// Drops answered entries from the top of the heap.
  void skip_answered();
  void arm(caf::event_based_actor* self, time_point due);

  std::priority_queue<entry, std::vector<entry>, std::greater<entry>> heap_;
  std::unordered_set<uint64_t> pending_;
  /// deadline_atom timers sent and not yet received, earliest first.
  std::vector<time_point> armed_;
  uint64_t next_seq_ = 0;
};

using deadlines_ptr = std::shared_ptr<deadline_wheel>;

} // namespace logstore
