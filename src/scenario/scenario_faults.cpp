// logstore — reading [[fault]] tables: per-action keys, node names and
// partition groups. The timeline check is in scenario_timeline.cpp.
// Layer: sim (scenario library, no CAF). See docs/scenarios.md, "[[fault]]".
#include "scenario/scenario.hpp"
#include "core/base/node_role.hpp"
#include "scenario/fault_kinds.hpp"
#include "scenario/scenario_reader.hpp"

#include <algorithm>
#include <limits>

namespace logstore::sim {

namespace {

using detail::located_fault;
using detail::located_string;
using detail::parse_context;
using detail::table_reader;

const std::vector<std::string_view> all_fault_keys = {
  "at",       "action",  "target", "between", "groups",    "one_way",
  "duration", "latency", "jitter", "loss",    "duplicate", "extra_latency",
  "step",     "drift"};

/// Every action's name, in the order of fault_action.
const std::vector<std::string_view>& action_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (auto& k : fault_kinds())
      out.push_back(k.name);
    return out;
  }();
  return names;
}

std::string join(const std::vector<std::string_view>& names) {
  std::string result;
  for (auto name : names)
    result += (result.empty() ? "" : ", ") + std::string{name};
  return result;
}

bool is_node(const std::vector<std::string>& nodes, const std::string& name) {
  return std::find(nodes.begin(), nodes.end(), name) != nodes.end();
}

/// Records an error unless `name` is a node of the scenario.
void check_node(table_reader& r, std::string_view key,
                const located_string& name, const scenario& s,
                const std::vector<std::string>& nodes) {
  if (is_node(nodes, name.text))
    return;
  // "storage-9" of 5 is a count problem, not a typo: list, don't suggest.
  auto role = parse_node_id(name.text).role;
  auto numbered = role == node_role::storage || role == node_role::client;
  std::vector<std::string_view> candidates(nodes.begin(), nodes.end());
  auto hint = numbered ? std::string{}
                       : detail::suggestion(name.text, candidates);
  r.fail_at(name.where, key,
            "unknown node '" + name.text + "'"
              + (hint.empty() ? "" : " (" + hint.substr(2) + ")")
              + "; this scenario has " + detail::node_summary(s));
}

/// Rejects keys that exist for some action but not for this one.
void reject_foreign_keys(table_reader& r, const toml::table& table,
                         fault_action action) {
  const auto& keys = detail::action_keys(action);
  auto name = std::string{to_string(action)};
  for (auto key : all_fault_keys) {
    if (key == "at" || key == "action" || !table.contains(key)
        || std::find(keys.begin(), keys.end(), key) != keys.end())
      continue;
    r.fail(key, "not used by action '" + name + "'; remove it (action '"
                  + name + "' takes "
                  + (keys.empty() ? std::string{"no other keys"} : join(keys))
                  + ")");
  }
}

/// One group of a partition: a non-empty array of node names that appear in
/// no earlier group.
void read_group(table_reader& r, const toml::node& node, const scenario& s,
                const std::vector<std::string>& nodes, fault& f) {
  auto* array = node.as_array();
  auto where = detail::position_of(node.source());
  if (array == nullptr || array->empty()) {
    r.fail_at(where, "groups", "each group must be a non-empty array of node "
                               "names, e.g. [\"master\", \"storage-1\"]");
    return;
  }
  std::vector<std::string> group;
  for (auto& element : *array) {
    auto name = element.value_exact<std::string>();
    auto at = detail::position_of(element.source());
    if (!name) {
      r.fail_at(at, "groups", "expected a node name, got "
                                + std::string{detail::type_phrase(element)}
                                + "; put every name in double quotes");
      return;
    }
    check_node(r, "groups", {*name, at}, s, nodes);
    for (size_t i = 0; i < f.groups.size() && r.context().ok(); ++i)
      if (is_node(f.groups[i], *name) || is_node(group, *name))
        r.fail_at(at, "groups", "'" + *name + "' is in two groups; groups "
                                "must not overlap");
    if (is_node(group, *name))
      r.fail_at(at, "groups", "'" + *name + "' appears twice in one group; "
                              "list it once");
    group.push_back(*name);
  }
  f.groups.push_back(std::move(group));
}

/// The complement of f.groups within `nodes`, as a second group.
void add_complement(table_reader& r, const std::vector<std::string>& nodes,
                    fault& f) {
  std::vector<std::string> rest;
  for (auto& node : nodes)
    if (!is_node(f.groups.front(), node))
      rest.push_back(node);
  if (rest.empty())
    r.fail("groups", "the only group holds every node, so nothing is cut; "
                     "list just the nodes to cut off");
  f.groups.push_back(std::move(rest));
}

