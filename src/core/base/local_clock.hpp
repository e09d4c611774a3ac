// logstore — one node's own clock, as the simulator's `clock` fault makes it:
// a step (offset) and a rate error (drift) on top of the true (virtual)
// time. Layer: core (pure; no CAF).
//
// Every duration a node measures (leases, heartbeat silence, timeouts) and
// every timer it sets goes through its clock, so a node whose clock runs
// fast times out early and one whose clock stepped forward sees everything
// as silent for longer than it was. Safety in logstore never rests on time
// (docs/protocol.md, "Master failover": epochs and fencing do); a wrong
// clock may only cost availability, and the `clock` scenarios show it.
#pragma once

#include "core/base/types.hpp"

#include <cstdint>

namespace logstore {

class local_clock {
public:
  /// Rate in parts per million of true time: 1'000'000 is a correct clock,
  /// 1'500'000 runs 50% fast, 500'000 runs at half speed.
  static constexpr int64_t exact_rate = 1'000'000;

  /// The node's reading at true time `t`.
  time_us local(time_us t) const {
    return anchor_local_ + (t - anchor_true_) * rate_ / exact_rate;
  }

  /// The true time a local duration `d` takes (>= 1 for d > 0): a timer of
  /// 1 s on a clock running 2x fast fires after 0.5 s.
  time_us true_span(time_us d) const {
    if (rate_ == exact_rate || d <= 0)
      return d;
    auto out = (d * exact_rate + rate_ - 1) / rate_;
    return out > 0 ? out : 1;
  }

  /// From true time `t` on, the clock reads `step` more than it did and
  /// runs at `rate` ppm (> 0). Durations stay continuous apart from `step`.
  void set(time_us t, time_us step, int64_t rate) {
    anchor_local_ = local(t) + step;
    anchor_true_ = t;
    rate_ = rate > 0 ? rate : 1;
  }

  /// Back to the true rate from `t` on; the offset gained so far stays (a
  /// clock slewed right does not jump back).
  void reset_rate(time_us t) {
    set(t, 0, exact_rate);
  }

  bool exact() const {
    return rate_ == exact_rate && anchor_local_ == anchor_true_;
  }

private:
  time_us anchor_true_ = 0;
  time_us anchor_local_ = 0;
  int64_t rate_ = exact_rate;
};

} // namespace logstore
