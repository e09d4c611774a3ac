// logstore — text report and JSON summary of a simulation run.
#include "sim/report.hpp"

#include "sim/traffic.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <ostream>

namespace logstore::sim {

std::string format_seconds(time_us t) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3fs", static_cast<double>(t) / 1e6);
  return buf;
}

std::string format_latency(time_us t) {
  char buf[32];
  if (t < 1000)
    std::snprintf(buf, sizeof(buf), "%" PRId64 "us", t);
  else if (t < 1'000'000)
    std::snprintf(buf, sizeof(buf), "%.1fms", static_cast<double>(t) / 1e3);
  else
    std::snprintf(buf, sizeof(buf), "%.2fs", static_cast<double>(t) / 1e6);
  return buf;
}

std::string reproduce_line(const run_result& r, const invocation& inv) {
  std::string out = "logstore sim";
  if (!inv.scenario_arg.empty())
    out += " " + inv.scenario_arg;
  out += " --seed " + std::to_string(r.seed);
  return out;
}

namespace {

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * x);
  return buf;
}

std::string hex(uint64_t x) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, x);
  return buf;
}

bool expected(const scenario& s, const std::string& name) {
  for (auto& x : s.expect.invariants)
    if (x == name)
      return true;
  return false;
}

void write_header(std::ostream& out, const scenario& s, const run_result& r) {
  out << "logstore sim: scenario \"" << s.name << "\" (" << s.file
      << "), seed " << r.seed << "\n";
  if (!s.description.empty())
    out << "  " << s.description << "\n";
  auto& c = s.cluster;
  out << "cluster   " << s.storage_nodes << " storage nodes, RF "
      << c.replication_factor << ", write quorum "
      << c.effective_write_quorum() << ", placement "
      << to_string(c.placement) << ", writes "
      << (c.write_path == write_path_kind::direct
            ? "direct (client -> storage nodes)"
            : "through the master")
      << "\n";
  auto& n = s.network;
  out << "network   latency " << format_latency(n.latency) << " +- "
      << format_latency(n.jitter) << " (" << to_string(n.distribution)
      << "), loss " << percent(n.loss) << ", duplicate "
      << percent(n.duplicate) << ", reorder " << percent(n.reorder);
  if (n.corrupt > 0)
    out << ", corrupt " << percent(n.corrupt);
  out << "\n";
  auto& w = s.workload;
  out << "workload  " << w.clients << " clients, " << w.rate
      << " ops/s, batches of " << w.batch_size << " x " << w.entry_bytes
      << " B, " << percent(w.read_share) << " reads, "
      << format_seconds(s.duration) << " + " << format_seconds(s.settle)
      << " settle\n\n";
}

void write_timeline(std::ostream& out, const run_result& r) {
  out << "fault timeline (virtual time)\n";
  if (r.timeline.empty())
    out << "  (no faults)\n";
  for (auto& t : r.timeline) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%10s", format_seconds(t.at).c_str());
    out << "  " << buf << "  " << t.text << "\n";
  }
  out << "\n";
}

void write_latency(std::ostream& out, const char* what,
                   const latency_summary& l) {
  out << "  " << what << " latency  p50 " << format_latency(l.p50) << "  p90 "
      << format_latency(l.p90) << "  p99 " << format_latency(l.p99)
      << "  p99.9 " << format_latency(l.p999) << "  max "
      << format_latency(l.max) << "  (" << l.count << " ops)\n";
}

/// The longest stretch of the workload with no append acknowledged (the
/// number a single master's crash shows, and a failover shortens).
void write_write_outage(std::ostream& out, const run_result& r) {
  std::vector<time_us> acked;
  time_us first_invoke = -1;
  for (auto& ev : r.hist.events()) {
    if (ev.f != op_fn::append)
      continue;
    if (ev.type == op_type::invoke && first_invoke < 0)
      first_invoke = ev.time;
    if (ev.type == op_type::ok)
      acked.push_back(ev.time);
  }
  if (acked.size() < 2)
    return;
  std::sort(acked.begin(), acked.end());
  time_us gap = 0;
  time_us from = 0;
  for (size_t i = 1; i < acked.size(); ++i)
    if (acked[i] - acked[i - 1] > gap) {
      gap = acked[i] - acked[i - 1];
      from = acked[i - 1];
    }
  out << "  longest stretch without an acknowledged append: "
      << format_latency(gap) << " (from " << format_latency(from) << " to "
      << format_latency(from + gap) << ")\n";
}

