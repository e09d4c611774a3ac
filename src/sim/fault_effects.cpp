// logstore — what each fault kind does to the simulated world
// (fault_effects.hpp).
#include "sim/fault_effects.hpp"

#include "core/base/assert.hpp"
#include "core/base/node_role.hpp"
#include "scenario/fault_kinds.hpp"
#include "sim/world_impl.hpp"

#include <vector>

namespace logstore::sim {

namespace {

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

void start_node(world& w, const std::string& name) {
  auto& net = w.net();
  auto n = net.index_of(name);
  if (!net.alive(n)) {
    net.revive(n);
    w.spawn_node(n);
  }
}

/// Sets the links of a link fault to the [network] profile changed by `set`.
template <class Set>
void set_links(world& w, const fault& f, Set set) {
  auto base = w.spec().network;
  set(base);
  for (auto& [a, b] : fault_links(w.net(), f))
    w.net().set_link(a, b, base);
}

// -- apply --------------------------------------------------------------------

void apply_crash(world& w, const fault& f) {
  auto& net = w.net();
  if (is_master_name(f.target))
    w.master_fault(f.target, "crash");
  if (net.alive(net.index_of(f.target)))
    w.kill_node(net.index_of(f.target));
}

void apply_restart(world& w, const fault& f) {
  start_node(w, f.target);
}

void apply_pause(world& w, const fault& f) {
  if (is_master_name(f.target))
    w.master_fault(f.target, "pause");
  w.net().pause(w.net().index_of(f.target));
}

void apply_resume(world& w, const fault& f) {
  w.net().resume(w.net().index_of(f.target));
}

void apply_slow(world& w, const fault& f) {
  w.net().set_slow(w.net().index_of(f.target), f.extra_latency);
}

void apply_partition(world& w, const fault& f) {
  for (auto& group : f.groups)
    for (auto& name : group)
      if (is_master_name(name))
        w.master_fault(name, "partition");
  for (auto& [a, b] : partition_links(w.net(), f))
    w.net().cut(a, b);
}

void apply_heal(world& w, const fault&) {
  w.net().heal_all();
}

void apply_latency(world& w, const fault& f) {
  set_links(w, f, [&](link_profile& p) {
    p.latency = f.profile.latency;
    p.jitter = f.profile.jitter;
  });
}

void apply_loss(world& w, const fault& f) {
  set_links(w, f, [&](link_profile& p) { p.loss = f.value; });
}

void apply_duplicate(world& w, const fault& f) {
  set_links(w, f, [&](link_profile& p) { p.duplicate = f.value; });
}

void apply_drain(world& w, const fault& f) {
  w.drain(f.target);
}

void apply_disk_corrupt(world& w, const fault& f) {
  if (auto* d = w.disk_of(f.target)) {
    auto hit = d->flip_random_bit();
    if (hit)
      w.note(w.now(), "  (flipped a bit in " + hit->file + " at byte "
                        + std::to_string(hit->offset) + ")");
  }
}

void apply_disk_misdirect(world& w, const fault& f) {
  if (auto* d = w.disk_of(f.target))
    d->misdirect_next_append();
}

void apply_disk_full(world& w, const fault& f) {
  if (auto* d = w.disk_of(f.target))
    d->set_capacity_bytes(d->used_bytes());
}

void apply_disk_slow(world& w, const fault& f) {
  if (auto* d = w.disk_of(f.target))
    d->set_sync_latency_us(f.profile.latency);
}

void apply_disk_lost(world& w, const fault& f) {
  auto& net = w.net();
  auto n = net.index_of(f.target);
  if (net.alive(n))
    w.kill_node(n);
  w.lose_disk(n);
}

void apply_clock(world& w, const fault& f) {
  w.clock_of(f.target).set(w.now(), f.clock_step,
                           local_clock::exact_rate + f.clock_drift_ppm);
}

// -- undo ---------------------------------------------------------------------

void undo_crash(world& w, const fault& f) {
  w.note(w.now(), "restart " + f.target + " (end of crash)");
  start_node(w, f.target);
}

void undo_pause(world& w, const fault& f) {
  w.note(w.now(), "resume " + f.target + " (end of pause)");
  w.net().resume(w.net().index_of(f.target));
}

void undo_slow(world& w, const fault& f) {
  w.note(w.now(), f.target + " back to normal speed");
  w.net().set_slow(w.net().index_of(f.target), 0);
}

void undo_partition(world& w, const fault& f) {
  w.note(w.now(), "heal partition (" + describe_fault(f) + ")");
  for (auto& [a, b] : partition_links(w.net(), f)) {
    w.net().uncut(a, b);
    w.net().uncut(b, a);
  }
}

void undo_link(world& w, const fault& f) {
  w.note(w.now(), "end of " + describe_fault(f));
  for (auto& [a, b] : fault_links(w.net(), f))
    w.net().clear_link(a, b);
}

void undo_disk_full(world& w, const fault& f) {
  w.note(w.now(), f.target + "'s disk has space again");
  if (auto* d = w.disk_of(f.target))
    d->set_capacity_bytes(w.spec().disk.capacity > 0 ? w.spec().disk.capacity
                                                     : UINT64_MAX);
}

void undo_disk_slow(world& w, const fault& f) {
  w.note(w.now(), f.target + "'s disk is fast again");
  if (auto* d = w.disk_of(f.target))
    d->set_sync_latency_us(w.spec().disk.fsync_latency);
}

void undo_clock(world& w, const fault& f) {
  w.note(w.now(), f.target + "'s clock runs at the right rate again");
  w.clock_of(f.target).reset_rate(w.now());
}

const std::vector<fault_effect>& effects_table() {
  static const std::vector<fault_effect> table = [] {
    std::vector<fault_effect> xs{
      {fault_action::crash, apply_crash, undo_crash},
      {fault_action::restart, apply_restart, nullptr},
      {fault_action::pause, apply_pause, undo_pause},
      {fault_action::resume, apply_resume, nullptr},
      {fault_action::slow, apply_slow, undo_slow},
      {fault_action::partition, apply_partition, undo_partition},
      {fault_action::heal, apply_heal, nullptr},
      {fault_action::latency, apply_latency, undo_link},
      {fault_action::loss, apply_loss, undo_link},
      {fault_action::duplicate, apply_duplicate, undo_link},
      {fault_action::join, apply_restart, nullptr},
      {fault_action::drain, apply_drain, nullptr},
      {fault_action::disk_corrupt, apply_disk_corrupt, nullptr},
      {fault_action::disk_misdirect, apply_disk_misdirect, nullptr},
      {fault_action::disk_full, apply_disk_full, undo_disk_full},
      {fault_action::disk_slow, apply_disk_slow, undo_disk_slow},
      {fault_action::disk_lost, apply_disk_lost, undo_crash},
      {fault_action::clock, apply_clock, undo_clock},
    };
    for (size_t i = 0; i < xs.size(); ++i)
      LOGSTORE_ASSERT(static_cast<size_t>(xs[i].action) == i);
    LOGSTORE_ASSERT(xs.size() == fault_kinds().size());
    return xs;
  }();
  return table;
}

} // namespace

const fault_effect& effect_of(fault_action x) {
  auto& table = effects_table();
  auto i = static_cast<size_t>(x);
  LOGSTORE_ASSERT(i < table.size());
  return table[i];
}

} // namespace logstore::sim
