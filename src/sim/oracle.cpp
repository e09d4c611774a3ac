// logstore — the simulator's white-box oracle.
#include "sim/oracle.hpp"

#include "sim/report.hpp"

#include <algorithm>
#include <unordered_map>

namespace logstore::sim {

void oracle::on_crash(const std::string& node, time_us at) {
  report_.detections.push_back({node, at, -1});
}

void oracle::on_declared_dead(const std::string& node, time_us at,
                              bool really_down) {
  for (auto i = report_.detections.rbegin(); i != report_.detections.rend();
       ++i)
    if (i->node == node) {
      if (i->declared_dead_at < 0)
        i->declared_dead_at = at;
      break;
    }
  if (!really_down)
    report_.false_dead.push_back({node, at});
}

void oracle::on_status(time_us at, const status_reply& st) {
  if (st.under_replicated != last_under_) {
    report_.under_replicated.emplace_back(at, st.under_replicated);
    last_under_ = st.under_replicated;
  }
  report_.repairs_done = st.repairs_done;
}

bool oracle::on_reports(time_us at, const std::vector<block_report>& reports,
                        const std::set<batch_id>& acked) {
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
  for (auto id : acked) {
    auto i = holders.find(id);
    size_t n = i == holders.end() ? 0 : i->second.size();
    if (n < rf_) {
      ++short_batches;
      if (missing.size() < 5)
        missing.push_back("batch " + std::to_string(id) + " has "
                          + std::to_string(n) + " of " + std::to_string(rf_)
                          + " copies");
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
