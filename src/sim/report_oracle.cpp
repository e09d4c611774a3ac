// logstore — the oracle's part of the report: failure detection against the
// truth, under-replicated episodes and repair work, the master's last view
// of every member, and the oracle's checks.
// Layer: sim (formatting only; no CAF).
#include "sim/report.hpp"
#include "sim/traffic.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ostream>

namespace logstore::sim {

namespace {

bool expected(const scenario& s, const std::string& name) {
  auto& xs = s.expect.invariants;
  return std::find(xs.begin(), xs.end(), name) != xs.end();
}

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * x);
  return buf;
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width)
    text.resize(width, ' ');
  return text;
}

time_us detect_bound(const scenario& s) {
  return s.cluster.heartbeat_interval * (s.cluster.dead_after_misses + 1);
}

void write_detection(std::ostream& out, const scenario& s,
                     const oracle_report& o) {
  out << "failure detection (bound: " << format_latency(detect_bound(s))
      << " = heartbeat x misses + 1 tick";
  if (s.expect.max_detection > 0)
    out << "; limit " << format_latency(s.expect.max_detection);
  out << ")\n";
  if (o.detections.empty())
    out << "  no crashes\n";
  for (auto& d : o.detections) {
    out << "  " << d.node << " crashed at " << format_seconds(d.crashed_at);
    if (d.declared_dead_at >= 0) {
      auto took = d.declared_dead_at - d.crashed_at;
      out << ", declared dead " << format_latency(took) << " later"
          << (took > detect_bound(s) ? " (ABOVE the bound)" : "");
    } else {
      out << ", never declared dead";
      if (d.restarted_at >= 0)
        out << " (back after "
            << format_latency(d.restarted_at - d.crashed_at)
            << ", before the verdict)";
    }
    out << "\n";
  }
  out << "  false \"dead\" verdicts: " << o.false_dead.size();
  if (s.expect.max_false_dead >= 0)
    out << " (limit " << s.expect.max_false_dead << ")";
  out << "\n";
  size_t shown = 0;
  for (auto& f : o.false_dead)
    if (shown++ < 10)
      out << "    - " << f.node << " at " << format_seconds(f.at)
          << " while it was running and reachable\n";
  if (o.false_dead.size() > shown)
    out << "    - ... and " << o.false_dead.size() - shown << " more\n";
}

void write_repair(std::ostream& out, const scenario& s,
                  const oracle_report& o) {
  out << "under-replicated batches (master's view, sampled each second)\n  ";
  if (o.under_replicated.empty())
    out << "never sampled";
  size_t shown = 0;
  for (auto& [at, n] : o.under_replicated)
    if (shown++ < 40)
      out << (shown > 1 ? ", " : "") << n << " at " << format_seconds(at);
  if (o.under_replicated.size() > shown)
    out << ", ... (" << o.under_replicated.size() - shown << " more)";
  out << "\n";
  // Episodes that made copies (or never ended) one per line; the others
  // (a node suspect for a moment, a copy waiting for its retry) summed up.
  shown = 0;
  size_t quiet = 0;
  time_us quiet_longest = 0;
  for (auto& e : o.episodes) {
    if (e.end >= 0 && e.copies + e.moves == 0 && o.episodes.size() > 10) {
      ++quiet;
      quiet_longest = std::max(quiet_longest, e.end - e.start);
      continue;
    }
    if (shown++ >= 20)
      continue;
    out << "  episode from " << format_seconds(e.start) << ": ";
    if (e.end < 0)
      out << "still under-replicated at the end, peak " << e.peak << "\n";
    else
      out << "restored in " << format_latency(e.end - e.start) << ", peak "
          << e.peak << " batches, " << e.copies << " repair copies, "
          << e.moves << " moves\n";
  }
  if (shown > 20)
    out << "  ... and " << shown - 20 << " more such episodes\n";
  if (quiet > 0)
    out << "  and " << quiet << " episodes without any copy (a node suspect "
        << "for a moment, a store awaiting its retry), the longest "
        << format_latency(quiet_longest) << "\n";
  out << "  repair copies made: " << o.repairs_done;
  if (s.expect.max_repair_copies >= 0)
    out << " (limit " << s.expect.max_repair_copies << ")";
  out << "; rebalance moves: " << o.moves_done << "\n";
}

