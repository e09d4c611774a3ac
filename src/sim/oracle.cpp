// logstore — the simulator's white-box oracle.
#include "sim/oracle.hpp"
#include "sim/traffic.hpp"

#include "sim/report.hpp"
#include "sim/world.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace logstore::sim {

void oracle::on_crash(const std::string& node, time_us at) {
  report_.detections.push_back({node, at, -1, -1});
}

void oracle::on_start(const std::string& node, time_us at) {
  for (auto i = report_.detections.rbegin(); i != report_.detections.rend();
       ++i)
    if (i->node == node) {
      if (i->restarted_at < 0)
        i->restarted_at = at;
      break;
    }
}

void oracle::on_declared_dead(const std::string& node, time_us at,
                              bool really_down) {
  for (auto i = report_.detections.rbegin(); i != report_.detections.rend();
       ++i)
    if (i->node == node) {
      // Only while that crash lasts: a later verdict (say, on a pause of
      // the restarted node) is not this crash's detection.
      if (i->declared_dead_at < 0 && i->restarted_at < 0)
        i->declared_dead_at = at;
      break;
    }
  if (!really_down)
    report_.false_dead.push_back({node, at});
}

void oracle::on_status(time_us at, const status_reply& st) {
  // The run's totals: the master's counters restart with it.
  auto grown = [](uint64_t now, uint64_t& seen) {
    auto d = now >= seen ? now - seen : now;
    seen = now;
    return d;
  };
  report_.repairs_done += grown(st.repairs_done, seen_repairs_);
  report_.moves_done += grown(st.moves_done, seen_moves_);
  if (st.under_replicated != last_under_) {
    report_.under_replicated.emplace_back(at, st.under_replicated);
    last_under_ = st.under_replicated;
  }
  auto& eps = report_.episodes;
  bool open = !eps.empty() && eps.back().end < 0;
  if (st.under_replicated > 0 && !open) {
    eps.push_back({at, -1, 0, report_.repairs_done, report_.moves_done});
    open = true;
  }
  if (open) {
    auto& e = eps.back();
    e.peak = std::max(e.peak, st.under_replicated);
    if (st.under_replicated == 0) {
      // While open, copies and moves hold the counts at the start.
      e.end = at;
      e.copies = report_.repairs_done - e.copies;
      e.moves = report_.moves_done - e.moves;
    }
  }
  report_.last_status = st;
  report_.last_status_at = at;
}

bool oracle::on_reports(time_us at, const std::vector<block_report>& reports,
                        const std::map<batch_id, timestamp_us>& acked) {
  report_.checked = true;
  std::unordered_map<batch_id, std::vector<std::pair<std::string, uint64_t>>>
    holders;
  for (auto& r : reports)
    for (size_t i = 0; i < r.batches.size(); ++i)
      holders[r.batches[i]].emplace_back(r.node, r.digests[i]);
  report_.converge_examples.clear();
  report_.converged = true;
  for (auto& [id, copies] : holders) {
    for (auto& c : copies)
      if (c.second != copies.front().second) {
        report_.converged = false;
        if (report_.converge_examples.size() < 5)
          report_.converge_examples.push_back(
            "batch " + std::to_string(id) + ": " + copies.front().first
            + " and " + c.first + " hold different contents");
        break;
      }
  }
  std::vector<std::string> missing;
  uint64_t short_batches = 0;
  auto expired_before = report_.last_status.expired_before;
  for (auto& [id, max_ts] : acked) {
    if (max_ts < expired_before)
      continue; // deleted on purpose by retention
    auto i = holders.find(id);
    size_t n = i == holders.end() ? 0 : i->second.size();
    if (n < rf_) {
      ++short_batches;
      if (missing.size() < 5) {
        std::string where;
        for (size_t k = 0; k < n; ++k)
          where += (k > 0 ? ", " : "") + i->second[k].first;
        missing.push_back("batch " + std::to_string(id) + " has "
                          + std::to_string(n) + " of " + std::to_string(rf_)
                          + " copies" + (n > 0 ? " (on " + where + ")" : ""));
      }
    }
  }
  bool ok = short_batches == 0 && last_under_ == 0;
  report_.restore_examples = std::move(missing);
  if (short_batches > 0)
    report_.restore_examples.insert(
      report_.restore_examples.begin(),
      std::to_string(short_batches) + " acknowledged batch(es) below RF at "
        + format_seconds(at));
  else if (last_under_ != 0 && last_under_ != UINT64_MAX)
    report_.restore_examples.push_back(
      "the master still counts " + std::to_string(last_under_)
      + " under-replicated batch(es) at " + format_seconds(at));
  if (ok && !report_.restored) {
    report_.restored = true;
    report_.recovery_time = std::max<time_us>(0, at - report_.final_heal_at);
  }
  return ok;
}

} // namespace logstore::sim

