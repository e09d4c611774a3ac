// logstore — scenario basics: enum names, node names, durations, percentages
// and reading a scenario file from disk.
// Layer: sim (scenario library, no CAF). The TOML reading itself lives in
// scenario_toml.cpp, the random schedule in scenario_random.cpp.
#include "scenario/scenario.hpp"

#include "core/history/checker.hpp"

#include "core/base/assert.hpp"
#include "core/base/node_role.hpp"

#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

namespace logstore::sim {

// -- enum names ---------------------------------------------------------------

std::string_view to_string(latency_distribution x) {
  switch (x) {
    case latency_distribution::constant: return "constant";
    case latency_distribution::uniform: return "uniform";
    case latency_distribution::normal: return "normal";
    case latency_distribution::pareto: return "pareto";
  }
  return "unknown";
}

bool from_string(std::string_view str, latency_distribution& x) {
  for (auto candidate :
       {latency_distribution::constant, latency_distribution::uniform,
        latency_distribution::normal, latency_distribution::pareto}) {
    if (to_string(candidate) == str) {
      x = candidate;
      return true;
    }
  }
  return false;
}

// to_string(fault_action) and from_string: scenario/fault_kinds.cpp.

// -- scenario -----------------------------------------------------------------

std::vector<std::string> scenario::node_names() const {
  std::vector<std::string> result;
  result.reserve(1 + storage_nodes + workload.clients);
  result.emplace_back("master");
  for (size_t i = 1; i < cluster.masters.size(); ++i)
    result.push_back(cluster.masters[i]); // master-2, master-3, ...
  for (uint32_t i = 1; i <= storage_nodes + spare_nodes; ++i)
    result.emplace_back(to_string(node_id{node_role::storage, i}));
  for (uint32_t i = 1; i <= workload.clients; ++i)
    result.emplace_back(to_string(node_id{node_role::client, i}));
  return result;
}

namespace {

/// N of "storage-N", or 0.
uint32_t storage_number(const std::string& name) {
  auto id = parse_node_id(name);
  return id.is(node_role::storage) ? id.number : 0;
}

} // namespace

bool scenario::is_spare(const std::string& name) const {
  auto n = storage_number(name);
  return n > storage_nodes && n <= storage_nodes + spare_nodes;
}

std::string scenario::zone_of(const std::string& name) const {
  auto n = storage_number(name);
  if (zones == 0 || n == 0)
    return {};
  return "zone-" + std::to_string((n - 1) % zones + 1);
}

parse_outcome parse_scenario_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return {std::nullopt, path + ":1:1: cannot open the scenario file; check "
                                 "the path and its permissions"};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_scenario_text(buffer.str(), path);
}

// -- durations ----------------------------------------------------------------

namespace {

constexpr time_us us_per_ms = 1'000;
constexpr time_us us_per_s = 1'000'000;
constexpr time_us us_per_min = 60 * us_per_s;
constexpr time_us us_per_hour = 60 * us_per_min;

/// Microseconds per unit; 0 for an unknown unit.
time_us unit_length(std::string_view unit) {
  if (unit == "us" || unit == "\u00b5s")
    return 1;
  if (unit == "ms")
    return us_per_ms;
  if (unit == "s")
    return us_per_s;
  if (unit == "m")
    return us_per_min;
  if (unit == "h")
    return us_per_hour;
  return 0;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// "123" or "1.25" at the front of `text`, as whole part and fraction
/// numerator/denominator; consumes what it reads. False when malformed.
bool take_decimal(std::string_view& text, int64_t& whole, int64_t& numerator,
                  int64_t& denominator) {
  constexpr int64_t whole_max = 1'000'000'000'000;
  constexpr int64_t denominator_max = 1'000'000'000;
  size_t pos = 0;
  whole = 0;
  for (; pos < text.size() && is_digit(text[pos]); ++pos) {
    whole = whole * 10 + (text[pos] - '0');
    if (whole > whole_max)
      return false;
  }
  if (pos == 0)
    return false;
  numerator = 0;
  denominator = 1;
  if (pos < text.size() && text[pos] == '.') {
    auto first = ++pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      if (denominator < denominator_max) {
        numerator = numerator * 10 + (text[pos] - '0');
        denominator *= 10;
      } else if (text[pos] != '0') {
        return false; // finer than a nanosecond of anything: not exact
      }
    }
    if (pos == first)
      return false;
  }
  text.remove_prefix(pos);
  return true;
}

} // namespace

