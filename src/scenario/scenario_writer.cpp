// logstore — faults_to_toml: a fault list as [[fault]] tables that
// parse_scenario_text reads back to the same faults.
// Layer: sim (scenario library, no CAF). Used to print the concrete schedule
// of a [random] run, so a failing seed becomes an editable scenario.
#include "scenario/fault_kinds.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_reader.hpp"

#include <charconv>
#include <utility>

namespace logstore::sim {

namespace {

std::string quoted(std::string_view x) {
  return "\"" + std::string{x} + "\"";
}

/// The shortest text that reads back as exactly `x`, always as a TOML float.
std::string float_text(double x) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  std::string result(buf, res.ptr);
  if (result.find_first_of(".e") == std::string::npos)
    result += ".0";
  return result;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string result = "[";
  for (size_t i = 0; i < names.size(); ++i)
    result += (i == 0 ? "" : ", ") + quoted(names[i]);
  return result + "]";
}

/// The value of `key` for `f`, or empty when the key is left at its default.
std::string value_text(const fault& f, std::string_view key) {
  if (key == "target")
    return f.target.empty() ? "" : quoted(f.target);
  if (key == "between")
    return f.between.empty() ? "" : name_list(f.between);
  if (key == "groups") {
    std::string result = "[";
    for (size_t i = 0; i < f.groups.size(); ++i)
      result += (i == 0 ? "" : ", ") + name_list(f.groups[i]);
    return result + "]";
  }
  if (key == "one_way")
    return f.one_way ? "true" : "";
  if (key == "duration")
    return f.duration > 0 ? quoted(format_duration(f.duration)) : "";
  if (key == "latency")
    return quoted(format_duration(f.profile.latency));
  if (key == "jitter")
    return f.profile.jitter > 0 ? quoted(format_duration(f.profile.jitter))
                                : "";
  if (key == "loss" || key == "duplicate")
    return float_text(f.value);
  if (key == "extra_latency")
    return quoted(format_duration(f.extra_latency));
  if (key == "step")
    return f.clock_step != 0 ? quoted(clock_step_text(f.clock_step)) : "";
  if (key == "drift")
    return f.clock_drift_ppm != 0 ? quoted(clock_drift_text(f.clock_drift_ppm))
                                  : "";
  return "";
}

} // namespace

std::string faults_to_toml(const std::vector<fault>& faults) {
  std::string out;
  for (auto& f : faults) {
    std::vector<std::pair<std::string_view, std::string>> lines;
    lines.emplace_back("at", quoted(format_duration(f.at)));
    lines.emplace_back("action", quoted(to_string(f.action)));
    for (auto key : detail::action_keys(f.action))
      if (auto value = value_text(f, key); !value.empty())
        lines.emplace_back(key, std::move(value));
    size_t width = 0;
    for (auto& line : lines)
      width = std::max(width, line.first.size());
    out += out.empty() ? "[[fault]]\n" : "\n[[fault]]\n";
    for (auto& [key, value] : lines)
      out += std::string{key} + std::string(width - key.size(), ' ') + " = "
             + value + "\n";
  }
  return out;
}

} // namespace logstore::sim
