// logstore — cluster_bench: the targets (T1-T5, T8, T9) and their verdicts,
// from the figures of a run. Targets are reported, not enforced.
#pragma once

#include "cluster/options.hpp"
#include "cluster/schedule.hpp"

namespace cluster_bench {

void print_verdicts(const options& opt, const results& res, bool have_redis);

} // namespace cluster_bench
