// logstore — applying faults to the simulated world.
#include "sim/world_actions.hpp"

#include "sim/world_impl.hpp"

#include <algorithm>
#include <limits>

namespace logstore::sim {

namespace {

std::string describe(const fault& f) {
  std::string out{to_string(f.action)};
  if (!f.target.empty())
    out += " " + f.target;
  if (f.between.size() == 2)
    out += " " + f.between[0] + "<->" + f.between[1];
  if (!f.groups.empty()) {
    out += " ";
    for (size_t i = 0; i < f.groups.size(); ++i) {
      if (i > 0)
        out += f.one_way ? " -/-> " : " | ";
      out += "[";
      for (size_t j = 0; j < f.groups[i].size(); ++j)
        out += (j > 0 ? "," : "") + f.groups[i][j];
      out += "]";
    }
  }
  switch (f.action) {
    case fault_action::latency:
      out += " " + std::to_string(f.profile.latency / 1000) + "ms";
      break;
    case fault_action::loss:
    case fault_action::duplicate:
      out += " " + std::to_string(static_cast<int>(f.value * 100)) + "%";
      break;
    case fault_action::slow:
      out += " +" + std::to_string(f.extra_latency / 1000) + "ms";
      break;
    default:
      break;
  }
  if (f.duration > 0)
    out += " for " + std::to_string(f.duration / 1000) + "ms";
  return out;
}

/// The links a link fault changes: one pair (`between`), or every link of
/// `target`.
std::vector<std::pair<node_index, node_index>> fault_links(const network& net,
                                                           const fault& f) {
  std::vector<std::pair<node_index, node_index>> out;
  if (f.between.size() == 2) {
    out.emplace_back(net.index_of(f.between[0]), net.index_of(f.between[1]));
    return out;
  }
  auto t = net.index_of(f.target);
  for (node_index m = 0; m < net.node_count(); ++m)
    if (m != t)
      out.emplace_back(t, m);
  return out;
}

/// The directed links a partition cuts: groups[0] -> every other group
/// (and back unless one-way), and between the other groups both ways.
std::vector<std::pair<node_index, node_index>>
partition_links(const network& net, const fault& f) {
  std::vector<std::pair<node_index, node_index>> out;
  auto both = [&](const std::string& a, const std::string& b, bool back) {
    out.emplace_back(net.index_of(a), net.index_of(b));
    if (back)
      out.emplace_back(net.index_of(b), net.index_of(a));
  };
  for (auto& a : f.groups[0])
    for (size_t g = 1; g < f.groups.size(); ++g)
      for (auto& b : f.groups[g])
        both(a, b, !f.one_way);
  if (!f.one_way)
    for (size_t g = 1; g < f.groups.size(); ++g)
      for (size_t h = g + 1; h < f.groups.size(); ++h)
        for (auto& a : f.groups[g])
          for (auto& b : f.groups[h])
            both(a, b, true);
  return out;
}

} // namespace

action_queue::action_queue(world& w, const scenario& s, prng&)
  : w_(w), faults_(s.faults) {
  uint64_t order = 0;
  for (size_t i = 0; i < faults_.size(); ++i) {
    actions_.push_back({faults_[i].at, order++, i, false});
    if (faults_[i].duration > 0)
      actions_.push_back({faults_[i].at + faults_[i].duration, order++, i,
                          true});
  }
  actions_.push_back({s.duration, order++, SIZE_MAX, false});
  std::sort(actions_.begin(), actions_.end(),
            [](const action& x, const action& y) {
              return x.at != y.at ? x.at < y.at : x.order < y.order;
            });
}

time_us action_queue::next_time() const {
  return next_ < actions_.size() ? actions_[next_].at
                                 : std::numeric_limits<time_us>::max();
}

void action_queue::apply_next() {
  auto& a = actions_[next_++];
  if (a.fault == SIZE_MAX)
    final_heal();
  else if (a.undo)
    undo(faults_[a.fault]);
  else
    apply(faults_[a.fault]);
}

void action_queue::apply(const fault& f) {
  auto& net = w_.net();
  w_.note(w_.now(), describe(f));
  auto base = w_.spec().network;
  switch (f.action) {
    case fault_action::crash:
      if (net.alive(net.index_of(f.target)))
        w_.kill_node(net.index_of(f.target));
      break;
    case fault_action::restart: {
      auto n = net.index_of(f.target);
      if (!net.alive(n)) {
        net.revive(n);
        w_.spawn_node(n);
      }
      break;
    }
    case fault_action::pause:
      net.pause(net.index_of(f.target));
      break;
    case fault_action::resume:
      net.resume(net.index_of(f.target));
      break;
    case fault_action::slow:
      net.set_slow(net.index_of(f.target), f.extra_latency);
      break;
    case fault_action::partition:
      for (auto& [a, b] : partition_links(net, f))
        net.cut(a, b);
      break;
    case fault_action::heal:
      net.heal_all();
      break;
    case fault_action::latency:
      base.latency = f.profile.latency;
      base.jitter = f.profile.jitter;
      for (auto& [a, b] : fault_links(net, f))
        net.set_link(a, b, base);
      break;
    case fault_action::loss:
      base.loss = f.value;
      for (auto& [a, b] : fault_links(net, f))
        net.set_link(a, b, base);
      break;
    case fault_action::duplicate:
      base.duplicate = f.value;
      for (auto& [a, b] : fault_links(net, f))
        net.set_link(a, b, base);
      break;
    case fault_action::join: {
      auto n = net.index_of(f.target);
      if (!net.alive(n)) {
        net.revive(n);
        w_.spawn_node(n);
      }
      break;
    }
    case fault_action::drain:
      w_.drain(f.target);
      break;
    case fault_action::disk_corrupt:
      if (auto* d = w_.disk_of(f.target)) {
        auto hit = d->flip_random_bit();
        if (hit)
          w_.note(w_.now(), "  (flipped a bit in " + hit->file + " at byte "
                              + std::to_string(hit->offset) + ")");
      }
      break;
    case fault_action::disk_misdirect:
      if (auto* d = w_.disk_of(f.target))
        d->misdirect_next_append();
      break;
    case fault_action::disk_full:
      if (auto* d = w_.disk_of(f.target))
        d->set_capacity_bytes(d->used_bytes());
      break;
    case fault_action::disk_slow:
      if (auto* d = w_.disk_of(f.target))
        d->set_sync_latency_us(f.profile.latency);
      break;
  }
}

void action_queue::undo(const fault& f) {
  auto& net = w_.net();
  switch (f.action) {
    case fault_action::crash: {
      auto n = net.index_of(f.target);
      w_.note(w_.now(), "restart " + f.target + " (end of crash)");
      if (!net.alive(n)) {
        net.revive(n);
        w_.spawn_node(n);
      }
      break;
    }
    case fault_action::pause:
      w_.note(w_.now(), "resume " + f.target + " (end of pause)");
      net.resume(net.index_of(f.target));
      break;
    case fault_action::slow:
      w_.note(w_.now(), f.target + " back to normal speed");
      net.set_slow(net.index_of(f.target), 0);
      break;
    case fault_action::partition:
      w_.note(w_.now(), "heal partition (" + describe(f) + ")");
      for (auto& [a, b] : partition_links(net, f)) {
        net.uncut(a, b);
        net.uncut(b, a);
      }
      break;
    case fault_action::latency:
    case fault_action::loss:
    case fault_action::duplicate:
      w_.note(w_.now(), "end of " + describe(f));
      for (auto& [a, b] : fault_links(net, f))
        net.clear_link(a, b);
      break;
    case fault_action::restart:
    case fault_action::resume:
    case fault_action::heal:
    case fault_action::join:
    case fault_action::drain:
    case fault_action::disk_corrupt:
    case fault_action::disk_misdirect:
      break;
    case fault_action::disk_full:
      w_.note(w_.now(), f.target + "'s disk has space again");
      if (auto* d = w_.disk_of(f.target))
        d->set_capacity_bytes(w_.spec().disk.capacity > 0
                                ? w_.spec().disk.capacity
                                : UINT64_MAX);
      break;
    case fault_action::disk_slow:
      w_.note(w_.now(), f.target + "'s disk is fast again");
      if (auto* d = w_.disk_of(f.target))
        d->set_sync_latency_us(w_.spec().disk.fsync_latency);
      break;
  }
}

void action_queue::final_heal() {
  auto& net = w_.net();
  w_.note(w_.now(), "end of workload: heal every partition, link fault, "
                    "slowness and pause (crashed nodes stay down unless "
                    "the timeline restarts them)");
  net.heal_all();
  for (node_index n = 0; n < net.node_count(); ++n)
    net.resume(n);
}

} // namespace logstore::sim
