// logstore — cluster_bench: the targets and their verdicts. Every verdict
// uses figures of this run only; the throughput targets are ratios against
// the Redis measured alongside (1 primary + 2 replicas, XADD + WAIT 2):
//   T1  appends, K=100, 1 in flight:   >= 0.5x Redis (K=100, 1 in flight)
//   T2  appends, K=1000, 1 in flight:  >= 0.5x Redis (K=1000, 1 in flight)
//   T3  appends, K=1, 1 in flight:     batch p50 <= 1 ms
//   T4  appends, K=100, 8 in flight:   >= 1x Redis (K=100, 1 in flight)
//   T5  --durable, 1 in flight:        K=100 >= 0.7x and K=1000 >= 1x Redis
//                                      with appendfsync always
//   T8  1000-entry range reads:        >= 0.25x Redis XRANGE (stretch 0.5x)
//   T9  appends, K=100, 1 in flight, in memory: batch p99 <= 5 ms
// T6, T7 and T10 are not measured by this benchmark (T7, simulator speed,
// is bench/sim_bench.cpp's). Targets are reported, not enforced.
#pragma once

#include "cluster/options.hpp"
#include "cluster/schedule.hpp"

namespace cluster_bench {

void print_verdicts(const options& opt, const results& res, bool have_redis);

} // namespace cluster_bench