void write_members(std::ostream& out, const oracle_report& o) {
  if (o.last_status_at < 0) {
    out << "members: the master never answered a status request\n";
    return;
  }
  auto& st = o.last_status;
  out << "members (the master's last status, at "
      << format_seconds(o.last_status_at) << ": " << st.batches
      << " batches, " << st.under_replicated << " under-replicated, "
      << (st.lost_batches > 0
            ? std::to_string(st.lost_batches)
                + " lost (no copy anywhere; never acknowledged), "
            : std::string{})
      << st.repairs_pending << " repairs pending)\n";
  out << "  " << padded("NAME", 12) << padded("ZONE", 8) << padded("STATE", 9)
      << padded("BATCHES", 9) << padded("DRAINING", 10)
      << "SAFE TO REMOVE\n";
  for (auto& m : st.members)
    out << "  " << padded(m.name, 12) << padded(m.zone.empty() ? "-" : m.zone, 8)
        << padded(m.state, 9) << padded(std::to_string(m.batches), 9)
        << padded(m.draining ? "yes" : "no", 10)
        << (m.safe_to_remove ? "yes" : "no") << "\n";
}

void line(std::ostream& out, const scenario& s, const std::string& name,
          bool held, const std::string& detail) {
  auto exp = expected(s, name);
  out << "  " << (held ? "held  " : (exp ? "BROKEN" : "broken")) << "  "
      << name << detail << (exp ? "" : "  [not expected by this scenario]")
      << "\n";
}

void limit_line(std::ostream& out, bool held, const std::string& text) {
  out << "  " << (held ? "held  " : "BROKEN") << "  " << text << "\n";
}

} // namespace

void write_cluster_view(std::ostream& out, const scenario& s,
                        const run_result& r) {
  write_detection(out, s, r.oracle);
  write_repair(out, s, r.oracle);
  write_members(out, r.oracle);
  out << "\n";
}

void write_oracle_invariants(std::ostream& out, const scenario& s,
                             const run_result& r) {
  auto& o = r.oracle;
  auto& e = s.expect;
  if (o.checked) {
    line(out, s, "replicas-converge", o.converged, "");
    for (auto& ex : o.converge_examples)
      out << "          - " << ex << "\n";
    line(out, s, "replication-restored", o.restored,
         o.restored ? " (in " + format_latency(o.recovery_time)
                        + " after the final heal; limit "
                        + format_latency(e.max_recovery) + ")"
                    : " (not within " + format_latency(e.max_recovery) + ")");
    if (!o.restored)
      for (auto& ex : o.restore_examples)
        out << "          - " << ex << "\n";
  }
  auto drained = drained_nodes(s);
  if (!drained.empty()) {
    auto left = unfinished_drains(o, drained);
    line(out, s, "drain-completes", left.empty(),
         left.empty() ? " (every drained node: 0 batches, safe to remove)"
                      : "");
    for (auto& ex : left)
      out << "          - " << ex << "\n";
  }
  line(out, s, "single-active-master", o.epoch_violation_count == 0,
       o.promotions > 0 ? " (" + std::to_string(o.promotions)
                            + " promotion(s))"
                        : "");
  for (auto& ex : o.epoch_violations)
    out << "          - " << ex << "\n";
  if (s.cluster.multi_master()) {
    auto slow = slow_failovers(o, failover_limit(s), s.duration);
    time_us longest = 0;
    for (auto& f : o.failovers)
      if (f.recovered_at >= 0)
        longest = std::max(longest, f.recovered_at - f.at);
    line(out, s, "failover-bounded", slow.empty(),
         o.failovers.empty()
           ? " (no crash, pause or partition hit the active master while "
             "it served)"
           : " (" + std::to_string(o.failovers.size())
               + " fault(s) of the active master; appends again within "
               + format_latency(longest) + " at most; limit "
               + format_latency(failover_limit(s)) + ")");
    for (auto& ex : slow)
      out << "          - " << ex << "\n";
  }
  if (e.max_false_dead >= 0)
    limit_line(out,
               o.false_dead.size() <= static_cast<uint64_t>(e.max_false_dead),
               "false dead verdicts " + std::to_string(o.false_dead.size())
                 + " <= " + std::to_string(e.max_false_dead));
  if (e.max_detection > 0) {
    auto slow = slow_detections(o, e.max_detection, r.simulated);
    limit_line(out, slow.empty(),
               "every crash declared dead within "
                 + format_latency(e.max_detection));
    for (auto& ex : slow)
      out << "          - " << ex << "\n";
  }
  if (e.max_promotions >= 0)
    limit_line(out, o.promotions <= static_cast<uint64_t>(e.max_promotions),
               "promotions " + std::to_string(o.promotions)
                 + " <= " + std::to_string(e.max_promotions));
  if (e.max_master_bytes_per_read >= 0) {
    auto per = master_traffic_of(r).bytes_per_read();
    limit_line(out, per <= static_cast<double>(e.max_master_bytes_per_read),
               "bytes through the master per read "
                 + std::to_string(static_cast<uint64_t>(per)) + " <= "
                 + std::to_string(e.max_master_bytes_per_read));
  }
  if (e.max_master_bytes_per_append >= 0) {
    auto per = master_traffic_of(r).bytes_per_append();
    limit_line(out,
               per <= static_cast<double>(e.max_master_bytes_per_append),
               "bytes through the master per append "
                 + std::to_string(static_cast<uint64_t>(per)) + " <= "
                 + std::to_string(e.max_master_bytes_per_append));
  }
  if (e.max_repair_copies >= 0)
    limit_line(out,
               o.repairs_done <= static_cast<uint64_t>(e.max_repair_copies),
               "repair copies " + std::to_string(o.repairs_done)
                 + " <= " + std::to_string(e.max_repair_copies));
  if (e.max_imbalance >= 0)
    limit_line(out, imbalance(o) <= e.max_imbalance,
               "load within +-" + percent(e.max_imbalance)
                 + " of the mean (worst " + percent(imbalance(o)) + ")");
}

