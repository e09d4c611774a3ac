// logstore — draw_random_faults: a concrete fault schedule from a [random]
// section and one seeded prng (a swarm, in TigerBeetle's words).
// Layer: sim (scenario library, no CAF). All randomness comes from the prng
// passed in, so the same seed always gives the same schedule.
//
// Rules (docs/scenarios.md, "[random]"):
//  - faults start at exponential gaps (mean `interval`) in
//    [0, duration - duration_max) and last duration_min..duration_max, so
//    every fault is undone before the workload ends;
//  - only storage nodes crash, pause or get slow; masters crash, pause or
//    get cut off with a minority of storage nodes only when master_faults
//    lists it, one master fault at a time (any master when there are
//    several);
//  - at no instant are more than max_crashed (0: replication_factor - 1)
//    storage nodes crashed or paused, counting faults already in s.faults;
//  - a partition splits the storage nodes into two groups, master on one
//    side; link faults hit a storage node, or one storage-master or
//    storage-storage link.
#include "core/base/assert.hpp"
#include "core/base/node_role.hpp"
#include "scenario/fault_kinds.hpp"
#include "scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace logstore::sim {

namespace {

/// Upper bound on drawn faults, whatever interval and duration say.
constexpr size_t random_faults_max = 10'000;

constexpr time_us one_ms = 1'000;
constexpr time_us forever = std::numeric_limits<time_us>::max();

/// How long after a crashed node's restart its lost copies are assumed to
/// be re-replicated (see pick_down_target).
using detail::repair_window;

using detail::down_interval;
using detail::fault_drawing;

bool is_down_action(fault_action x) {
  return x == fault_action::crash || x == fault_action::pause
         || x == fault_action::disk_lost;
}

bool is_storage(const std::string& name) {
  return is_storage_name(name);
}

/// Crashes and pauses already scheduled; one without a duration lasts until
/// the next restart/resume of its node, or forever.
std::vector<down_interval> scheduled_downs(const std::vector<fault>& faults) {
  std::vector<down_interval> result;
  for (size_t i = 0; i < faults.size(); ++i) {
    auto& f = faults[i];
    if (!is_down_action(f.action) || !is_storage(f.target))
      continue;
    auto end = f.duration > 0 ? f.at + f.duration : forever;
    auto undo = f.action == fault_action::crash ? fault_action::restart
                                                : fault_action::resume;
    for (size_t j = 0; f.duration == 0 && j < faults.size(); ++j)
      if (faults[j].action == undo && faults[j].target == f.target
          && faults[j].at >= f.at && faults[j].at < end)
        end = faults[j].at;
    result.push_back({f.target, f.at, end});
  }
  return result;
}

/// The most intervals that overlap at any one instant of [start, end).
size_t peak_overlap(const std::vector<down_interval>& downs, time_us start,
                    time_us end) {
  size_t peak = 0;
  auto count_at = [&](time_us instant) {
    size_t n = 0;
    for (auto& x : downs)
      n += x.start <= instant && instant < x.end ? 1 : 0;
    return n;
  };
  peak = count_at(start);
  for (auto& x : downs)
    if (x.start > start && x.start < end)
      peak = std::max(peak, count_at(x.start));
  return peak;
}

} // namespace

std::string detail::storage_name(uint64_t index) {
  return to_string(node_id{node_role::storage, static_cast<uint32_t>(index + 1)});
}

/// Uniform in [lo, hi], rounded down to whole milliseconds when that stays in
/// range (schedules are easier to read).
time_us detail::draw_time(prng& rng, time_us lo, time_us hi) {
  LOGSTORE_ASSERT(lo <= hi);
  auto x = lo + static_cast<time_us>(rng.below(static_cast<uint64_t>(hi - lo)
                                               + 1));
  auto rounded = x / one_ms * one_ms;
  return rounded >= lo ? rounded : x;
}

/// Uniform in [max / 10, max], to 0.001 where possible.
double detail::draw_probability(prng& rng, double max) {
  auto x = std::floor(rng.uniform(max / 10, max) * 1000) / 1000;
  return x > 0 ? x : max;
}

