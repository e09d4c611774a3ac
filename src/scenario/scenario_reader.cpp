// logstore — table_reader: typed, validating getters for scenario TOML.
// Layer: sim (scenario library, no CAF). See scenario_reader.hpp.
#include "scenario/scenario_reader.hpp"

#include "scenario/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace logstore::sim::detail {

position position_of(const toml::source_region& x) {
  // toml++ uses 0 for "unknown" (e.g. the root table); point at the start.
  return {std::max<uint32_t>(x.begin.line, 1),
          std::max<uint32_t>(x.begin.column, 1)};
}

void parse_context::fail(position where, std::string_view key,
                         std::string_view message) {
  if (!ok())
    return;
  error_ = path_ + ":" + std::to_string(where.line) + ":"
           + std::to_string(where.column) + ": key '" + std::string{key}
           + "': " + std::string{message};
}

// -- suggestions --------------------------------------------------------------

namespace {

size_t edit_distance(std::string_view x, std::string_view y) {
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    auto diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      auto above = row[j];
      auto substitute = diagonal + (x[i - 1] == y[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::string quoted(std::string_view x) {
  return "\"" + std::string{x} + "\"";
}

std::string join(const std::vector<std::string_view>& names) {
  std::string result;
  for (auto name : names) {
    if (!result.empty())
      result += ", ";
    result += name;
  }
  return result;
}

/// Shortest round-trip text, without exponent when that stays short.
std::string number_text(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), x,
                           std::chars_format::fixed);
  if (res.ec != std::errc{} || res.ptr - buf > 20)
    res = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string(buf, res.ptr);
}

/// The value as written, for messages: 5, 0.25, "5ms", true.
std::string echo(const toml::node& x) {
  if (auto str = x.value_exact<std::string>())
    return quoted(*str);
  if (x.is_integer())
    return std::to_string(*x.value<int64_t>());
  if (x.is_floating_point())
    return number_text(*x.value<double>());
  if (x.is_boolean())
    return *x.value<bool>() ? "true" : "false";
  return std::string{type_phrase(x)};
}

} // namespace

std::string suggestion(std::string_view word,
                       const std::vector<std::string_view>& candidates) {
  constexpr size_t distance_max = 3;
  auto threshold = std::clamp<size_t>(word.size() / 3, 1, distance_max);
  std::string_view best;
  auto best_distance = threshold + 1;
  for (auto candidate : candidates) {
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  // A fragment of a longer name ("nodes" for "storage_nodes") also counts.
  for (size_t i = 0; best.empty() && word.size() >= 4 && i < candidates.size();
       ++i)
    if (candidates[i].find(word) != std::string_view::npos)
      best = candidates[i];
  if (best.empty())
    return {};
  return "; did you mean '" + std::string{best} + "'?";
}

std::string_view type_phrase(const toml::node& x) {
  switch (x.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown type";
}

// -- table_reader: structure --------------------------------------------------

table_reader::table_reader(parse_context& ctx, const toml::table& table,
                           std::string section)
  : ctx_(ctx), table_(table), section_(std::move(section)) {
}

void table_reader::allow_only(const std::vector<std::string_view>& allowed) {
  // Report the first unknown key in the file, not in the table's key order.
  const toml::key* first = nullptr;
  for (auto&& [key, value] : table_) {
    (void) value;
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end())
      continue;
    auto pos = position_of(key.source());
    if (first == nullptr
        || std::make_pair(pos.line, pos.column)
             < std::make_pair(position_of(first->source()).line,
                              position_of(first->source()).column))
      first = &key;
  }
  if (first == nullptr)
    return;
  auto hint = suggestion(first->str(), allowed);
  auto what = section_.empty() ? std::string{"unknown section"}
                               : std::string{"unknown key"};
  if (hint.empty())
    hint = "; valid " + std::string{section_.empty() ? "sections" : "keys"}
           + " here: " + join(allowed);
  fail_at(position_of(first->source()), first->str(), what + hint);
}

bool table_reader::has(std::string_view key) const {
  return table_.contains(key);
}

void table_reader::require(std::string_view key, std::string_view example) {
  if (!has(key))
    fail(key, "missing; add " + std::string{key} + " = " + std::string{example}
                + " to this table");
}

void table_reader::fail(std::string_view key, std::string_view message) {
  fail_at(where(key), key, message);
}

void table_reader::fail_at(position where, std::string_view key,
                           std::string_view message) {
  auto full = section_.empty() ? std::string{key}
                               : section_ + "." + std::string{key};
  ctx_.fail(where, full, message);
}

position table_reader::where(std::string_view key) const {
  if (auto* node = table_.get(key))
    return position_of(node->source());
  return table_position();
}

void table_reader::fail_type(std::string_view key, const toml::node& node,
                             std::string_view what, std::string_view fix) {
  fail(key, "expected " + std::string{what} + ", got "
              + std::string{type_phrase(node)} + "; " + std::string{fix});
}

// -- table_reader: values -----------------------------------------------------

void table_reader::duration(std::string_view key, time_us& out, time_us min,
                            time_us max) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (node->is_number()) {
    fail(key, "the number " + echo(*node)
                + " has no unit; write a string with one, e.g. \""
                + echo(*node) + "ms\" or \"" + echo(*node) + "s\"");
    return;
  }
  auto str = node->value_exact<std::string>();
  if (!str) {
    fail_type(key, *node, "a duration such as \"500ms\"",
              "write e.g. " + std::string{key} + " = \"500ms\"");
    return;
  }
  auto value = parse_duration(*str);
  if (!value) {
    fail(key, quoted(*str)
                + " is not a duration; write a number and a unit (us, ms, s, "
                  "m, h) without spaces, e.g. \"250us\", \"5ms\" or \"1.5s\"");
  } else if (*value < min) {
    fail(key, quoted(*str) + " is too short; use at least "
                + quoted(format_duration(min)));
  } else if (*value > max) {
    fail(key, quoted(*str) + " is too long; use at most "
                + quoted(format_duration(max)));
  } else {
    out = *value;
  }
}

void table_reader::probability(std::string_view key, double& out) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (auto str = node->value_exact<std::string>()) {
    if (auto value = parse_percentage(*str))
      out = *value;
    else
      fail(key, quoted(*str) + " is not a percentage from 0% to 100%; write "
                               "e.g. \"5%\" or the fraction 0.05");
    return;
  }
  if (!node->is_number()) {
    fail_type(key, *node, "a probability", "write e.g. 0.05 or \"5%\"");
    return;
  }
  auto value = *node->value<double>();
  if (!(value >= 0 && value <= 1)) {
    auto fix = node->is_integer() && value > 1
                 ? "; did you mean \"" + echo(*node) + "%\"?"
                 : std::string{"; use a fraction from 0 to 1 or a percentage "
                               "such as \"5%\""};
    fail(key, echo(*node) + " is not a probability" + fix);
    return;
  }
  out = value;
}

