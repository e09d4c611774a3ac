// logstore — cluster_bench: what a round measured, the median over rounds,
// and the number formatting of the tables.
#pragma once

#include "cluster/process.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cluster_bench {

/// The value at rank p% of the sorted `xs` (0 if empty).
double percentile(std::vector<double> xs, double p);
double median(std::vector<double> xs);

struct round_result {
  uint64_t entries = 0;
  double entries_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  uint64_t ops = 0;      ///< batches or reads
  uint64_t failures = 0; ///< not acked / incomplete / WAIT short of 2
  /// CPU ms (user + system, all threads) per 1000 entries of: the server
  /// side's coordinator (logstore master / Redis primary), its replicas (3
  /// storage nodes / 2 Redis replicas), and this client process.
  std::array<double, 3> cpu{};
};

/// A round of `entries` in `secs` with one latency (us) per operation.
round_result summarize(uint64_t entries, double secs,
                       const std::vector<double>& lat_us, uint64_t failures);

/// Clients measured side by side over the same seconds, as one: entries,
/// ops, failures and entries/s summed; p50 the median of the clients' p50s,
/// p99 the largest p99; CPU from the first (with_cpu wraps them all).
round_result combine(const std::vector<round_result>& parts);

/// The reported figure of a configuration: median over its rounds.
struct figure {
  std::vector<round_result> rounds;
  bool valid() const {
    return !rounds.empty();
  }
  double rate() const {
    return pick([](const round_result& r) { return r.entries_per_s; });
  }
  double p50() const {
    return pick([](const round_result& r) { return r.p50_ms; });
  }
  double p99() const {
    return pick([](const round_result& r) { return r.p99_ms; });
  }
  double cpu(size_t i) const {
    return pick([i](const round_result& r) { return r.cpu[i]; });
  }
  uint64_t failures() const {
    uint64_t n = 0;
    for (auto& r : rounds)
      n += r.failures;
    return n;
  }
  template <class F>
  double pick(F f) const {
    std::vector<double> xs;
    for (auto& r : rounds)
      xs.push_back(f(r));
    return median(xs);
  }
};

/// a's rate over b's; 0 unless both were measured.
double ratio(const figure& a, const figure& b);

/// Runs one round and adds its CPU cost per 1000 entries.
template <class F>
round_result with_cpu(const cpu_groups& groups, F round) {
  auto before = sample_cpu(groups);
  round_result r = round();
  auto after = sample_cpu(groups);
  for (size_t i = 0; i < 3; ++i)
    r.cpu[i] = r.entries > 0 ? (after[i] - before[i]) * 1000.0
                                 / (static_cast<double>(r.entries) / 1000.0)
                             : 0;
  return r;
}

// --- formatting -------------------------------------------------------------------

/// Rounded, with thousands separators: "1,234,567".
std::string thousands(double x);
/// printf's %.*f.
std::string fixed(double x, int digits);
std::string pad_left(const std::string& s, size_t n);
std::string pad_right(const std::string& s, size_t n);
/// Each round's entries/s, space-separated.
std::string rounds_text(const figure& f);

} // namespace cluster_bench
