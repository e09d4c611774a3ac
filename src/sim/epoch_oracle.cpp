// logstore — the oracle's view of epochs (oracle.hpp): which master was
// active at which epoch, which epochs the storage nodes promised and
// accepted, and how long a failover took. Fed by structured events
// (event_sink::on_epoch) and by the faults the world applies.
//
//   single-active-master: no two masters active at one epoch; no write
//     acknowledged under an epoch by a master that was not active at it;
//     no storage node accepting a command below an epoch it promised.
//   failover-bounded: after a fault hits the active master, appends are
//     acknowledged again within the bound (slow_failovers).
#include "sim/oracle.hpp"

#include <algorithm>

namespace logstore::sim {

namespace {

std::string seconds(time_us t) {
  auto tenths = t / 100'000;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10)
         + " s";
}

} // namespace

void oracle::violation(std::string text) {
  ++report_.epoch_violation_count;
  if (report_.epoch_violations.size() < 5)
    report_.epoch_violations.push_back(std::move(text));
}

void oracle::on_role(time_us at, const std::string& master,
                     std::string_view role, uint64_t epoch) {
  if (role != "active")
    return;
  ++report_.promotions;
  auto [pos, fresh] = active_at_.emplace(epoch, master);
  if (!fresh && pos->second != master)
    violation(master + " became active at epoch " + std::to_string(epoch)
              + " at " + seconds(at) + ", an epoch " + pos->second
              + " was already active at");
  if (epoch >= active_epoch_) {
    active_ = master;
    active_epoch_ = epoch;
    serving_ = false;
  }
  for (auto& e : report_.failovers)
    if (e.promoted_at < 0 && e.at <= at && master != e.master) {
      e.promoted_at = at;
      e.new_active = master;
      e.new_epoch = epoch;
    }
}

void oracle::on_acked(time_us at, const std::string& master, uint64_t epoch) {
  if (master == active_ && epoch == active_epoch_)
    serving_ = true;
  auto i = active_at_.find(epoch);
  if (i == active_at_.end() || i->second != master)
    violation(master + " acknowledged a write under epoch "
              + std::to_string(epoch) + " at " + seconds(at) + ", but "
              + (i == active_at_.end() ? std::string{"no master"}
                                       : i->second)
              + " was active at that epoch");
}

void oracle::on_promised(const std::string& node, uint64_t epoch) {
  auto& p = promised_[node];
  p = std::max(p, epoch);
}

void oracle::on_accepted(time_us at, const std::string& node,
                         uint64_t epoch) {
  auto i = promised_.find(node);
  auto promised = i == promised_.end() ? 0 : i->second;
  if (epoch < promised)
    violation(node + " accepted a command of epoch " + std::to_string(epoch)
              + " at " + seconds(at) + " after promising epoch "
              + std::to_string(promised)
              + " (its promise was lost: not synced, or not reloaded)");
}

void oracle::forget_promises(const std::string& node) {
  promised_.erase(node);
}

void oracle::on_master_fault(time_us at, const std::string& master,
                             std::string fault) {
  if (master != active_)
    return; // a standby: nothing to fail over
  if (!report_.failovers.empty()) {
    auto& last = report_.failovers.back();
    if (last.promoted_at < 0)
      return; // one episode at a time
    if (!serving_) {
      // The master that took over is hit before it acknowledged anything:
      // the episode goes on, and its bound starts again from this fault.
      last.fault += " of " + last.master + ", then " + fault;
      last.master = master;
      last.epoch = active_epoch_;
      last.at = at;
      last.promoted_at = -1;
      return;
    }
  }
  if (!serving_)
    return; // the first master, not serving yet
  failover_episode e;
  e.master = master;
  e.fault = std::move(fault);
  e.epoch = active_epoch_;
  e.at = at;
  report_.failovers.push_back(std::move(e));
}

void oracle::close_failovers(
  const std::vector<std::pair<time_us, time_us>>& acked) {
  for (auto& e : report_.failovers)
    for (auto& [invoked, at] : acked)
      if (invoked > e.at && (e.recovered_at < 0 || at < e.recovered_at))
        e.recovered_at = at;
}

std::vector<std::string> slow_failovers(const oracle_report& o,
                                        time_us limit, time_us end) {
  std::vector<std::string> out;
  for (auto& e : o.failovers) {
    if (e.at + limit > end)
      continue; // too close to the end of the workload to judge
    auto took = e.recovered_at >= 0 ? e.recovered_at - e.at : -1;
    if (took >= 0 && took <= limit)
      continue;
    out.push_back(e.master + " (" + e.fault + " at " + seconds(e.at) + "): "
                  + (took < 0 ? "no append acknowledged after it"
                              : "appends again at " + seconds(e.recovered_at)
                                  + " (" + seconds(took) + ")"));
  }
  return out;
}

} // namespace logstore::sim
