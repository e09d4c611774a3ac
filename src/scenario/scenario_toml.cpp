// logstore — parse_scenario_text: TOML text -> validated scenario.
// Layer: sim (scenario library, no CAF). One reader per section; [[fault]]
// tables are read in scenario_faults.cpp, [random] and [expect] in
// scenario_sections.cpp. The format is documented in
// docs/scenarios.md; keep the two in step.
#include "core/base/node_role.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_reader.hpp"

#include <algorithm>
#include <limits>

namespace logstore::sim {

const toml::table* detail::section(table_reader& root, std::string_view name) {
  auto* node = root.get(name);
  if (node == nullptr)
    return nullptr;
  if (auto* table = node->as_table())
    return table;
  auto section_name = std::string{name};
  if (node->is_array_of_tables())
    root.fail(name, "written as [[" + section_name + "]], but this section "
                      "appears once; write [" + section_name + "]");
  else
    root.fail(name, "expected a table, got "
                      + std::string{detail::type_phrase(*node)}
                      + "; write a [" + section_name + "] section");
  return nullptr;
}

namespace {

using detail::parse_context;
using detail::section;
using detail::table_reader;

constexpr time_us one_ms = 1'000;
constexpr time_us one_s = 1'000'000;
constexpr time_us one_hour = 3'600 * one_s;
constexpr time_us run_duration_max = 24 * one_hour;
constexpr time_us link_latency_max = 60 * one_s;
constexpr int64_t storage_nodes_max = 64;
constexpr int64_t clients_max = 64;
constexpr int64_t misses_max = 1'000;
constexpr int64_t entry_bytes_max = 1 << 20;
constexpr double rate_max = 1'000'000;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

void read_scenario_section(parse_context& ctx, table_reader& root,
                           scenario& s) {
  auto* table = section(root, "scenario");
  if (table == nullptr) {
    if (!root.has("scenario"))
      root.fail("scenario", "missing section; add a [scenario] table with "
                            "name and duration");
    return;
  }
  table_reader r{ctx, *table, "scenario"};
  r.allow_only({"name", "description", "seed", "duration", "settle"});
  r.require("name", "\"my-scenario\"");
  r.require("duration", "\"20s\"");
  r.text("name", s.name);
  if (ctx.ok()
      && (s.name.empty() || !std::all_of(s.name.begin(), s.name.end(),
                                         is_name_char)))
    r.fail("name", "\"" + s.name + "\" cannot name a run folder; use letters, "
                   "digits, '-', '_' and '.' only");
  r.text("description", s.description);
  if (r.has("seed")) {
    int64_t seed = 0;
    r.integer("seed", seed, 0, std::numeric_limits<int64_t>::max());
    s.seed = static_cast<uint64_t>(seed);
  }
  r.duration("duration", s.duration, one_ms, run_duration_max);
  r.duration("settle", s.settle, 0, one_hour);
}

void read_cluster_section(parse_context& ctx, table_reader& root,
                          scenario& s) {
  auto* table = section(root, "cluster");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "cluster"};
  r.allow_only({"storage_nodes", "replication_factor", "write_quorum",
                "placement", "store_timeout", "fetch_timeout",
                "heartbeat_interval", "suspect_after_misses",
                "dead_after_misses", "store_attempts_max",
                "batch_entries_max", "dedup_window", "repair_grace",
                "repair_inflight_max", "copy_timeout", "spare_nodes",
                "zones", "rebalance_threshold", "retention_time",
                "retention_bytes", "masters", "master_timeout",
                "master_backoff", "write_path", "placement_batches"});
  auto& c = s.cluster;
  r.integer("storage_nodes", s.storage_nodes, 1, storage_nodes_max);
  r.integer("replication_factor", c.replication_factor, 1, 8);
  if (ctx.ok() && c.replication_factor > s.storage_nodes)
    r.fail(r.has("replication_factor") ? "replication_factor" : "storage_nodes",
           "replication_factor " + std::to_string(c.replication_factor)
             + " needs as many storage nodes, but storage_nodes is "
             + std::to_string(s.storage_nodes)
             + "; lower replication_factor or add storage nodes");
  r.integer("write_quorum", c.write_quorum, 0, 16);
  if (ctx.ok() && c.write_quorum > c.replication_factor)
    r.fail("write_quorum",
           std::to_string(c.write_quorum) + " is more than replication_factor ("
             + std::to_string(c.replication_factor) + "); use 1 to "
             + std::to_string(c.replication_factor) + ", or 0 for all copies");
  size_t placement = static_cast<size_t>(c.placement);
  r.choice("placement", {"random", "least-loaded"}, placement);
  c.placement = placement == 0 ? placement_policy::random
                               : placement_policy::least_loaded;
  size_t write_path = static_cast<size_t>(c.write_path);
  r.choice("write_path", {"master", "direct"}, write_path);
  c.write_path = write_path == 0 ? write_path_kind::via_master
                                 : write_path_kind::direct;
  r.integer("placement_batches", c.placement_batches, 1, 4'096);
  r.duration("store_timeout", c.store_timeout, 1, one_hour);
  r.duration("fetch_timeout", c.fetch_timeout, 1, one_hour);
  r.duration("heartbeat_interval", c.heartbeat_interval, 1, one_hour);
  r.integer("suspect_after_misses", c.suspect_after_misses, 1, misses_max);
  r.integer("dead_after_misses", c.dead_after_misses, 1, misses_max);
  r.integer("store_attempts_max", c.store_attempts_max, 0, 1'000);
  r.integer("batch_entries_max", c.batch_entries_max, 1, 10'000'000);
  r.integer("dedup_window", c.dedup_window, 1, 10'000'000);
  r.duration("repair_grace", c.repair_grace, 0, one_hour);
  r.integer("repair_inflight_max", c.repair_inflight_max, 1, 10'000);
  r.duration("copy_timeout", c.copy_timeout, 1, one_hour);
  r.integer("spare_nodes", s.spare_nodes, 0, storage_nodes_max);
  r.integer("zones", s.zones, 0, storage_nodes_max);
  r.probability("rebalance_threshold", c.rebalance_threshold);
  r.duration("retention_time", c.retention_time, 0,
             std::numeric_limits<time_us>::max());
  int64_t retention_bytes = 0;
  r.integer("retention_bytes", retention_bytes, 0,
            std::numeric_limits<int64_t>::max());
  c.retention_bytes = static_cast<uint64_t>(retention_bytes);
  uint32_t masters = 1;
  r.integer("masters", masters, 1, 7);
  c.masters.clear();
  if (masters > 1)
    for (uint32_t i = 1; i <= masters; ++i)
      c.masters.push_back(to_string(node_id{node_role::master, i}));
  r.duration("master_timeout", c.master_timeout, 0, one_hour);
  r.duration("master_backoff", c.master_backoff, 0, one_hour);
  if (!ctx.ok())
    return;
  if (auto problem = c.validate(); !problem.empty())
    ctx.fail(r.table_position(), "cluster",
             problem + "; change the [cluster] values");
}

void read_network_section(parse_context& ctx, table_reader& root,
                          scenario& s) {
  auto* table = section(root, "network");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "network"};
  r.allow_only({"latency", "jitter", "distribution", "loss", "duplicate",
                "reorder", "corrupt"});
  auto& n = s.network;
  r.duration("latency", n.latency, 0, link_latency_max);
  r.duration("jitter", n.jitter, 0, link_latency_max);
  size_t distribution = static_cast<size_t>(n.distribution);
  r.choice("distribution", {"constant", "uniform", "normal", "pareto"},
           distribution);
  n.distribution = static_cast<latency_distribution>(distribution);
  r.probability("loss", n.loss);
  r.probability("duplicate", n.duplicate);
  r.probability("reorder", n.reorder);
  r.probability("corrupt", n.corrupt);
  if (ctx.ok() && n.loss >= 1)
    r.fail("loss", "a network that loses every message cannot make progress; "
                   "use less than 100%, or a partition fault");
}

void read_workload_section(parse_context& ctx, table_reader& root,
                           scenario& s) {
  auto* table = section(root, "workload");
  if (table == nullptr)
    return;
  table_reader r{ctx, *table, "workload"};
  r.allow_only({"clients", "rate", "batch_size", "entry_bytes", "read_share",
                "read_window", "op_timeout", "append_retries", "final_read",
                "start_ts", "backfill_share"});
  auto& w = s.workload;
  r.integer("clients", w.clients, 1, clients_max);
  r.number("rate", w.rate, 0.001, rate_max);
  r.integer("batch_size", w.batch_size, 1, s.cluster.batch_entries_max);
  r.integer("entry_bytes", w.entry_bytes, 0, entry_bytes_max);
  r.probability("read_share", w.read_share);
  r.duration("read_window", w.read_window, 1, run_duration_max);
  r.duration("op_timeout", w.op_timeout, 1, one_hour);
  r.integer("append_retries", w.append_retries, 0, 1'000);
  r.boolean("final_read", w.final_read);
  r.integer("start_ts", w.start_ts, 0,
            std::numeric_limits<int64_t>::max() / 2);
  r.probability("backfill_share", w.backfill_share);
}

} // namespace

parse_outcome parse_scenario_text(const std::string& text,
                                  const std::string& path_for_errors) {
  toml::table root;
  try {
    root = toml::parse(std::string_view{text},
                       std::string_view{path_for_errors});
  } catch (const toml::parse_error& err) {
    auto where = detail::position_of(err.source());
    return {std::nullopt, path_for_errors + ":" + std::to_string(where.line)
                            + ":" + std::to_string(where.column)
                            + ": TOML syntax error: "
                            + std::string{err.description()}
                            + "; see docs/scenarios.md for the format"};
  }
  parse_context ctx{path_for_errors};
  table_reader top{ctx, root, ""};
  top.allow_only({"scenario", "cluster", "network", "disk", "workload",
                  "fault", "random", "expect"});
  scenario s;
  s.file = path_for_errors;
  read_scenario_section(ctx, top, s);
  read_cluster_section(ctx, top, s);
  read_network_section(ctx, top, s);
  detail::read_disk_section(ctx, top, s);
  read_workload_section(ctx, top, s);
  detail::read_random_section(ctx, top, s);
  detail::read_faults(ctx, top, s);
  detail::read_expect_section(ctx, top, s);
  if (!ctx.ok())
    return {std::nullopt, ctx.error()};
  return {std::move(s), {}};
}

} // namespace logstore::sim