namespace logstore::sim {

std::vector<std::string> unfinished_drains(
  const oracle_report& o, const std::vector<std::string>& drained) {
  std::vector<std::string> out;
  for (auto& name : drained) {
    auto& ms = o.last_status.members;
    auto m = std::find_if(ms.begin(), ms.end(),
                          [&](auto& x) { return x.name == name; });
    if (o.last_status_at < 0 || m == ms.end())
      out.push_back(name + ": not in the master's last status");
    else if (!m->draining)
      out.push_back(name + ": not draining (the drain request was lost?)");
    else if (m->batches > 0 || !m->safe_to_remove)
      out.push_back(name + ": " + std::to_string(m->batches)
                    + " batch(es) left, "
                    + (m->safe_to_remove ? "" : "NOT ") + "safe to remove");
  }
  return out;
}

double imbalance(const oracle_report& o) {
  double total = 0;
  size_t count = 0;
  for (auto& m : o.last_status.members)
    if (m.state == "up" && !m.draining) {
      total += static_cast<double>(m.batches);
      ++count;
    }
  if (count < 2 || total == 0)
    return 0;
  auto mean = total / static_cast<double>(count);
  double worst = 0;
  for (auto& m : o.last_status.members)
    if (m.state == "up" && !m.draining)
      worst = std::max(worst,
                       std::abs(static_cast<double>(m.batches) - mean) / mean);
  return worst;
}

std::vector<std::string> slow_detections(const oracle_report& o,
                                         time_us limit, time_us end) {
  std::vector<std::string> out;
  for (auto& d : o.detections) {
    auto down_until = d.restarted_at >= 0 ? d.restarted_at : end;
    if (d.declared_dead_at >= 0 && d.declared_dead_at - d.crashed_at > limit)
      out.push_back(d.node + " crashed at " + format_seconds(d.crashed_at)
                    + ": declared dead "
                    + format_latency(d.declared_dead_at - d.crashed_at)
                    + " later");
    else if (d.declared_dead_at < 0 && down_until - d.crashed_at > limit)
      out.push_back(d.node + " crashed at " + format_seconds(d.crashed_at)
                    + ": down " + format_latency(down_until - d.crashed_at)
                    + " and never declared dead");
  }
  return out;
}

} // namespace logstore::sim

namespace logstore::sim {

std::vector<std::string> drained_nodes(const scenario& s) {
  std::vector<std::string> out;
  for (auto& f : s.faults)
    if (f.action == fault_action::drain
        && std::find(out.begin(), out.end(), f.target) == out.end())
      out.push_back(f.target);
  return out;
}

std::vector<std::string> oracle_verdicts(const scenario& s,
                                         const run_result& r) {
  auto& o = r.oracle;
  auto& e = s.expect;
  auto wanted = [&](std::string_view name) {
    return std::find(e.invariants.begin(), e.invariants.end(), name)
           != e.invariants.end();
  };
  std::vector<std::string> out;
  if (wanted("replicas-converge") && !o.converged)
    out.emplace_back("replicas-converge");
  if (wanted("replication-restored") && !o.restored)
    out.emplace_back("replication-restored");
  if (wanted("drain-completes")
      && !unfinished_drains(o, drained_nodes(s)).empty())
    out.emplace_back("drain-completes");
  if (wanted("single-active-master") && o.epoch_violation_count > 0)
    out.emplace_back("single-active-master");
  if (wanted("failover-bounded")
      && !slow_failovers(o, failover_limit(s), s.duration).empty())
    out.emplace_back("failover-bounded");
  if (e.max_false_dead >= 0
      && o.false_dead.size() > static_cast<uint64_t>(e.max_false_dead))
    out.emplace_back("max-false-dead");
  if (e.max_detection > 0
      && !slow_detections(o, e.max_detection, r.simulated).empty())
    out.emplace_back("max-detection");
  if (e.max_promotions >= 0
      && o.promotions > static_cast<uint64_t>(e.max_promotions))
    out.emplace_back("max-promotions");
  if (e.max_repair_copies >= 0
      && o.repairs_done > static_cast<uint64_t>(e.max_repair_copies))
    out.emplace_back("max-repair-copies");
  if (e.max_master_bytes_per_read >= 0
      && master_traffic_of(r).bytes_per_read()
           > static_cast<double>(e.max_master_bytes_per_read))
    out.emplace_back("max-master-bytes-per-read");
  if (e.max_master_bytes_per_append >= 0
      && master_traffic_of(r).bytes_per_append()
           > static_cast<double>(e.max_master_bytes_per_append))
    out.emplace_back("max-master-bytes-per-append");
  if (e.max_imbalance >= 0 && imbalance(o) > e.max_imbalance)
    out.emplace_back("max-imbalance");
  return out;
}

} // namespace logstore::sim