void write_master_traffic(std::ostream& out, const run_result& r);

void write_operations(std::ostream& out, const run_result& r) {
  auto& c = r.check;
  out << "operations\n";
  out << "  appends  " << c.appends_invoked << " invoked, " << c.appends_ok
      << " ok, " << c.appends_failed << " failed (definite), "
      << c.appends_indefinite << " indefinite; availability "
      << percent(c.availability) << "\n";
  out << "  reads    " << c.reads_invoked << " invoked, " << c.reads_ok
      << " ok (" << c.reads_incomplete << " incomplete), " << c.reads_failed
      << " failed\n";
  out << "  entries acknowledged: " << c.entries_acked << "\n";
  write_write_outage(out, r);
  write_latency(out, "append", c.append_latency);
  write_latency(out, "read  ", c.read_latency);
  auto& n = r.net;
  out << "network    " << n.sent << " messages sent, " << n.delivered
      << " delivered, " << n.lost << " lost, " << n.cut
      << " cut by partitions, " << n.to_dead << " to crashed nodes, "
      << n.duplicated << " duplicated, " << n.reordered << " reordered";
  if (n.corrupted > 0)
    out << ", " << n.corrupted << " with a frame damaged in transit";
  out << "\n\n";
  write_master_traffic(out, r);
}

void write_master_traffic(std::ostream& out, const run_result& r) {
  if (r.net.counted.empty())
    return;
  out << "through the master (messages to or from a master; bytes as "
         "serialized; the oracle's probes left out)\n";
  for (auto& [type, t] : r.net.counted) {
    char line[160];
    std::snprintf(line, sizeof(line), "  %-16s %10" PRIu64 " messages %14"
                  PRIu64 " bytes  (%s path)\n", type.c_str(), t.messages,
                  t.bytes, path_of(type));
    out << line;
  }
  auto m = master_traffic_of(r);
  auto per = [&](double msgs, double bytes, uint64_t ops, const char* what) {
    char line[160];
    std::snprintf(line, sizeof(line),
                  "  per %-6s %8.2f messages, %10.0f bytes through the master "
                  "(%" PRIu64 " %ss)\n",
                  what, msgs, bytes, ops, what);
    out << line;
  };
  per(m.messages_per_append(), m.bytes_per_append(), m.appends, "append");
  per(m.messages_per_read(), m.bytes_per_read(), m.reads, "read");
  out << "\n";
}

void write_invariants(std::ostream& out, const scenario& s,
                      const run_result& r) {
  out << "invariants\n";
  for (auto& p : r.check.properties) {
    auto exp = expected(s, p.name);
    const char* mark = p.held ? "held  " : (exp ? "BROKEN" : "broken");
    out << "  " << mark << "  " << p.name;
    if (!p.held)
      out << " (" << p.violations << " violation"
          << (p.violations == 1 ? "" : "s") << ")";
    if (!exp)
      out << "  [not expected by this scenario]";
    out << "\n";
    if (!p.held)
      for (auto& ex : p.examples)
        out << "          - " << ex << "\n";
  }
  write_oracle_invariants(out, s, r);
  if (s.expect.min_availability > 0)
    out << "  " << (r.check.availability >= s.expect.min_availability
                      ? "held  "
                      : "BROKEN")
        << "  availability " << percent(r.check.availability)
        << " >= " << percent(s.expect.min_availability) << "\n";
  out << "\n";
}

} // namespace

void write_text_report(std::ostream& out, const scenario& s,
                       const run_result& r, const invocation& inv) {
  write_header(out, s, r);
  write_timeline(out, r);
  write_operations(out, r);
  write_cluster_view(out, s, r);
  write_invariants(out, s, r);
  if (s.random.enabled) {
    out << "the fault schedule drawn from seed " << r.seed
        << " (paste into a scenario file to edit it):\n";
    out << faults_to_toml(r.schedule) << "\n";
  }
  out << (r.ok() ? "verdict   PASS: every expected invariant held\n"
                 : "verdict   FAIL: broken invariants listed above\n");
  out << "trace     " << hex(r.trace_hash) << " (history "
      << hex(r.history_hash) << ", " << r.hist.size() << " events)\n";
  double speed = r.wall_seconds > 0
                   ? static_cast<double>(r.simulated) / 1e6 / r.wall_seconds
                   : 0;
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "speed     %.2f s wall for %s simulated (%.0fx real time, "
                "%.0f network messages/s)\n",
                r.wall_seconds, format_seconds(r.simulated).c_str(), speed,
                r.wall_seconds > 0 ? r.net.sent / r.wall_seconds : 0.0);
  out << buf;
  out << "reproduce " << reproduce_line(r, inv) << "\n";
}