void table_reader::integer(std::string_view key, int64_t& out, int64_t min,
                           int64_t max) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (!node->is_integer()) {
    auto fix = node->is_string() ? std::string{"remove the quotes"}
                                 : "write a whole number, e.g. "
                                     + std::string{key} + " = "
                                     + std::to_string(min);
    fail_type(key, *node, "an integer", fix);
    return;
  }
  auto value = *node->value<int64_t>();
  if (value < min || value > max) {
    fail(key, std::to_string(value) + " is out of range; use a value from "
                + std::to_string(min) + " to " + std::to_string(max));
    return;
  }
  out = value;
}

void table_reader::integer(std::string_view key, uint32_t& out, int64_t min,
                           int64_t max) {
  auto value = static_cast<int64_t>(out);
  integer(key, value, min, max);
  out = static_cast<uint32_t>(value);
}

void table_reader::number(std::string_view key, double& out, double min,
                          double max) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (!node->is_number()) {
    fail_type(key, *node, "a number",
              node->is_string() ? "remove the quotes" : "write e.g. 100");
    return;
  }
  auto value = *node->value<double>();
  if (!(value >= min && value <= max)) {
    fail(key, echo(*node) + " is out of range; use a value from "
                + number_text(min) + " to " + number_text(max));
    return;
  }
  out = value;
}

void table_reader::boolean(std::string_view key, bool& out) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (auto value = node->value_exact<bool>())
    out = *value;
  else
    fail_type(key, *node, "true or false",
              node->is_string() ? "remove the quotes" : "write true or false");
}

void table_reader::text(std::string_view key, std::string& out) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  if (auto value = node->value_exact<std::string>())
    out = *value;
  else
    fail_type(key, *node, "a string", "put the value in double quotes");
}

void table_reader::choice(std::string_view key,
                          const std::vector<std::string_view>& names,
                          size_t& index) {
  std::string value;
  if (!has(key) || (text(key, value), !ctx_.ok()))
    return;
  auto i = std::find(names.begin(), names.end(), value);
  if (i != names.end()) {
    index = static_cast<size_t>(i - names.begin());
    return;
  }
  auto hint = suggestion(value, names);
  fail(key, "unknown value " + quoted(value) + "; use one of " + join(names)
              + (hint.empty() ? "" : " (" + hint.substr(2) + ")"));
}

void table_reader::strings(std::string_view key,
                           std::vector<located_string>& out) {
  auto* node = get(key);
  if (node == nullptr || !ctx_.ok())
    return;
  auto* array = node->as_array();
  if (array == nullptr) {
    fail_type(key, *node, "an array of strings",
              "write e.g. " + std::string{key} + " = [\"a\", \"b\"]");
    return;
  }
  out.clear();
  for (auto& element : *array) {
    auto value = element.value_exact<std::string>();
    if (!value) {
      fail_at(position_of(element.source()), key,
              "expected only strings in this array, got "
                + std::string{type_phrase(element)}
                + "; put every name in double quotes");
      return;
    }
    out.push_back({*value, position_of(element.source())});
  }
}

} // namespace logstore::sim::detail
