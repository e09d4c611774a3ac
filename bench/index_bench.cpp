// logstore — benchmark: the master's batch index at 1e3 .. 1e7 batches.
// Layer: bench (a plain main(); reads the steady clock, which core may not).
// Workload: 10 writers, so a batch starts every ~100 ms; each spans ~1 s and
// arrives in id order with ~20 ms of start-time jitter, like a real cluster.
// Prints insert cost, memory per batch, and range-lookup cost for k=10 and
// k=1000 results, against a brute-force scan, to show O(log n + k) vs O(n).
#include "core/base/interval_index.hpp"
#include "core/master/batch_index.hpp"
#include "core/base/prng.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace logstore;

namespace {

constexpr timestamp_us epoch_us = 1'700'000'000'000'000;
constexpr timestamp_us stride_us = 100'000;    // one batch per 100 ms
constexpr timestamp_us span_mean_us = 1'000'000;
constexpr double jitter_us = 20'000;
constexpr size_t lookups_max = 20'000;        // per (size, k) cell
constexpr double scan_visits_max = 2e8;       // per size: bounds scan time
constexpr size_t scan_size_max = 1'000'000;
constexpr size_t verify_lookups = 20;
constexpr int timing_rounds = 3;              // lookups report the fastest

struct interval {
  timestamp_us min_ts;
  timestamp_us max_ts;
  batch_id id;
};

struct lookup_cost {
  double ns_per_lookup = 0;
  double results_mean = 0;
};

using bench_clock = std::chrono::steady_clock;

double elapsed_ns(bench_clock::time_point start) {
  return std::chrono::duration<double, std::nano>(bench_clock::now() - start)
    .count();
}

uint64_t sink = 0; // keeps results observable so no loop is optimised out

std::vector<interval> make_batches(size_t n, prng& rng) {
  std::vector<interval> xs(n);
  for (size_t i = 0; i < n; ++i) {
    auto start = epoch_us + static_cast<timestamp_us>(i) * stride_us
                 + static_cast<timestamp_us>(rng.normal(0, jitter_us));
    auto span = static_cast<timestamp_us>(
      rng.uniform(0.8 * span_mean_us, 1.2 * span_mean_us));
    xs[i] = {start, start + span, static_cast<batch_id>(i)};
  }
  return xs;
}

// Ranges that return about k batches: a batch overlaps [from, to] when it
// starts in [from - span, to], so to - from = k * stride - span.
std::vector<time_range> make_ranges(size_t n, size_t k, size_t count,
                                    prng& rng) {
  auto width = std::max<timestamp_us>(
    0, static_cast<timestamp_us>(k) * stride_us - span_mean_us);
  auto room = std::max<timestamp_us>(
    1, static_cast<timestamp_us>(n) * stride_us - width);
  std::vector<time_range> rs(count);
  for (auto& r : rs) {
    r.from = epoch_us + static_cast<timestamp_us>(
                          rng.below(static_cast<uint64_t>(room)));
    r.to = r.from + width;
  }
  return rs;
}

std::vector<batch_id> scan(const std::vector<interval>& xs, time_range r) {
  std::vector<batch_id> result;
  for (const auto& x : xs)
    if (x.min_ts <= r.to && x.max_ts >= r.from)
      result.push_back(x.id);
  return result;
}

double time_inserts(batch_index& idx, const std::vector<interval>& xs) {
  auto start = bench_clock::now();
  for (const auto& x : xs) {
    batch_meta meta;
    meta.min_ts = x.min_ts;
    meta.max_ts = x.max_ts;
    meta.entries = 1000;
    meta.bytes = 100'000;
    meta.replicas.add(static_cast<node_number>(x.id % 5));
    meta.replicas.add(static_cast<node_number>(x.id % 5 + 5));
    idx.insert(x.id, meta);
  }
  return elapsed_ns(start) / static_cast<double>(xs.size());
}

// Best of timing_rounds: the machine is shared, so the minimum is the
// figure least disturbed by other processes.
template <class Query>
lookup_cost time_lookups(const std::vector<time_range>& rs, Query query) {
  auto count = static_cast<double>(rs.size());
  lookup_cost best;
  for (int round = 0; round < timing_rounds; ++round) {
    size_t results = 0;
    auto start = bench_clock::now();
    for (const auto& r : rs) {
      auto ids = query(r);
      results += ids.size();
      sink += ids.empty() ? 0 : ids.front();
    }
    auto ns = elapsed_ns(start) / count;
    if (round == 0 || ns < best.ns_per_lookup)
      best = {ns, static_cast<double>(results) / count};
  }
  return best;
}

// The index must agree with the scan, or its timings mean nothing.
bool verify(const batch_index& idx, const std::vector<interval>& xs,
            const std::vector<time_range>& rs) {
  for (size_t i = 0; i < std::min(rs.size(), verify_lookups); ++i) {
    auto got = idx.overlapping(rs[i]);
    std::sort(got.begin(), got.end());
    if (got != scan(xs, rs[i]))
      return false;
  }
  return true;
}

void print_header() {
  std::printf("%10s %10s %8s | %9s %8s %7s | %9s %8s %7s | %12s %8s\n",
              "batches", "insert", "bytes", "k=10", "per", "mean",
              "k=1000", "per", "mean", "scan k=10", "scan/idx");
  std::printf("%10s %10s %8s | %9s %8s %7s | %9s %8s %7s | %12s %8s\n", "",
              "ns/batch", "/batch", "ns/look", "ns/hit", "k", "ns/look",
              "ns/hit", "k", "ns/look", "speedup");
}

bool run_size(size_t n, prng& rng) {
  auto xs = make_batches(n, rng);
  batch_index idx;
  auto insert_ns = time_inserts(idx, xs);
  auto bytes = static_cast<double>(idx.memory_bytes()) / static_cast<double>(n);
  auto by_index = [&](time_range r) { return idx.overlapping(r); };
  auto small = make_ranges(n, 10, lookups_max, rng);
  auto large = make_ranges(n, 1000, lookups_max / 10, rng);
  if (!verify(idx, xs, small) || !verify(idx, xs, large)) {
    std::printf("n=%zu: index disagrees with the scan\n", n);
    return false;
  }
  auto k10 = time_lookups(small, by_index);
  auto k1000 = time_lookups(large, by_index);
  std::printf("%10zu %10.1f %8.1f | %9.0f %8.1f %7.1f | %9.0f %8.1f %7.1f |",
              n, insert_ns, bytes, k10.ns_per_lookup,
              k10.ns_per_lookup / k10.results_mean, k10.results_mean,
              k1000.ns_per_lookup, k1000.ns_per_lookup / k1000.results_mean,
              k1000.results_mean);
  if (n > scan_size_max) {
    std::printf(" %12s %8s\n", "-", "-");
    return true;
  }
  auto count = std::clamp<size_t>(
    static_cast<size_t>(scan_visits_max / static_cast<double>(n)), 20,
    small.size());
  std::vector<time_range> some(small.begin(), small.begin() + count);
  auto brute = time_lookups(some, [&](time_range r) { return scan(xs, r); });
  std::printf(" %12.0f %7.0fx\n", brute.ns_per_lookup,
              brute.ns_per_lookup / k10.ns_per_lookup);
  return true;
}

/// The index's former shape, as the peer for out-of-order inserts: one
/// vector sorted by (min_ts, id) and its running max, an insert moving
/// everything after its place.
struct one_sorted_vector {
  struct key {
    timestamp_us min_ts, max_ts;
    batch_id id;
  };
  std::vector<key> keys;
  std::vector<timestamp_us> run_max;
  void insert(batch_id id, timestamp_us min_ts, timestamp_us max_ts) {
    key k{min_ts, max_ts, id};
    auto less = [](const key& a, const key& b) {
      return a.min_ts != b.min_ts ? a.min_ts < b.min_ts : a.id < b.id;
    };
    auto pos = std::lower_bound(keys.begin(), keys.end(), k, less);
    auto i = static_cast<size_t>(pos - keys.begin());
    auto prev = i == 0 ? max_ts : run_max[i - 1];
    keys.insert(pos, k);
    run_max.insert(run_max.begin() + static_cast<std::ptrdiff_t>(i),
                   std::max(prev, max_ts));
    for (auto j = i + 1; j < run_max.size() && run_max[j] < max_ts; ++j)
      run_max[j] = max_ts;
  }
};

/// An index holding n batches in time order takes `m` batches far back in
/// time (a backfill of old logs, repair copies): ns per insert, for
/// interval_index and for one sorted vector.
void run_backfill(size_t n, prng& rng) {
  auto xs = make_batches(n, rng);
  size_t m = std::min<size_t>(n, 20'000);
  std::vector<interval> old(m);
  for (size_t i = 0; i < m; ++i) {
    auto start = epoch_us + static_cast<timestamp_us>(rng.below(
                              static_cast<uint64_t>(n) * stride_us));
    old[i] = {start, start + span_mean_us, static_cast<batch_id>(n + i)};
  }
  interval_index idx;
  one_sorted_vector peer;
  for (auto& x : xs) {
    idx.insert(x.id, x.min_ts, x.max_ts);
    peer.insert(x.id, x.min_ts, x.max_ts);
  }
  auto t0 = bench_clock::now();
  for (auto& x : old)
    idx.insert(x.id, x.min_ts, x.max_ts);
  double ours = elapsed_ns(t0) / static_cast<double>(m);
  t0 = bench_clock::now();
  for (auto& x : old)
    peer.insert(x.id, x.min_ts, x.max_ts);
  double theirs = elapsed_ns(t0) / static_cast<double>(m);
  auto all = idx.overlapping({epoch_us - 10 * span_mean_us,
                              epoch_us + static_cast<timestamp_us>(n + 10)
                                           * stride_us});
  sink += all.size() + peer.keys.size();
  std::printf("%10zu %8zu | %14.0f | %14.0f | %7.1fx%s\n", n, m, ours,
              theirs, theirs / ours,
              all.size() == n + m ? "" : "  (index lost batches!)");
}

} // namespace

int main() {
  prng rng{42};
  std::printf("batch_index: %zu-byte meta, 10 writers, batch every %lld ms, "
              "~%lld ms span, ~%.0f ms jitter\n",
              sizeof(batch_meta), static_cast<long long>(stride_us / 1000),
              static_cast<long long>(span_mean_us / 1000), jitter_us / 1000);
  print_header();
  for (size_t n = 1'000; n <= 10'000'000; n *= 10)
    if (!run_size(n, rng))
      return 1;
  std::printf("\ninterval_index: inserts far back in time into an index of "
              "n batches in time order\n");
  std::printf("%10s %8s | %14s | %14s | %8s\n", "batches", "inserts",
              "ns/insert", "one sorted vec", "speedup");
  for (size_t n = 10'000; n <= 1'000'000; n *= 10)
    run_backfill(n, rng);
  std::printf("(bytes/batch counts vector capacity, so includes growth "
              "slack; checksum %llu)\n",
              static_cast<unsigned long long>(sink));
  return 0;
}
