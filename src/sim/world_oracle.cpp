// logstore — the simulated world's side of the oracle: starting the probe,
// judging the master's "dead" verdicts against the truth, feeding it block
// reports, and operator actions sent through the probe (drain).
// Layer: sim. Split from world.cpp; the oracle itself is oracle.cpp.
#include "actors/protocol.hpp"
#include "core/base/node_role.hpp"
#include "sim/probe_actor.hpp"
#include "sim/world_impl.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace logstore::sim {

void world::drain(const std::string& node) {
  caf::anon_send(probe_, drain_req{node});
}

bool world::oracle_wanted() const {
  for (auto& name : s_.expect.invariants)
    for (auto& o : oracle_properties())
      if (name == o)
        return true;
  return false;
}

void world::start_oracle() {
  std::vector<std::string> storage;
  for (auto& name : names_)
    if (is_storage_name(name))
      storage.push_back(name);
  probe_callbacks cb;
  cb.on_status = [this](const status_reply& st) {
    oracle_.on_status(now(), st);
  };
  cb.on_reports = [this](std::vector<block_report> reports) {
    on_reports(std::move(reports));
  };
  std::vector<std::string> masters{"master"};
  if (s_.cluster.multi_master())
    masters = s_.cluster.masters;
  probe_ = sys_->spawn(probe_actor, directory_, std::move(masters),
                       std::move(storage),
                       std::move(cb));
  mains_[oracle_node_] = probe_;
  net_->bind(oracle_node_, probe_);
}

void world::master_fault(const std::string& name, std::string fault) {
  if (s_.cluster.multi_master())
    oracle_.on_master_fault(now(), name, std::move(fault));
}

void world::on_epoch(time_us at, const std::string& node,
                     std::string_view what, uint64_t epoch) {
  if (what == "promised")
    oracle_.on_promised(node, epoch);
  else if (what == "accepted")
    oracle_.on_accepted(at, node, epoch);
  else if (what == "acked")
    oracle_.on_acked(at, node, epoch);
  else
    oracle_.on_role(at, node, what, epoch);
}

void world::on_declared_dead(const std::string& from, const std::string& node,
                             time_us at) {
  auto n = net_->index_of(node);
  auto master = net_->index_of(from);
  // A verdict is justified if the node was unreachable at any time during
  // the silence the detector needs (dead_after_misses heartbeats).
  auto window = s_.cluster.heartbeat_interval
                * (s_.cluster.dead_after_misses + 1);
  auto since = net_->last_disturbed(n);
  bool down = !net_->alive(n) || net_->paused(n) || net_->is_cut(n, master)
              || net_->is_cut(master, n) || (since >= 0 && at - since <= window);
  oracle_.on_declared_dead(node, at, down);
}

std::map<batch_id, timestamp_us> world::acked_batches() const {
  std::map<batch_id, timestamp_us> out;
  for (auto& ev : hist_.events())
    if (ev.f == op_fn::append && ev.type == op_type::ok) {
      auto& newest = out.emplace(ev.batch, INT64_MIN).first->second;
      for (auto& e : ev.entries)
        newest = std::max(newest, e.ts);
    }
  return out;
}

void world::on_reports(std::vector<block_report> reports) {
  round_pending_ = false;
  if (oracle_.on_reports(now(), reports, acked_batches()))
    restored_ = true;
}

} // namespace logstore::sim
