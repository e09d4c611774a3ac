// logstore — cluster_bench: the command line (hand-parsed; the only
// translation unit that reads argv).
#pragma once

#include <cstdint>
#include <string>

namespace cluster_bench {

struct options {
  std::string logstore;
  std::string redis;
  int rounds = 5;
  double round_seconds = 1.5;
  double warmup_seconds = 0.3;
  uint64_t read_entries = 1'000'000;
  uint32_t read_batch = 100;
  double read_load_max_seconds = 90;
  bool keep_logs = false;
  std::string only; ///< "", "appends" or "reads" (for profiling one path)
  /// T5: storage nodes with --data-dir and --fsync always (group commit);
  /// Redis with appendonly yes + appendfsync always on every server.
  bool durable = false;
  std::string node_threads; ///< --threads for master and storage; "" = default
  unsigned max_seconds = 600;
  /// The path of this program (to start its own echo server child).
  std::string self;
  /// Internal: run as the CAF echo server child on this port (0 = no).
  uint16_t echo_server = 0; ///< watchdog: everything is killed after this
};

void print_usage();

/// Fills `opt` from argv; throws std::invalid_argument on a bad option.
/// -h / --help prints the usage and exits 0. With --only appends the read
/// data set shrinks to its minimum (10 ranges): the reads are not measured.
void parse_options(int argc, char** argv, options& opt);

} // namespace cluster_bench
