// logstore — the [random] and [expect] sections of a scenario file.
// Layer: sim (scenario library, no CAF). See docs/scenarios.md.
#include "core/history/checker.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_reader.hpp"

#include <algorithm>

namespace logstore::sim {

namespace {

using detail::located_string;
using detail::parse_context;
using detail::table_reader;

constexpr time_us one_ms = 1'000;
constexpr time_us one_hour = 3'600'000'000;
constexpr time_us link_latency_max = 60'000'000;

/// The property that needs a final read to be checked at all.
constexpr std::string_view final_read_property = "no-lost-acked-writes";

/// Actions a [random] swarm may draw. The undo actions (restart, resume,
/// heal) are implied by each drawn fault's duration.
const std::vector<std::string_view> random_actions = {
  "crash",        "pause",          "slow",      "partition", "latency",
  "loss",         "duplicate",      "disk-corrupt", "disk-misdirect",
  "disk-full",    "disk-slow",      "disk-lost", "clock"};

std::string join(const std::vector<std::string_view>& names) {
  std::string result;
  for (auto name : names)
    result += (result.empty() ? "" : ", ") + std::string{name};
  return result;
}

void read_random_actions(table_reader& r, random_spec& spec) {
  std::vector<located_string> names;
  r.strings("faults", names);
  if (!r.context().ok() || !r.has("faults"))
    return;
  if (names.empty())
    r.fail("faults", "empty; list at least one of " + join(random_actions));
  for (auto& name : names) {
    fault_action action = fault_action::crash;
    auto known = from_string(name.text, action);
    if (known
        && std::find(random_actions.begin(), random_actions.end(), name.text)
             == random_actions.end()) {
      r.fail_at(name.where, "faults",
                "'" + name.text + "' is implied: every drawn fault is undone "
                  "after duration_min..duration_max; remove it");
    } else if (!known) {
      r.fail_at(name.where, "faults",
                "unknown fault '" + name.text + "'"
                  + detail::suggestion(name.text, random_actions)
                  + " (valid: " + join(random_actions) + ")");
    }
    spec.faults.push_back(action);
  }
}

/// Actions a [random] swarm may draw for the master.
const std::vector<std::string_view> random_master_actions = {
  "crash", "pause", "partition"};

void read_master_actions(table_reader& r, const scenario& s,
                         random_spec& spec) {
  std::vector<located_string> names;
  r.strings("master_faults", names);
  if (!r.context().ok() || !r.has("master_faults"))
    return;
  for (auto& name : names) {
    if (std::find(random_master_actions.begin(), random_master_actions.end(),
                  name.text)
        == random_master_actions.end()) {
      r.fail_at(name.where, "master_faults",
                "'" + name.text + "' cannot be drawn for the master"
                  + detail::suggestion(name.text, random_master_actions)
                  + " (valid: " + join(random_master_actions) + ")");
      return;
    }
    if (name.text == "crash" && !s.disk.durable
        && !s.cluster.multi_master()) {
      r.fail_at(name.where, "master_faults",
                "a single master can crash only with [disk] mode = "
                "\"durable\": its record (epoch, batch ids, members, "
                "failures) lives on disk (or set [cluster] masters = 3: "
                "then the record lives on the storage nodes)");
      return;
    }
    fault_action action{};
    from_string(name.text, action);
    spec.master_faults.push_back(action);
  }
}

bool draws(const random_spec& spec, fault_action action) {
  return std::find(spec.faults.begin(), spec.faults.end(), action)
         != spec.faults.end();
}

void check_random_spec(table_reader& r, const scenario& s) {
  const auto& spec = s.random;
  if (!r.context().ok())
    return;
  auto max_key = r.has("duration_max") ? "duration_max" : "duration_min";
  if (spec.duration_max < spec.duration_min)
    r.fail(max_key, "duration_max (" + format_duration(spec.duration_max)
                      + ") is below duration_min ("
                      + format_duration(spec.duration_min)
                      + "); raise duration_max or lower duration_min");
  else if (spec.duration_max >= s.duration)
    r.fail(max_key, "faults must start before scenario.duration - "
                    "duration_max, and duration_max ("
                      + format_duration(spec.duration_max)
                      + ") leaves no time; lower it below "
                      + format_duration(s.duration));
  else if ((draws(spec, fault_action::loss)
            || draws(spec, fault_action::duplicate))
           && spec.loss_max <= 0)
    r.fail("loss_max", "is 0, so drawn loss and duplicate faults would do "
                       "nothing; raise it (e.g. \"20%\") or drop them from "
                       "faults");
  else if ((draws(spec, fault_action::crash)
            || draws(spec, fault_action::pause))
           && spec.max_crashed == 0 && s.cluster.replication_factor < 2)
    r.fail("max_crashed", "is 0, which means replication_factor - 1 = 0, so "
                          "no crash or pause could ever be drawn; set "
                          "max_crashed = 1 or drop crash and pause");
}

} // namespace

void detail::read_random_section(parse_context& ctx, table_reader& root,
                                 scenario& s) {
  auto* table = section(root, "random");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "random"};
  r.allow_only({"faults", "master_faults", "interval", "max_crashed",
                "duration_min", "duration_max", "loss_max", "latency_max"});
  r.require("faults", "[\"crash\", \"partition\", \"loss\"]");
  auto& spec = s.random;
  spec.enabled = true;
  read_random_actions(r, spec);
  read_master_actions(r, s, spec);
  r.duration("interval", spec.interval, one_ms, one_hour);
  r.integer("max_crashed", spec.max_crashed, 0, s.storage_nodes);
  r.duration("duration_min", spec.duration_min, one_ms, one_hour);
  r.duration("duration_max", spec.duration_max, one_ms, one_hour);
  r.probability("loss_max", spec.loss_max);
  r.duration("latency_max", spec.latency_max, one_ms, link_latency_max);
  check_random_spec(r, s);
}

