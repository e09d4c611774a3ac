// logstore — cluster_bench: what a run prints besides progress and verdicts:
// the header, the two clusters, and the tables (figures, CPU, bare round
// trips, ratios).
#pragma once

#include "cluster/common.hpp"
#include "cluster/logstore_rounds.hpp"
#include "cluster/options.hpp"
#include "cluster/redis_rounds.hpp"
#include "cluster/schedule.hpp"

#include <string>

namespace cluster_bench {

/// What will run: binaries, rounds, the log folder `dir`; without Redis,
/// how to get it.
void print_header(const options& opt, const std::string& dir, bool have_redis);

/// The started clusters: ports, replication, storage mode; start-up time
/// since `t_start`, CPUs and load.
void print_clusters(const options& opt, const logstore_cluster& lc,
                    const redis_cluster& rc, bool have_redis,
                    clk::time_point t_start);

/// The results table, the CPU table, the bare round trips and the ratios.
void print_tables(const options& opt, const results& res, bool have_redis);

} // namespace cluster_bench