namespace {

using detail::draw_time;
using detail::storage_name;

/// Everything of a fault but what its action needs.
fault blank_fault(const scenario& s, fault_action action, time_us at,
                  time_us length) {
  fault f;
  f.at = at;
  f.action = action;
  f.duration = length;
  f.profile = s.network;
  return f;
}

/// A crash or pause of a storage node that keeps the limit; false when no
/// node may go down during [f.at, f.at + f.duration).
} // namespace

bool detail::pick_down_target(fault_drawing& x) {
  auto& s = x.s;
  auto& downs = x.downs;
  auto max_down = x.max_down;
  auto& rng = x.rng;
  auto& f = x.f;
  // Storage nodes keep entries in memory: a crashed node restarts empty and
  // its copies exist again only once the master has re-replicated them. So
  // a crash counts as "down" until its restart plus a repair window.
  auto end = f.at + f.duration;
  if (f.action == fault_action::crash || f.action == fault_action::disk_lost)
    end += repair_window;
  if (peak_overlap(downs, f.at, end) + 1 > max_down)
    return false;
  std::vector<std::string> candidates;
  for (uint32_t i = 0; i < s.storage_nodes; ++i) {
    auto name = storage_name(i);
    auto busy = std::any_of(downs.begin(), downs.end(), [&](auto& d) {
      return d.node == name && d.start < end && f.at < d.end;
    });
    if (!busy)
      candidates.push_back(std::move(name));
  }
  if (candidates.empty())
    return false;
  f.target = candidates[rng.below(candidates.size())];
  downs.push_back({f.target, f.at, end});
  return true;
}

detail::copy_losses detail::copy_losses_between(const scenario& s,
                                                time_us from, time_us to) {
  copy_losses out;
  std::vector<std::string> damaged;
  for (auto& f : s.faults) {
    auto lost = f.action == fault_action::disk_lost;
    auto damage = f.action == fault_action::disk_corrupt
                  || f.action == fault_action::disk_misdirect;
    if (!lost && !damage)
      continue;
    auto end = lost ? (f.duration > 0 ? f.at + f.duration + repair_window
                                      : forever)
                    : f.at + scrub_window;
    if (f.at < to && from < end) {
      out.disks_lost += lost ? 1 : 0;
      if (damage
          && std::find(damaged.begin(), damaged.end(), f.target)
               == damaged.end())
        damaged.push_back(f.target);
    }
  }
  out.damaged_nodes = static_cast<uint32_t>(damaged.size());
  return out;
}

namespace {

/// Crashes of the master already scheduled (scripted or drawn).
std::vector<down_interval> master_downs(const std::vector<fault>& faults) {
  std::vector<down_interval> result;
  for (auto& f : faults)
    if (f.action == fault_action::crash && is_master_name(f.target))
      result.push_back({f.target, f.at,
                        f.duration > 0 ? f.at + f.duration : forever});
  for (auto& f : faults) // a scripted restart ends an open-ended crash
    if (f.action == fault_action::restart
        && is_master_name(f.target))
      for (auto& d : result)
        if (d.end == forever && d.start <= f.at)
          d.end = f.at;
  return result;
}

/// A fault of a master (any of them, when there are several) that
/// overlaps no other master fault, so that one master is always there to
/// take over: a crash, a pause, or a partition that leaves it with a
/// minority of the storage nodes (and, sometimes, a client).
bool pick_master_fault(const scenario& s, prng& rng,
                       std::vector<down_interval>& downs, fault& f) {
  auto end = f.at + f.duration;
  for (auto& d : downs)
    if (d.start <= end && f.at <= d.end)
      return false;
  auto& names = s.cluster.masters;
  auto master = names.size() > 1 ? names[rng.below(names.size())]
                                 : std::string{"master"};
  if (f.action == fault_action::partition) {
    std::vector<std::string> with{master};
    std::vector<std::string> others;
    auto minority = (s.storage_nodes - 1) / 2;
    auto take = minority == 0 ? 0 : rng.below(minority + 1);
    std::vector<uint64_t> order(s.storage_nodes);
    for (uint64_t i = 0; i < order.size(); ++i)
      order[i] = i;
    for (size_t i = order.size(); i > 1; --i) // Fisher-Yates
      std::swap(order[i - 1], order[rng.below(i)]);
    for (size_t i = 0; i < order.size(); ++i)
      (i < take ? with : others).push_back(storage_name(order[i]));
    if (s.workload.clients > 1 && rng.chance(0.5))
      with.push_back(to_string(node_id{node_role::client, 1}));
    for (auto& name : names)
      if (name != master)
        others.push_back(name);
    // Clients in no group keep their links to both sides.
    f.groups = {std::move(with), std::move(others)};
  } else {
    f.target = master;
  }
  downs.push_back({master, f.at, end});
  return true;
}

/// Master plus some storage nodes against the other storage nodes.
} // namespace