// -- [expect] -----------------------------------------------------------------

namespace {

/// The property names in `wanted`, in report order.
std::vector<std::string>
in_report_order(const std::vector<std::string>& wanted) {
  std::vector<std::string> result;
  for (auto& name : scenario_properties())
    if (std::find(wanted.begin(), wanted.end(), name) != wanted.end())
      result.push_back(name);
  return result;
}

/// Every property that can be checked for this workload.
std::vector<std::string> applicable_properties(const scenario& s) {
  std::vector<std::string> result;
  for (auto& name : scenario_properties())
    if (s.workload.final_read || name != final_read_property)
      result.push_back(name);
  return result;
}

std::vector<std::string> read_invariants(table_reader& r, const scenario& s) {
  std::vector<located_string> names;
  r.strings("invariants", names);
  std::vector<std::string_view> valid{"all"};
  for (auto& name : scenario_properties())
    valid.emplace_back(name);
  std::vector<std::string> wanted;
  for (auto& name : names) {
    if (name.text == "all") {
      auto all = applicable_properties(s);
      wanted.insert(wanted.end(), all.begin(), all.end());
    } else if (std::find(valid.begin(), valid.end(), name.text)
               == valid.end()) {
      r.fail_at(name.where, "invariants",
                "unknown property '" + name.text + "'"
                  + detail::suggestion(name.text, valid)
                  + " (valid: " + join(valid) + ")");
    } else if (name.text == final_read_property && !s.workload.final_read) {
      r.fail_at(name.where, "invariants",
                "'" + name.text + "' is checked on the final read, but "
                  "workload.final_read is false; set it to true or drop "
                  "this property");
    } else {
      wanted.push_back(name.text);
    }
  }
  return in_report_order(wanted);
}

} // namespace

void detail::read_expect_section(parse_context& ctx, table_reader& root,
                                 scenario& s) {
  s.expect.invariants = applicable_properties(s);
  auto* table = section(root, "expect");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "expect"};
  r.allow_only({"invariants", "min_availability", "max_recovery",
                "max_false_dead", "max_detection", "max_repair_copies",
                "max_imbalance", "max_failover", "max_promotions",
                "max_master_bytes_per_read", "max_master_bytes_per_append"});
  if (r.has("invariants"))
    s.expect.invariants = read_invariants(r, s);
  r.probability("min_availability", s.expect.min_availability);
  r.duration("max_recovery", s.expect.max_recovery, 0, one_hour);
  r.integer("max_false_dead", s.expect.max_false_dead, 0, 1'000'000'000);
  r.duration("max_detection", s.expect.max_detection, 1, one_hour);
  r.duration("max_failover", s.expect.max_failover, 1, one_hour);
  r.integer("max_promotions", s.expect.max_promotions, 1, 1'000'000);
  r.integer("max_master_bytes_per_read", s.expect.max_master_bytes_per_read, 0,
            1'000'000'000);
  r.integer("max_master_bytes_per_append",
            s.expect.max_master_bytes_per_append, 0, 1'000'000'000);
  r.integer("max_repair_copies", s.expect.max_repair_copies, 0,
            1'000'000'000);
  r.probability("max_imbalance", s.expect.max_imbalance);
}

} // namespace logstore::sim