void write_sweep_line(std::ostream& out, const run_result& r,
                      const invocation& inv) {
  out << "seed " << r.seed << ": " << (r.ok() ? "PASS" : "FAIL");
  if (!r.ok()) {
    out << " (broken:";
    for (auto& b : r.broken)
      out << " " << b;
    out << ")  reproduce: " << reproduce_line(r, inv);
  }
  out << "  trace " << hex(r.trace_hash) << "\n";
}

void write_json_summary(std::ostream& out, const scenario& s,
                        const run_result& r, const invocation& inv) {
  auto& c = r.check;
  auto lat = [](const latency_summary& l) {
    return "{\"count\":" + std::to_string(l.count)
           + ",\"p50_us\":" + std::to_string(l.p50)
           + ",\"p90_us\":" + std::to_string(l.p90)
           + ",\"p99_us\":" + std::to_string(l.p99)
           + ",\"p999_us\":" + std::to_string(l.p999)
           + ",\"max_us\":" + std::to_string(l.max) + "}";
  };
  out << "{\"scenario\":\"" << json_escape(s.name) << "\",\"file\":\""
      << json_escape(s.file) << "\",\"seed\":" << r.seed
      << ",\"valid\":" << (r.ok() ? "true" : "false") << ",\"broken\":[";
  for (size_t i = 0; i < r.broken.size(); ++i)
    out << (i ? "," : "") << "\"" << json_escape(r.broken[i]) << "\"";
  out << "],\"properties\":{";
  for (size_t i = 0; i < c.properties.size(); ++i) {
    auto& p = c.properties[i];
    out << (i ? "," : "") << "\"" << p.name << "\":{\"held\":"
        << (p.held ? "true" : "false") << ",\"expected\":"
        << (expected(s, p.name) ? "true" : "false")
        << ",\"violations\":" << p.violations << ",\"examples\":[";
    for (size_t j = 0; j < p.examples.size(); ++j)
      out << (j ? "," : "") << "\"" << json_escape(p.examples[j]) << "\"";
    out << "]}";
  }
  out << "},\"appends\":{\"invoked\":" << c.appends_invoked
      << ",\"ok\":" << c.appends_ok << ",\"failed\":" << c.appends_failed
      << ",\"indefinite\":" << c.appends_indefinite
      << "},\"reads\":{\"invoked\":" << c.reads_invoked
      << ",\"ok\":" << c.reads_ok << ",\"incomplete\":" << c.reads_incomplete
      << ",\"failed\":" << c.reads_failed << "},\"availability\":"
      << c.availability << ",\"append_latency\":" << lat(c.append_latency)
      << ",\"read_latency\":" << lat(c.read_latency)
      << ",\"network\":{\"sent\":" << r.net.sent
      << ",\"delivered\":" << r.net.delivered << ",\"lost\":" << r.net.lost
      << ",\"cut\":" << r.net.cut << ",\"to_dead\":" << r.net.to_dead
      << ",\"duplicated\":" << r.net.duplicated
      << ",\"reordered\":" << r.net.reordered
      << ",\"corrupted\":" << r.net.corrupted << "},\"timeline\":[";
  for (size_t i = 0; i < r.timeline.size(); ++i)
    out << (i ? "," : "") << "{\"at_us\":" << r.timeline[i].at
        << ",\"event\":\"" << json_escape(r.timeline[i].text) << "\"}";
  out << "],\"trace_hash\":\"" << hex(r.trace_hash)
      << "\",\"history_hash\":\"" << hex(r.history_hash)
      << "\",\"simulated_us\":" << r.simulated
      << ",\"wall_seconds\":" << r.wall_seconds
      << ",\"oracle\":" << oracle_json(s, r) << ",\"reproduce\":\""
      << json_escape(reproduce_line(r, inv)) << "\"}\n";
}

} // namespace logstore::sim