std::optional<time_us> parse_duration(std::string_view text) {
  constexpr int terms_max = 8; // "1h2m3s4ms5us" has 5
  if (text.empty())
    return std::nullopt;
  time_us total = 0;
  for (int term = 0; !text.empty(); ++term) {
    int64_t whole = 0;
    int64_t numerator = 0;
    int64_t denominator = 1;
    if (term == terms_max || !take_decimal(text, whole, numerator, denominator))
      return std::nullopt;
    size_t unit_end = 0;
    while (unit_end < text.size() && !is_digit(text[unit_end])
           && text[unit_end] != '.')
      ++unit_end;
    auto unit = unit_length(text.substr(0, unit_end));
    text.remove_prefix(unit_end);
    if (unit == 0 || whole > std::numeric_limits<time_us>::max() / unit)
      return std::nullopt;
    // numerator < denominator <= 1e9 and unit <= 3.6e9: no overflow.
    __extension__ using i128 = __int128;
    auto fraction = static_cast<i128>(numerator) * unit;
    if (fraction % denominator != 0)
      return std::nullopt; // not a whole number of microseconds
    auto term_us = whole * unit + static_cast<time_us>(fraction / denominator);
    if (term_us > std::numeric_limits<time_us>::max() - total)
      return std::nullopt;
    total += term_us;
  }
  return total;
}

namespace {

/// "<whole>.<fraction>" with `digits` fraction digits, trailing zeros cut.
std::string decimal(time_us value, time_us scale, int digits) {
  auto result = std::to_string(value / scale);
  auto rest = value % scale;
  if (rest == 0)
    return result;
  auto fraction = std::to_string(rest);
  fraction.insert(0, static_cast<size_t>(digits) - fraction.size(), '0');
  while (fraction.back() == '0')
    fraction.pop_back();
  return result + "." + fraction;
}

} // namespace

std::string format_duration(time_us x) {
  LOGSTORE_ASSERT(x >= 0);
  if (x == 0)
    return "0s";
  if (x % us_per_hour == 0)
    return std::to_string(x / us_per_hour) + "h";
  if (x % us_per_min == 0)
    return std::to_string(x / us_per_min) + "m";
  if (x >= us_per_s)
    return decimal(x, us_per_s, 6) + "s";
  if (x >= us_per_ms)
    return decimal(x, us_per_ms, 3) + "ms";
  return std::to_string(x) + "us";
}

// -- percentages --------------------------------------------------------------

std::optional<double> parse_percentage(std::string_view text) {
  if (text.size() < 2 || text.back() != '%' || !is_digit(text.front()))
    return std::nullopt;
  text.remove_suffix(1);
  double value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(),
                                    value, std::chars_format::fixed);
  if (err != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  if (!(value >= 0 && value <= 100))
    return std::nullopt;
  return value / 100;
}

const std::vector<std::string>& oracle_properties() {
  static const std::vector<std::string> names{
    "replicas-converge", "replication-restored", "drain-completes",
    "single-active-master", "failover-bounded"};
  return names;
}

time_us failover_limit(const scenario& s) {
  if (s.expect.max_failover > 0)
    return s.expect.max_failover;
  return s.cluster.effective_master_timeout() + s.cluster.master_backoff
         + 2'000'000;
}

const std::vector<std::string>& scenario_properties() {
  static const std::vector<std::string> names = [] {
    auto result = all_properties();
    for (auto& name : oracle_properties())
      result.push_back(name);
    return result;
  }();
  return names;
}

} // namespace logstore::sim