std::string oracle_json(const scenario& s, const run_result& r) {
  auto& o = r.oracle;
  std::string out = "{\"detect_bound_us\":" + std::to_string(detect_bound(s))
                    + ",\"detections\":[";
  for (size_t i = 0; i < o.detections.size(); ++i) {
    auto& d = o.detections[i];
    out += (i ? ",{" : "{") + std::string{"\"node\":\""} + json_escape(d.node)
           + "\",\"crashed_at_us\":" + std::to_string(d.crashed_at)
           + ",\"detected_after_us\":"
           + (d.declared_dead_at >= 0
                ? std::to_string(d.declared_dead_at - d.crashed_at)
                : std::string{"null"})
           + "}";
  }
  out += "],\"false_dead\":" + std::to_string(o.false_dead.size())
         + ",\"repair_copies\":" + std::to_string(o.repairs_done)
         + ",\"moves\":" + std::to_string(o.moves_done)
         + ",\"restored\":" + (o.restored ? "true" : "false")
         + ",\"recovery_us\":"
         + (o.restored ? std::to_string(o.recovery_time)
                       : std::string{"null"})
         + ",\"episodes\":[";
  for (size_t i = 0; i < o.episodes.size(); ++i) {
    auto& e = o.episodes[i];
    out += (i ? ",{" : "{") + std::string{"\"start_us\":"}
           + std::to_string(e.start) + ",\"duration_us\":"
           + (e.end >= 0 ? std::to_string(e.end - e.start)
                         : std::string{"null"})
           + ",\"peak\":" + std::to_string(e.peak)
           + ",\"copies\":" + std::to_string(e.copies)
           + ",\"moves\":" + std::to_string(e.moves) + "}";
  }
  out += "],\"members\":[";
  auto& ms = o.last_status.members;
  for (size_t i = 0; i < ms.size(); ++i)
    out += (i ? ",{" : "{") + std::string{"\"name\":\""}
           + json_escape(ms[i].name) + "\",\"state\":\"" + ms[i].state
           + "\",\"batches\":" + std::to_string(ms[i].batches)
           + ",\"draining\":" + (ms[i].draining ? "true" : "false")
           + ",\"safe_to_remove\":"
           + (ms[i].safe_to_remove ? "true" : "false") + "}";
  return out + "]}";
}

} // namespace logstore::sim
