// logstore — cluster_bench: the command line.
#include "cluster/options.hpp"

#include "cluster/common.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace cluster_bench {

void print_usage() {
  std::cout
    << "usage: cluster_bench [--logstore PATH] [--redis-server PATH]\n"
       "         [--rounds N] [--round-seconds S] [--read-entries N]\n"
       "         [--read-batch K] [--quick] [--keep-logs] [--durable]\n"
       "         [--only appends|reads] [--node-threads N]\n"
       "Starts a logstore cluster (master + 3 storage processes, RF 3, ack\n"
       "from all) and Redis Streams (1 primary + 2 replicas, XADD + WAIT 2)\n"
       "on 127.0.0.1 and prints append/read figures, ratios and the target\n"
       "verdicts (T1-T4, T8, T9 and the issue-11\n"
       "targets A1-A9), with a 4-client aggregate row and CAF's bare\n"
       "request/response rate between two processes. --logstore defaults to the `logstore`\n"
       "binary next to this one or one folder up (build/logstore).\n";
}

void parse_options(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument(std::string{what} + " needs a value");
      return argv[++i];
    };
    if (a == "--logstore")
      opt.logstore = value("--logstore");
    else if (a == "--redis-server")
      opt.redis = value("--redis-server");
    else if (a == "--rounds")
      opt.rounds = std::stoi(value("--rounds"));
    else if (a == "--round-seconds")
      opt.round_seconds = std::stod(value("--round-seconds"));
    else if (a == "--read-entries")
      opt.read_entries = std::stoull(value("--read-entries"));
    else if (a == "--read-batch")
      opt.read_batch = static_cast<uint32_t>(std::stoul(value("--read-batch")));
    else if (a == "--keep-logs")
      opt.keep_logs = true;
    else if (a == "--durable")
      opt.durable = true;
    else if (a == "--only")
      opt.only = value("--only");
    else if (a == "--echo-server") // internal: the bare CAF peer
      opt.echo_server =
        static_cast<uint16_t>(std::stoul(value("--echo-server")));
    else if (a == "--node-threads")
      opt.node_threads = value("--node-threads");
    else if (a == "--quick") {
      opt.rounds = 1;
      opt.round_seconds = 0.5;
      opt.warmup_seconds = 0.1;
      opt.read_entries = 100'000;
    } else if (a == "-h" || a == "--help") {
      print_usage();
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (!opt.only.empty() && opt.only != "appends" && opt.only != "reads")
    throw std::invalid_argument("--only takes appends or reads");
  if (opt.rounds < 1 || opt.round_seconds <= 0 || opt.read_batch < 1
      || opt.read_entries < 10 * range_size)
    throw std::invalid_argument("--rounds >= 1, --round-seconds > 0, "
                                "--read-batch >= 1, --read-entries >= 10000");
  if (opt.only == "appends")
    opt.read_entries = 10 * range_size;
}

} // namespace cluster_bench
