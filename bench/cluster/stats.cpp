// logstore — cluster_bench: statistics and formatting.
#include "cluster/stats.hpp"

#include <algorithm>
#include <cstdio>

namespace cluster_bench {

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size()));
  return xs[std::min(rank, xs.size() - 1)];
}

double median(std::vector<double> xs) {
  return percentile(std::move(xs), 50);
}

round_result summarize(uint64_t entries, double secs,
                       const std::vector<double>& lat_us, uint64_t failures) {
  round_result r;
  r.entries = entries;
  r.entries_per_s = secs > 0 ? static_cast<double>(entries) / secs : 0;
  r.p50_ms = percentile(lat_us, 50) / 1000.0;
  r.p99_ms = percentile(lat_us, 99) / 1000.0;
  r.ops = lat_us.size();
  r.failures = failures;
  return r;
}

double ratio(const figure& a, const figure& b) {
  return a.valid() && b.valid() && b.rate() > 0 ? a.rate() / b.rate() : 0.0;
}

std::string thousands(double x) {
  auto n = static_cast<long long>(x + 0.5);
  auto s = std::to_string(n);
  std::string out;
  int k = 0;
  for (auto i = s.rbegin(); i != s.rend(); ++i) {
    if (k > 0 && k % 3 == 0)
      out.insert(out.begin(), ',');
    out.insert(out.begin(), *i);
    ++k;
  }
  return out;
}

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return buf;
}

std::string pad_left(const std::string& s, size_t n) {
  return s.size() >= n ? s : std::string(n - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, size_t n) {
  return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
}

std::string rounds_text(const figure& f) {
  std::string out;
  for (auto& r : f.rounds)
    out += (out.empty() ? "" : " ") + thousands(r.entries_per_s);
  return out;
}

round_result combine(const std::vector<round_result>& parts) {
  round_result out;
  std::vector<double> p50s;
  for (auto& p : parts) {
    out.entries += p.entries;
    out.entries_per_s += p.entries_per_s;
    out.ops += p.ops;
    out.failures += p.failures;
    out.p99_ms = std::max(out.p99_ms, p.p99_ms);
    p50s.push_back(p.p50_ms);
  }
  out.p50_ms = median(p50s);
  return out;
}

} // namespace cluster_bench