void read_times(table_reader& r, const scenario& s, located_fault& f) {
  r.require("at", "\"5s\"");
  r.duration("at", f.value.at, 0, std::numeric_limits<time_us>::max());
  if (r.context().ok() && f.value.at >= s.duration)
    r.fail("at", "\"" + format_duration(f.value.at)
                   + "\" is not before the end of the run (scenario.duration "
                     "= \"" + format_duration(s.duration)
                   + "\"); use a time below it");
  r.duration("duration", f.value.duration, 0, s.duration);
  f.duration = r.where("duration");
  auto end = f.value.at + f.value.duration;
  if (r.context().ok() && end > s.duration)
    r.fail("duration", "the fault would end at \"" + format_duration(end)
                         + "\", after the run (scenario.duration = \""
                         + format_duration(s.duration)
                         + "\"); shorten it, or leave duration out to keep "
                           "the fault until the end");
}

located_fault read_fault(parse_context& ctx, const toml::table& table,
                         const scenario& s) {
  table_reader r{ctx, table, "fault"};
  r.allow_only(all_fault_keys);
  located_fault f;
  f.value.source_line = r.table_position().line;
  f.target = f.duration = r.table_position();
  r.require("action", "\"crash\"");
  size_t action = 0;
  r.choice("action", action_names(), action);
  if (!ctx.ok())
    return f;
  from_string(action_names()[action], f.value.action);
  reject_foreign_keys(r, table, f.value.action);
  read_times(r, s, f);
  auto nodes = s.node_names();
  f.value.profile = s.network; // the action's values apply on top of it
  detail::fault_reading x{r, s, nodes, f};
  kind_of(f.value.action).read(x);
  return f;
}

} // namespace

void detail::read_faults(parse_context& ctx, table_reader& root, scenario& s) {
  auto* node = root.get("fault");
  if (node == nullptr || !ctx.ok())
    return;
  auto* array = node->as_array();
  if (array != nullptr && array->empty())
    return;
  if (array == nullptr || !array->is_array_of_tables()) {
    root.fail("fault", "expected a list of [[fault]] tables, got "
                         + std::string{type_phrase(*node)}
                         + "; write each fault as a [[fault]] table (double "
                           "brackets)");
    return;
  }
  std::vector<located_fault> faults;
  for (auto& element : *array)
    if (ctx.ok())
      faults.push_back(read_fault(ctx, *element.as_table(), s));
  std::stable_sort(faults.begin(), faults.end(), [](auto& x, auto& y) {
    return x.value.at < y.value.at;
  });
  detail::check_timeline(ctx, faults, s);
  for (auto& f : faults)
    s.faults.push_back(std::move(f.value));
}

void detail::read_target(fault_reading& x) {
  auto& r = x.r;
  if (!r.has("target"))
    return;
  located_string name;
  r.text("target", name.text);
  name.where = r.where("target");
  check_node(r, "target", name, x.s, x.nodes);
  x.f.value.target = name.text;
  x.f.target = name.where;
}

void detail::read_between(fault_reading& x) {
  auto& r = x.r;
  std::vector<located_string> names;
  r.strings("between", names);
  if (!r.context().ok() || !r.has("between"))
    return;
  if (names.size() != 2) {
    r.fail("between", "lists " + std::to_string(names.size())
                        + " node(s); give exactly two, e.g. between = "
                          "[\"storage-1\", \"master\"]");
    return;
  }
  for (auto& name : names)
    check_node(r, "between", name, x.s, x.nodes);
  if (names[0].text == names[1].text)
    r.fail_at(names[1].where, "between",
              "names '" + names[0].text + "' twice; give two different nodes");
  for (auto& name : names)
    x.f.value.between.push_back(name.text);
  x.f.target = names[0].where;
}

void detail::read_groups(fault_reading& x) {
  auto& r = x.r;
  auto& s = x.s;
  auto& nodes = x.nodes;
  auto& f = x.f;

  r.require("groups", "[[\"master\", \"storage-1\"], [\"storage-2\"]]");
  auto* node = r.get("groups");
  if (node == nullptr || !r.context().ok())
    return;
  auto* array = node->as_array();
  if (array == nullptr || array->empty()) {
    r.fail("groups", "expected a non-empty array of groups; write e.g. "
                     "groups = [[\"master\", \"storage-1\"], [\"storage-2\"]]");
    return;
  }
  for (auto& group : *array)
    read_group(r, group, s, nodes, f.value);
  f.target = r.where("groups");
  if (r.context().ok() && f.value.groups.size() == 1)
    add_complement(r, nodes, f.value);
  r.boolean("one_way", f.value.one_way);
  if (r.context().ok() && f.value.one_way && f.value.groups.size() != 2)
    r.fail("one_way", "a one-way partition cuts groups[0] -> groups[1], so it "
                      "needs exactly two groups; merge the others");
}

const std::vector<std::string_view>& detail::action_keys(fault_action x) {
  return kind_of(x).keys;
}

std::string detail::node_summary(const scenario& s) {
  auto range = [](std::string prefix, uint32_t count) {
    return count == 1 ? prefix + "1"
                      : prefix + "1.." + prefix + std::to_string(count);
  };
  return "master, " + range("storage-", s.storage_nodes) + ", "
         + range("client-", s.workload.clients);
}

} // namespace logstore::sim
