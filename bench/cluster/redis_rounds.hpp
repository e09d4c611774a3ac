// logstore — cluster_bench: the Redis side. Starts 3 x redis-server on
// loopback (1 primary + 2 replicas by replicaof, no snapshots; appendonly
// only with --durable) and measures it the way the logstore side is
// measured: K pipelined XADDs then `WAIT 2 0` per batch (the analogue of
// RF 3, ack from all copies), XRANGE ... COUNT 1000 range reads, PING.
#pragma once

#include "cluster/options.hpp"
#include "cluster/process.hpp"
#include "cluster/stats.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace cluster_bench {

struct redis_cluster {
  std::vector<uint16_t> ports; ///< [0] = primary
  cpu_groups cpu{{{}, {}, {0}}}; ///< primary, replicas, this process
  std::string version;
  bool up = false;
};

/// Starts the three servers (logs and files in `dir`) and waits, at most
/// 20 s, until each answers PING and both replicas are online.
bool redis_start(const options& opt, const std::string& dir,
                 redis_cluster& rc);

/// One round of appends: `in_flight` connections, each sending K pipelined
/// XADDs + WAIT 2 0 and waiting for all K+1 replies before its next batch.
/// Throws on a lost connection or an error reply.
round_result redis_append_round(const redis_cluster& rc, uint32_t k,
                                uint32_t in_flight, double secs);

/// Loads `n` entries with explicit ids 1-0 .. n-0 into stream "rd"; the
/// seconds it took.
double redis_load_reads(const redis_cluster& rc, uint64_t n);

/// XRANGE rd <random id> + COUNT 1000, 1 in flight, for `secs` seconds.
round_result redis_read_round(const redis_cluster& rc, uint64_t n,
                              double secs, std::mt19937_64& rng);

/// p50 of PING round trips for `secs` seconds (one connection).
double redis_ping_p50_us(const redis_cluster& rc, double secs);

} // namespace cluster_bench
