// logstore — cluster_bench: the measurement schedule.
#include "cluster/schedule.hpp"

#include "cluster/common.hpp"
#include "app/client_session.hpp"
#include "cluster/caf_echo.hpp"
#include "cluster/process.hpp"

#include <iostream>
#include <random>
#include <stdexcept>
#include <thread>

namespace cluster_bench {

namespace {

const figure& find_or_empty(const std::map<results::key, figure>& m,
                            results::key k) {
  static const figure none;
  auto i = m.find(k);
  return i == m.end() ? none : i->second;
}

/// 1. The read data sets: logstore in batches of --read-batch, 8 in flight;
/// Redis with explicit ids.
void load_read_sets(const options& opt, logstore_cluster& lc,
                    const redis_cluster& rc, bool have_redis, results& out) {
  std::cout << "\nloading the read data sets ("
            << thousands(static_cast<double>(opt.read_entries))
            << " entries each; logstore in batches of " << opt.read_batch
            << ", 8 in flight) ...\n"
            << std::flush;
  {
    int64_t ts = read_base;
    out.ls_rss_start_mib = process_rss_mib(lc.cpu[0].front());
    auto t0 = clk::now();
    auto r = logstore_append_round(lc, opt.read_batch, 8,
                                   opt.read_load_max_seconds, ts,
                                   opt.read_entries);
    auto secs = seconds_since(t0);
    out.ls_loaded = static_cast<uint64_t>(ts - read_base);
    out.ls_rss_loaded_mib = process_rss_mib(lc.cpu[0].front());
    if (r.failures > 0)
      throw std::runtime_error("logstore: " + std::to_string(r.failures)
                               + " entries of the read data set were not "
                                 "acknowledged");
    std::cout << "  logstore: " << thousands(static_cast<double>(out.ls_loaded))
              << " entries in " << fixed(secs, 1) << " s ("
              << thousands(static_cast<double>(out.ls_loaded) / secs)
              << " entries/s)\n";
  }
  if (have_redis) {
    auto secs = redis_load_reads(rc, opt.read_entries);
    std::cout << "  Redis:    "
              << thousands(static_cast<double>(opt.read_entries))
              << " entries in " << fixed(secs, 1) << " s ("
              << thousands(static_cast<double>(opt.read_entries) / secs)
              << " entries/s)\n";
  }
  std::cout << std::flush;
}

/// 2. Appends, interleaved rounds, configuration by configuration.
void measure_appends(const options& opt, logstore_cluster& lc,
                     const redis_cluster& rc, bool have_redis,
                     results& out) {
  std::cout << "\nmeasuring appends ...\n" << std::flush;
  int64_t next_ts = append_base;
  for (auto& c : append_configs()) {
    if (opt.only == "reads")
      break;
    auto& lmem = out.ls_memory[{c.k, c.in_flight}];
    auto& rmem = out.rd_memory[{c.k, c.in_flight}];
    auto lrss = process_rss_mib(lc.cpu[0].front());
    auto rrss = have_redis ? process_rss_mib(rc.cpu[0].front()) : 0;
    lmem.entries += logstore_append_round(lc, c.k, c.in_flight,
                                          opt.warmup_seconds, next_ts)
                      .entries;
    if (have_redis)
      rmem.entries +=
        redis_append_round(rc, c.k, c.in_flight, opt.warmup_seconds).entries;
    auto& ls = out.ls_append[{c.k, c.in_flight}];
    auto& rd = out.rd_append[{c.k, c.in_flight}];
    for (int r = 0; r < opt.rounds; ++r) {
      ls.rounds.push_back(with_cpu(lc.cpu, [&] {
        return logstore_append_round(lc, c.k, c.in_flight, opt.round_seconds,
                                     next_ts);
      }));
      if (have_redis)
        rd.rounds.push_back(with_cpu(rc.cpu, [&] {
          return redis_append_round(rc, c.k, c.in_flight, opt.round_seconds);
        }));
    }
    for (auto& r : ls.rounds)
      lmem.entries += r.entries;
    lmem.mib = process_rss_mib(lc.cpu[0].front()) - lrss;
    if (have_redis) {
      for (auto& r : rd.rounds)
        rmem.entries += r.entries;
      rmem.mib = process_rss_mib(rc.cpu[0].front()) - rrss;
    }
    std::cout << "  " << pad_right(c.label(), 22) << " logstore "
              << rounds_text(ls);
    if (have_redis)
      std::cout << " | Redis " << rounds_text(rd);
    std::cout << "\n" << std::flush;
    if (auto dead = dead_children(); !dead.empty())
      throw std::runtime_error("process(es) died: " + dead);
  }
}

/// 2b. Four clients side by side (each its own connection, K=100, 8 in
/// flight), interleaved with Redis likewise (4 threads, 8 connections each).
void measure_four_clients(const options& opt, logstore_cluster& lc,
                          const redis_cluster& rc, bool have_redis,
                          results& out) {
  std::string why;
  if (!logstore_add_clients(lc, four_clients, why))
    throw std::runtime_error("cannot start " + std::to_string(four_clients)
                             + " clients: " + why);
  std::cout << "\nmeasuring " << four_clients << " concurrent clients (each K="
            << four_clients_k << ", " << four_clients_in_flight
            << " in flight) ...\n"
            << std::flush;
  // Each client appends its own timestamp range.
  std::vector<int64_t> next(four_clients);
  for (size_t i = 0; i < four_clients; ++i)
    next[i] = append_base + static_cast<int64_t>(i + 1) * 100'000'000'000'000;
  auto ls_round = [&](double secs) {
    std::vector<round_result> parts(four_clients);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < four_clients; ++i)
      threads.emplace_back([&, i] {
        parts[i] = logstore_append_round(lc, four_clients_k,
                                         four_clients_in_flight, secs, next[i],
                                         UINT64_MAX, i);
      });
    for (auto& t : threads)
      t.join();
    return combine(parts);
  };
  auto rd_round = [&](double secs) {
    std::vector<round_result> parts(four_clients);
    std::vector<std::string> errors(four_clients);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < four_clients; ++i)
      threads.emplace_back([&, i] {
        try {
          parts[i] = redis_append_round(rc, four_clients_k,
                                        four_clients_in_flight, secs);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    for (auto& t : threads)
      t.join();
    for (auto& e : errors)
      if (!e.empty())
        throw std::runtime_error(e);
    return combine(parts);
  };
  ls_round(opt.warmup_seconds);
  if (have_redis)
    rd_round(opt.warmup_seconds);
  for (int r = 0; r < opt.rounds; ++r) {
    out.ls_four.rounds.push_back(
      with_cpu(lc.cpu, [&] { return ls_round(opt.round_seconds); }));
    if (have_redis)
      out.rd_four.rounds.push_back(
        with_cpu(rc.cpu, [&] { return rd_round(opt.round_seconds); }));
  }
  std::cout << "  logstore " << rounds_text(out.ls_four);
  if (have_redis)
    std::cout << " | Redis " << rounds_text(out.rd_four);
  std::cout << "\n" << std::flush;
}

/// 3b. CAF's bare request/response between two processes, 1 in flight.
void measure_caf_echo(const options& opt, logstore_cluster& lc, results& out) {
  if (lc.echo_port == 0)
    return;
  auto& sys = lc.session->system();
  caf_echo_round(sys, lc.echo_port, opt.warmup_seconds);
  for (int r = 0; r < opt.rounds; ++r)
    out.caf_echo.rounds.push_back(
      caf_echo_round(sys, lc.echo_port, std::min(opt.round_seconds, 1.0)));
}

/// 4. Range reads, interleaved rounds.
void measure_reads(const options& opt, logstore_cluster& lc,
                   const redis_cluster& rc, bool have_redis, results& out) {
  std::mt19937_64 rng{20260101};
  std::cout << "\nmeasuring 1000-entry range reads ...\n" << std::flush;
  logstore_read_round(lc, out.ls_loaded, opt.warmup_seconds, rng);
  if (have_redis)
    redis_read_round(rc, opt.read_entries, opt.warmup_seconds, rng);
  for (int r = 0; r < opt.rounds; ++r) {
    out.ls_read.rounds.push_back(with_cpu(lc.cpu, [&] {
      return logstore_read_round(lc, out.ls_loaded, opt.round_seconds, rng);
    }));
    if (have_redis)
      out.rd_read.rounds.push_back(with_cpu(rc.cpu, [&] {
        return redis_read_round(rc, opt.read_entries, opt.round_seconds, rng);
      }));
  }
  std::cout << "  logstore " << rounds_text(out.ls_read);
  if (have_redis)
    std::cout << " | Redis " << rounds_text(out.rd_read);
  std::cout << "\n";
}

} // namespace

std::string config::label() const {
  return "K=" + std::to_string(k) + ", " + std::to_string(in_flight)
         + " in flight";
}

const std::vector<config>& append_configs() {
  static const std::vector<config> configs{{1, 1}, {100, 1}, {1000, 1},
                                           {1, 8}, {100, 8}, {1000, 8}};
  return configs;
}

const figure& results::ls(uint32_t k, uint32_t in_flight) const {
  return find_or_empty(ls_append, {k, in_flight});
}

const figure& results::rd(uint32_t k, uint32_t in_flight) const {
  return find_or_empty(rd_append, {k, in_flight});
}

void run_schedule(const options& opt, logstore_cluster& lc,
                  const redis_cluster& rc, bool have_redis, results& out) {
  load_read_sets(opt, lc, rc, have_redis, out);
  measure_appends(opt, lc, rc, have_redis, out);
  if (opt.only != "reads")
    measure_four_clients(opt, lc, rc, have_redis, out);
  measure_caf_echo(opt, lc, out);
  // 3. One bare round trip each (diagnostic).
  out.ls_rtt_us = logstore_rtt_p50_us(lc, 1.0);
  if (have_redis)
    out.rd_rtt_us = redis_ping_p50_us(rc, 1.0);
  if (opt.only != "appends")
    measure_reads(opt, lc, rc, have_redis, out);
  if (auto dead = dead_children(); !dead.empty())
    throw std::runtime_error("process(es) died: " + dead);
}

} // namespace cluster_bench