void detail::pick_partition(fault_drawing& x) {
  auto& s = x.s;
  auto& rng = x.rng;
  auto& f = x.f;
  std::vector<uint64_t> order(s.storage_nodes);
  for (uint64_t i = 0; i < order.size(); ++i)
    order[i] = i;
  for (size_t i = order.size(); i > 1; --i) // Fisher-Yates
    std::swap(order[i - 1], order[rng.below(i)]);
  auto cut = s.storage_nodes == 1 ? 1 : 1 + rng.below(s.storage_nodes - 1);
  std::sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(cut));
  std::sort(order.begin() + static_cast<ptrdiff_t>(cut), order.end());
  std::vector<std::string> with_master{"master"};
  std::vector<std::string> cut_off;
  for (size_t i = 0; i < order.size(); ++i)
    (i < cut ? cut_off : with_master).push_back(storage_name(order[i]));
  f.groups = {std::move(with_master), std::move(cut_off)};
  f.one_way = rng.chance(0.25);
}

/// A storage node's links, or one storage-master / storage-storage link.
void detail::pick_links(fault_drawing& x) {
  auto& s = x.s;
  auto& rng = x.rng;
  auto& f = x.f;
  auto first = rng.below(s.storage_nodes);
  switch (rng.below(3)) {
    case 0: f.target = storage_name(first); return;
    case 1: f.between = {storage_name(first), "master"}; return;
    default: {
      if (s.storage_nodes < 2) {
        f.between = {storage_name(first), "master"};
        return;
      }
      auto second = (first + 1 + rng.below(s.storage_nodes - 1))
                    % s.storage_nodes;
      f.between = {storage_name(first), storage_name(second)};
    }
  }
}

namespace {

/// Fills in what `f.action` needs; false when it cannot be drawn now
/// (fault_kinds.cpp has each kind's draw).
bool complete_fault(const scenario& s, std::vector<down_interval>& downs,
                    size_t max_down, prng& rng, fault& f) {
  auto* draw = kind_of(f.action).draw;
  if (draw == nullptr)
    return false; // implied by durations, or scripted only
  fault_drawing x{s, downs, max_down, rng, f};
  return draw(x);
}

} // namespace

void draw_random_faults(scenario& s, prng& rng) {
  const auto& spec = s.random;
  if (!spec.enabled || spec.faults.empty())
    return;
  LOGSTORE_ASSERT(spec.duration_min > 0);
  LOGSTORE_ASSERT(spec.duration_min <= spec.duration_max);
  LOGSTORE_ASSERT(s.storage_nodes >= 1);
  auto window_end = s.duration - spec.duration_max;
  auto max_down = static_cast<size_t>(
    spec.max_crashed > 0 ? spec.max_crashed
                         : s.cluster.replication_factor - 1);
  auto downs = scheduled_downs(s.faults);
  auto master_down = master_downs(s.faults);
  auto mean_gap = static_cast<double>(spec.interval);
  auto choices = spec.faults.size() + spec.master_faults.size();
  double clock = 0;
  for (size_t i = 0; i < random_faults_max; ++i) {
    clock += rng.exponential(mean_gap);
    if (clock >= static_cast<double>(window_end))
      break;
    auto at = static_cast<time_us>(clock) / one_ms * one_ms;
    auto pick = rng.below(choices);
    bool on_master = pick >= spec.faults.size();
    auto action = on_master ? spec.master_faults[pick - spec.faults.size()]
                            : spec.faults[pick];
    auto f = blank_fault(s, action, at,
                         draw_time(rng, spec.duration_min, spec.duration_max));
    if (on_master ? pick_master_fault(s, rng, master_down, f)
                  : complete_fault(s, downs, max_down, rng, f))
      s.faults.push_back(std::move(f));
  }
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](auto& x, auto& y) { return x.at < y.at; });
  LOGSTORE_ASSERT(s.faults.empty() || s.faults.back().at < s.duration);
}

} // namespace logstore::sim
