// logstore — request timeouts without one CAF timer per request
// (deadlines.hpp).
#include "actors/deadlines.hpp"

#include <algorithm>

namespace logstore {

void deadline_wheel::add(caf::event_based_actor* self, uint64_t id,
                         time_point due) {
  skip_answered(); // answers mostly come in order: the heap stays small
  pending_.insert(id);
  heap_.push({due, next_seq_++, id});
  arm(self, due);
}

void deadline_wheel::skip_answered() {
  while (!heap_.empty() && pending_.count(heap_.top().id) == 0)
    heap_.pop();
}

void deadline_wheel::arm(caf::event_based_actor* self, time_point due) {
  if (!armed_.empty() && armed_.front() <= due)
    return; // a timer already fires in time for it
  auto now = self->clock().now();
  self->delayed_send(self, std::max(due - now, caf::timespan{0}),
                     deadline_atom::value);
  armed_.insert(std::upper_bound(armed_.begin(), armed_.end(), due), due);
}

void deadline_wheel::tick(caf::event_based_actor* self) {
  auto now = self->clock().now();
  // Timers fire in the order of their times: the earliest one is this one.
  if (!armed_.empty())
    armed_.erase(armed_.begin());
  for (skip_answered(); !heap_.empty() && heap_.top().due <= now;
       skip_answered()) {
    auto id = heap_.top().id;
    heap_.pop();
    pending_.erase(id);
    // What CAF's clock delivers for a request that timed out: an error
    // response under the request's id, which runs its error handler.
    self->eq_impl(caf::message_id{id}, nullptr, self->context(),
                  caf::make_error(caf::sec::request_timeout));
  }
  if (!heap_.empty())
    arm(self, heap_.top().due);
}

} // namespace logstore
