// logstore — cluster_bench: the header, the clusters and the tables.
#include "cluster/report.hpp"

#include "cluster/process.hpp"
#include "cluster/stats.hpp"

#include <iostream>
#include <thread>

namespace cluster_bench {

namespace {

/// entries/s, p50 and p99 (ms) of a figure, or dashes.
std::string cell(const figure& f) {
  if (!f.valid())
    return pad_left("-", 12) + pad_left("-", 9) + pad_left("-", 9);
  return pad_left(thousands(f.rate()), 12) + pad_left(fixed(f.p50(), 3), 9)
         + pad_left(fixed(f.p99(), 3), 9);
}

std::string ratio_text(const figure& a, const figure& b) {
  if (!a.valid() || !b.valid() || b.rate() <= 0)
    return "-";
  return fixed(a.rate() / b.rate(), 2) + "x";
}

/// CPU ms per 1000 entries of the three process groups, or dashes.
std::string cpu_cell(const figure& f) {
  if (!f.valid())
    return pad_left("-", 9) + pad_left("-", 9) + pad_left("-", 9);
  return pad_left(fixed(f.cpu(0), 1), 9) + pad_left(fixed(f.cpu(1), 1), 9)
         + pad_left(fixed(f.cpu(2), 1), 9);
}

void print_figures(const options& opt, const results& res) {
  std::cout << "\n== results (median of " << opt.rounds
            << " rounds; entries/s; batch latency p50/p99 in ms)\n"
            << pad_right("configuration", 26) << "| " << pad_left("logstore/s", 12)
            << pad_left("p50", 9) << pad_left("p99", 9) << " | "
            << pad_left("Redis/s", 12) << pad_left("p50", 9)
            << pad_left("p99", 9) << " | ratio\n"
            << std::string(26, '-') << "+" << std::string(32, '-') << "+"
            << std::string(32, '-') << "+------\n";
  for (auto& c : append_configs()) {
    auto& a = res.ls(c.k, c.in_flight);
    auto& b = res.rd(c.k, c.in_flight);
    std::cout << pad_right("append " + c.label(), 26) << "| " << cell(a)
              << " | " << cell(b) << " | " << ratio_text(a, b) << "\n";
  }
  std::cout << pad_right("append 4 clients x (K=100,", 26) << "| "
            << cell(res.ls_four) << " | " << cell(res.rd_four) << " | "
            << ratio_text(res.ls_four, res.rd_four) << "\n"
            << pad_right("  8 in flight), aggregate", 26) << "|\n";
  std::cout << pad_right("read 1000-entry range", 26) << "| "
            << cell(res.ls_read) << " | " << cell(res.rd_read) << " | "
            << ratio_text(res.ls_read, res.rd_read) << "\n";
  std::cout << pad_right("bare CAF request/response", 26) << "| "
            << cell(res.caf_echo) << " | (round trips/s between two "
            << "processes, 1 in flight)\n";
  uint64_t failures = res.ls_read.failures() + res.rd_read.failures();
  failures += res.ls_four.failures() + res.rd_four.failures();
  for (auto& [key, f] : res.ls_append)
    failures += f.failures();
  for (auto& [key, f] : res.rd_append)
    failures += f.failures();
  std::cout << "(logstore read data set: "
            << thousands(static_cast<double>(res.ls_loaded))
            << " entries in batches of " << opt.read_batch
            << "; Redis: XRANGE rd <id> + COUNT 1000 over "
            << thousands(static_cast<double>(opt.read_entries))
            << " entries; reads 1 in flight; entries not acked + "
               "incomplete reads + WAITs short of 2: "
            << failures << ")\n";
}

void print_cpu(const results& res) {
  std::cout << "\n== CPU ms per 1000 entries (user + system, all threads; "
               "median round)\n"
            << pad_right("configuration", 26) << "| " << pad_left("master", 9)
            << pad_left("3 stor.", 9) << pad_left("client", 9) << " | "
            << pad_left("primary", 9) << pad_left("2 repl.", 9)
            << pad_left("client", 9) << "\n";
  for (auto& c : append_configs())
    std::cout << pad_right("append " + c.label(), 26) << "| "
              << cpu_cell(res.ls(c.k, c.in_flight)) << " | "
              << cpu_cell(res.rd(c.k, c.in_flight)) << "\n";
  std::cout << pad_right("append 4 clients, K=100", 26) << "| "
            << cpu_cell(res.ls_four) << " | " << cpu_cell(res.rd_four) << "\n";
  std::cout << pad_right("read 1000-entry range", 26) << "| "
            << cpu_cell(res.ls_read) << " | " << cpu_cell(res.rd_read) << "\n";
}

std::string memory_cell(const memory_growth& m) {
  if (!m.valid())
    return pad_left("-", 12) + pad_left("-", 12);
  return pad_left(fixed(m.per_million(), 1), 12)
         + pad_left(thousands(static_cast<double>(m.entries)), 12);
}

void print_memory(const results& res) {
  std::cout << "\n== resident memory growth, MiB per million entries appended "
               "(RSS after minus before a configuration's rounds)\n"
            << pad_right("configuration", 26) << "| "
            << pad_left("master", 12) << pad_left("entries", 12) << " | "
            << pad_left("primary", 12) << pad_left("entries", 12) << "\n";
  for (auto& c : append_configs()) {
    auto key = results::key{c.k, c.in_flight};
    auto i = res.ls_memory.find(key);
    auto j = res.rd_memory.find(key);
    std::cout << pad_right("append " + c.label(), 26) << "| "
              << memory_cell(i == res.ls_memory.end() ? memory_growth{}
                                                      : i->second)
              << " | "
              << memory_cell(j == res.rd_memory.end() ? memory_growth{}
                                                      : j->second)
              << "\n";
  }
  if (res.ls_loaded > 0)
    std::cout << "(read data set: the master grew from "
              << fixed(res.ls_rss_start_mib, 1) << " to "
              << fixed(res.ls_rss_loaded_mib, 1) << " MiB while "
              << thousands(static_cast<double>(res.ls_loaded))
              << " entries were loaded; the allocator keeps freed pages, so "
                 "growth under 0.1 MiB reads as 0)\n";
}

void print_round_trips(const results& res, bool have_redis) {
  std::cout << "\n== one bare request/response, 1 in flight (p50): logstore "
               "client -> master, read of an empty range, "
            << fixed(res.ls_rtt_us, 0) << " us";
  if (have_redis)
    std::cout << "; Redis PING " << fixed(res.rd_rtt_us, 0) << " us";
  std::cout << "\n   (a direct append is one such hop: client -> 3 storage "
               "nodes in parallel; the master hears of it in a background "
               "commit, many batches per message)\n";
}

void print_ratios(const results& res) {
  std::cout << "\n== ratios (logstore / Redis, entries/s)\n";
  for (auto& c : append_configs())
    std::cout << "  append " << pad_right(c.label(), 22) << " "
              << ratio_text(res.ls(c.k, c.in_flight), res.rd(c.k, c.in_flight))
              << "\n";
  std::cout << "  append K=100, 8 in flight vs Redis K=100, 1 in flight: "
            << ratio_text(res.ls(100, 8), res.rd(100, 1)) << "\n";
  std::cout << "  read 1000-entry range        "
            << ratio_text(res.ls_read, res.rd_read) << "\n";
}

} // namespace

void print_header(const options& opt, const std::string& dir,
                  bool have_redis) {
  std::cout << "cluster_bench: logstore vs Redis Streams, same run, 127.0.0.1, "
            << payload_size << "-byte entries\n";
  std::cout << "  logstore: " << opt.logstore << "\n";
  if (!have_redis)
    std::cout << "  Redis: NOT FOUND. Install Debian's redis-server (`sudo "
                 "apt-get install redis-server`, or run `./dev bench`, which "
                 "installs it) or pass --redis-server PATH. Measuring "
                 "logstore alone; no ratios.\n";
  std::cout << "  rounds: median of " << opt.rounds << " interleaved round(s) "
            << "of " << opt.round_seconds << " s per configuration (after a "
            << opt.warmup_seconds << " s warm-up); logs in " << dir << "\n"
            << std::flush;
}

void print_clusters(const options& opt, const logstore_cluster& lc,
                    const redis_cluster& rc, bool have_redis,
                    clk::time_point t_start) {
  std::cout << "  logstore cluster: master 127.0.0.1:" << lc.master_port
            << ", storage";
  for (auto p : lc.storage_ports)
    std::cout << " 127.0.0.1:" << p;
  std::cout << "; replication factor " << lc.replication_factor
            << ", write quorum " << lc.write_quorum
            << " (all), "
            << (opt.durable ? "--data-dir + --fsync always (group commit)"
                            : "in memory")
            << ", --insecure"
            << (opt.node_threads.empty() ? ""
                                         : ", --threads " + opt.node_threads)
            << "\n";
  if (have_redis)
    std::cout << "  Redis " << rc.version << ": primary 127.0.0.1:"
              << rc.ports[0] << ", replicas 127.0.0.1:" << rc.ports[1]
              << " 127.0.0.1:" << rc.ports[2]
              << " (replicaof, online), "
              << (opt.durable ? "appendonly yes + appendfsync always"
                              : "appendonly no")
              << ", XADD + WAIT 2 0\n";
  std::cout << "  started in " << fixed(seconds_since(t_start), 1) << " s; "
            << std::thread::hardware_concurrency()
            << " CPUs, load average " << load_average()
            << " (a shared machine: compare only figures of the same run)\n"
            << std::flush;
}

void print_tables(const options& opt, const results& res, bool have_redis) {
  print_figures(opt, res);
  print_cpu(res);
  print_memory(res);
  print_round_trips(res, have_redis);
  print_ratios(res);
}

} // namespace cluster_bench
