// logstore — cluster_bench: the real cluster against Redis Streams, in the
// same run, on 127.0.0.1 (targets T1-T4, T8, T9; bench/cluster/verdicts.hpp
// lists them with their thresholds).
//
// Starts, as child processes on random free loopback ports:
//   logstore: `logstore master` + 3 x `logstore storage`, --insecure,
//             replication factor 3, write quorum = all (the default), memory;
//   Redis:    3 x Debian's redis-server, 1 primary + 2 replicas (replicaof),
//             appendonly no, no snapshots; waits until both replicas are online.
// and measures, with 100-byte entries:
//   - append throughput and batch latency at K = 1, 100, 1000 entries per
//     batch, with 1 batch in flight (stop-and-wait) and with 8 in flight.
//     logstore: the `logstore append` client path (client_session ->
//     directory -> net_link -> master, pipelined by app::append_driver).
//     Redis: K pipelined XADDs then `WAIT 2 0` per batch (the analogue of RF 3,
//     ack from all copies); 8 in flight = 8 connections driven by one thread.
//   - four concurrent clients (each its own actor system and connection,
//     K=100, 8 in flight; Redis: four threads of 8 connections), aggregate;
//   - CAF's bare request/response rate between two processes (this program
//     started as a child with --echo-server PORT), 1 in flight: the ceiling
//     CAF's network layer sets for one batch in flight;
//   - the master's (and Redis primary's) resident memory growth per million
//     entries appended, per configuration;
//   - 1000-entry range reads, 1 in flight: `logstore read`'s path (a plan
//     from the master, fetches from the storage nodes) against XRANGE ...
//     COUNT 1000, both over a
//     preloaded store (default 1M entries).
// Configurations are measured in interleaved rounds (logstore, Redis,
// logstore, ...; default 5 rounds of 1.5 s after a 0.3 s warm-up) and the
// median round is reported, then: the CPU each side spent per 1000 entries
// (from /proc/PID/stat and getrusage), one bare request/response each (the
// per-hop cost), the ratios and the target verdicts. The machine is shared
// and noisy: only figures of the same run are compared. Every child is
// stopped on exit (also on Ctrl-C, on a fatal signal, after a 10-minute
// watchdog, and by PR_SET_PDEATHSIG if this process is killed). About 2-3
// minutes in all.
//
// The parts, in bench/cluster/: options (the command line), process (child
// processes, ports, CPU time), stats (rounds, medians, formatting),
// redis_client (RESP), redis_rounds and logstore_rounds (each system's start
// and rounds), schedule (the interleaved measurement), report (the tables),
// verdicts (the targets).
//
// Usage: cluster_bench [--logstore PATH] [--redis-server PATH] [--rounds N]
//          [--round-seconds S] [--read-entries N] [--read-batch K]
//          [--quick] [--keep-logs] [--only appends|reads] [--node-threads N]
// Exit codes: 0 ran (targets are reported, not enforced), 1 a cluster could
// not be started or died, 2 bad options.
#include "cluster/caf_echo.hpp"
#include "cluster/common.hpp"
#include "cluster/logstore_rounds.hpp"
#include "cluster/options.hpp"
#include "cluster/process.hpp"
#include "cluster/redis_rounds.hpp"
#include "cluster/report.hpp"
#include "cluster/schedule.hpp"
#include "cluster/stats.hpp"
#include "cluster/verdicts.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <unistd.h>

using namespace cluster_bench;

namespace {

/// --logstore defaults to `logstore` next to this program or one folder up;
/// --redis-server to redis-server in the PATH. False (and a message) if there
/// is no logstore binary.
bool find_binaries(const char* argv0, options& opt) {
  opt.self = self_exe(argv0);
  auto here = dirname_of(opt.self);
  if (opt.logstore.empty()) {
    for (auto cand : {here + "/logstore", here + "/../logstore"})
      if (executable(cand)) {
        opt.logstore = cand;
        break;
      }
  }
  if (!executable(opt.logstore)) {
    std::cerr << "cluster_bench: cannot find the logstore binary (looked next "
                 "to this program and one folder up); build it or pass "
                 "--logstore PATH\n";
    return false;
  }
  if (opt.redis.empty())
    opt.redis = find_in_path("redis-server");
  return true;
}

/// A fresh /tmp/cluster_bench.XXXXXX for the logs and data; "" on failure.
std::string make_log_dir() {
  char tmpl[] = "/tmp/cluster_bench.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::cerr << "cluster_bench: cannot create a temporary folder\n";
    return {};
  }
  return tmpl;
}

/// Redis first (if it fails, logstore is measured alone), then logstore:
/// every child is forked before the CAF client starts any thread. False if
/// the logstore cluster did not start (its children are then stopped).
bool start_clusters(const options& opt, const std::string& dir,
                    logstore_cluster& lc, redis_cluster& rc,
                    bool& have_redis) {
  if (have_redis && !redis_start(opt, dir, rc)) {
    std::cout << "  Redis: could not start 1 primary + 2 in-sync replicas (see "
              << dir << "/redis-*.log); measuring logstore alone\n";
    have_redis = false;
  }
  // CAF's bare request/response peer: this program as a child.
  if (auto port = free_ports(1); port.size() == 1
      && start_child("caf-echo",
                     {opt.self, "--echo-server", std::to_string(port[0])},
                     dir + "/caf-echo.log")
           > 0)
    lc.echo_port = port[0];
  std::string why;
  if (!logstore_start(opt, dir, lc, why)) {
    std::cerr << "cluster_bench: the logstore cluster did not start: " << why
              << " (logs in " << dir << ")\n";
    logstore_stop_client(lc);
    stop_children();
    return false;
  }
  return true;
}

/// Shutdown: the client first, then every child; the logs are removed
/// unless --keep-logs or the run failed.
void shut_down(const options& opt, logstore_cluster& lc,
               const std::string& dir, bool failed, clk::time_point t_start) {
  logstore_stop_client(lc);
  stop_children();
  if (!opt.keep_logs && !failed) {
    std::string cmd = "rm -rf '" + dir + "'";
    [[maybe_unused]] auto ignored = std::system(cmd.c_str());
  } else {
    std::cout << "logs kept in " << dir << "\n";
  }
  std::cout << "total run time " << fixed(seconds_since(t_start), 1)
            << " s; load average at the end " << load_average() << "\n";
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  try {
    parse_options(argc, argv, opt);
  } catch (const std::exception& e) {
    std::cerr << "cluster_bench: " << e.what() << "\n";
    print_usage();
    return 2;
  }
  if (opt.echo_server != 0)
    return run_echo_server(opt.echo_server);
  if (!find_binaries(argv[0], opt))
    return 2;
  bool have_redis = executable(opt.redis);
  install_signal_handlers(opt.max_seconds);
  auto dir = make_log_dir();
  if (dir.empty())
    return 1;
  auto t_start = clk::now();
  print_header(opt, dir, have_redis);

  logstore_cluster lc;
  redis_cluster rc;
  if (!start_clusters(opt, dir, lc, rc, have_redis))
    return 1;
  print_clusters(opt, lc, rc, have_redis, t_start);

  results res;
  int exit_code = 0;
  try {
    run_schedule(opt, lc, rc, have_redis, res);
  } catch (const std::exception& e) {
    std::cerr << "cluster_bench: " << e.what() << " (logs in " << dir << ")\n";
    exit_code = 1;
  }
  print_tables(opt, res, have_redis);
  print_verdicts(opt, res, have_redis);
  shut_down(opt, lc, dir, exit_code != 0, t_start);
  return exit_code;
}
