// logstore — the fault kinds, one entry each (fault_kinds.hpp).
// Layer: sim (scenario library, no CAF).
#include "scenario/fault_kinds.hpp"

#include "core/base/assert.hpp"
#include "core/base/node_role.hpp"

#include <algorithm>

namespace logstore::sim {

namespace {

using detail::fault_drawing;
using detail::fault_reading;

constexpr time_us link_latency_max = 60'000'000;
constexpr time_us disk_latency_max = 60'000'000;
constexpr time_us clock_step_max = 3'600'000'000; // an hour

// -- reading: what several kinds share ---------------------------------------

void read_node_target(fault_reading& x, const char* example) {
  x.r.require("target", example);
  detail::read_target(x);
}

/// crash and restart: a storage node, or the master when it has a disk.
void read_crash(fault_reading& x) {
  read_node_target(x, "\"storage-1\"");
  auto& r = x.r;
  auto& target = x.f.value.target;
  // A restarted client would reuse its sequence numbers; a restarted
  // master needs its record on disk.
  if (r.context().ok() && is_client_name(target))
    r.fail("target", "clients cannot crash or restart: a restarted "
                     "client would reuse its (client, seq) numbers; use "
                     "pause or a partition to take it away");
  if (r.context().ok() && is_master_name(target) && !x.s.disk.durable)
    r.fail("target", "the master can crash only with [disk] mode = "
                     "\"durable\": its record (epoch, batch ids, members, "
                     "failures) lives on disk");
}

void read_any_target(fault_reading& x) {
  read_node_target(x, "\"storage-1\"");
}

void read_join(fault_reading& x) {
  read_node_target(x, "\"storage-6\"");
  auto& r = x.r;
  if (r.context().ok() && !x.s.is_spare(x.f.value.target))
    r.fail("target", "'" + x.f.value.target
                       + "' is not a spare node; set [cluster] "
                         "spare_nodes and join storage-"
                       + std::to_string(x.s.storage_nodes + 1) + " ..");
}

/// drain and the disk faults: a storage node (disk faults: with a disk).
void read_storage_target(fault_reading& x) {
  read_node_target(x, "\"storage-1\"");
  auto& r = x.r;
  if (r.context().ok() && !is_storage_name(x.f.value.target))
    r.fail("target", "only storage nodes can be drained or have disk "
                     "faults");
  if (r.context().ok() && x.f.value.action != fault_action::drain
      && !x.s.disk.durable)
    r.fail("action", "disk faults need [disk] mode = \"durable\"");
}

/// latency, loss and duplicate: every link of target, or one link.
void read_links(fault_reading& x) {
  auto& r = x.r;
  if (r.has("target") && r.has("between"))
    r.fail("between", "give either target (every link of one node) or "
                      "between (one link), not both");
  if (!r.has("target") && !r.has("between"))
    r.fail("action", "needs the links to change; add target = "
                     "\"storage-1\" or between = [\"storage-1\", "
                     "\"master\"]");
  detail::read_target(x);
  detail::read_between(x);
}

void read_nothing(fault_reading&) {
}

// -- reading: one per kind with values ------------------------------------------

void read_slow(fault_reading& x) {
  read_any_target(x);
  x.r.require("extra_latency", "\"100ms\"");
  x.r.duration("extra_latency", x.f.value.extra_latency, 1, link_latency_max);
}

void read_latency(fault_reading& x) {
  read_links(x);
  auto& p = x.f.value.profile;
  x.r.require("latency", "\"200ms\"");
  x.r.duration("latency", p.latency, 0, link_latency_max);
  p.jitter = 0;
  x.r.duration("jitter", p.jitter, 0, link_latency_max);
}

void read_loss(fault_reading& x) {
  read_links(x);
  x.r.require("loss", "\"20%\"");
  x.r.probability("loss", x.f.value.value);
  x.f.value.profile.loss = x.f.value.value;
}

void read_duplicate(fault_reading& x) {
  read_links(x);
  x.r.require("duplicate", "\"10%\"");
  x.r.probability("duplicate", x.f.value.value);
  x.f.value.profile.duplicate = x.f.value.value;
}

void read_disk_slow(fault_reading& x) {
  read_storage_target(x);
  x.r.require("latency", "\"50ms\"");
  x.r.duration("latency", x.f.value.profile.latency, 0, disk_latency_max);
}

/// clock: a master or a storage node (clients record the history; their
/// clock is the observer's), a signed step and/or a signed drift.
void read_clock(fault_reading& x) {
  read_node_target(x, "\"storage-1\"");
  auto& r = x.r;
  auto& f = x.f.value;
  if (r.context().ok() && is_client_name(f.target))
    r.fail("target", "a client's clock is the history's clock and cannot be "
                     "wrong; give a master or a storage node");
  if (!r.has("step") && !r.has("drift"))
    r.fail("action", "needs step = \"+2s\" (the clock jumps) and/or "
                     "drift = \"+50%\" (it runs fast; \"-30%\": slow)");
  auto signed_text = [&](std::string_view key, std::string& body) {
    std::string text;
    r.text(key, text);
    if (!r.context().ok() || !r.has(key))
      return 0;
    if (text.empty() || (text[0] != '+' && text[0] != '-')) {
      r.fail(key, "\"" + text + "\" has no sign; write e.g. \"+" + text
                    + "\" or \"-" + text + "\"");
      return 0;
    }
    body = text.substr(1);
    return text[0] == '-' ? -1 : 1;
  };
  std::string body;
  if (auto sign = signed_text("step", body); sign < 0) {
    r.fail("step", "a node's clock is a steady clock and never steps back "
                   "(logstore measures durations only, never the wall "
                   "clock); write a forward step such as \"+" + body
                     + "\", or a negative drift to slow the clock");
  } else if (sign > 0) {
    auto d = parse_duration(body);
    if (!d || *d > clock_step_max)
      r.fail("step", "\"" + body + "\" is not a step of at most "
                       + format_duration(clock_step_max)
                       + "; write e.g. \"+2s\" or \"-500ms\"");
    else
      f.clock_step = sign * *d;
  }
  if (auto sign = signed_text("drift", body); sign != 0) {
    auto p = parse_percentage(body);
    if (!p || (sign < 0 && *p > 0.9))
      r.fail("drift", "\"" + body + "\" is not a drift from -90% to +100%; "
                       "write e.g. \"+50%\" (runs 1.5x fast) or \"-30%\"");
    else
      f.clock_drift_ppm = sign * static_cast<int64_t>(*p * 1e6 + 0.5);
  }
}

// -- drawing for the swarm ------------------------------------------------------

time_us draw_link_latency(fault_drawing& x) {
  auto max = x.s.random.latency_max;
  return detail::draw_time(x.rng, std::max<time_us>(1, max / 10), max);
}

std::string any_storage(fault_drawing& x) {
  return detail::storage_name(x.rng.below(x.s.storage_nodes));
}

bool draw_down(fault_drawing& x) {
  return detail::pick_down_target(x);
}

bool draw_slow(fault_drawing& x) {
  x.f.target = any_storage(x);
  x.f.extra_latency = draw_link_latency(x);
  return true;
}

bool draw_partition(fault_drawing& x) {
  detail::pick_partition(x);
  return true;
}

bool draw_latency(fault_drawing& x) {
  detail::pick_links(x);
  x.f.profile.latency = draw_link_latency(x);
  x.f.profile.jitter = x.f.profile.latency / 4 / 1000 * 1000;
  return true;
}

bool draw_loss(fault_drawing& x) {
  detail::pick_links(x);
  x.f.value = detail::draw_probability(x.rng, x.s.random.loss_max);
  x.f.profile.loss = x.f.value;
  return true;
}

bool draw_duplicate(fault_drawing& x) {
  detail::pick_links(x);
  x.f.value = detail::draw_probability(x.rng, x.s.random.loss_max);
  x.f.profile.duplicate = x.f.value;
  return true;
}

/// disk-corrupt and disk-misdirect happen at an instant. Not while so many
/// disks are lost or damaged (each damaged node counts: see copy_losses)
/// that the damaged copy might be the last one.
bool draw_disk_instant(fault_drawing& x) {
  if (!x.s.disk.durable)
    return false;
  auto c = detail::copy_losses_between(x.s, x.f.at,
                                       x.f.at + detail::scrub_window);
  if (c.with_one_more() > x.s.cluster.replication_factor - 1)
    return false;
  x.f.target = any_storage(x);
  x.f.duration = 0;
  return true;
}

bool draw_disk_full(fault_drawing& x) {
  if (!x.s.disk.durable)
    return false;
  x.f.target = any_storage(x);
  return true;
}

bool draw_disk_slow(fault_drawing& x) {
  if (!x.s.disk.durable)
    return false;
  x.f.target = any_storage(x);
  x.f.profile.latency = draw_link_latency(x);
  return true;
}

/// A lost disk destroys every copy on it: at most replication_factor - 1
/// nodes' copies gone at once, counting lost disks and every node with
/// damage the scrub may not have found yet.
bool draw_disk_lost(fault_drawing& x) {
  if (!x.s.disk.durable)
    return false;
  auto end = x.f.at + x.f.duration + detail::repair_window;
  auto c = detail::copy_losses_between(x.s, x.f.at, end);
  if (c.with_one_more() > x.s.cluster.replication_factor - 1)
    return false;
  return detail::pick_down_target(x);
}

/// A master or a storage node whose clock steps forward by up to 3 s
/// (half the time) and runs from 20% slow to 100% fast: far worse than a
/// real oscillator, within what the failover bound allows (a standby whose
/// clock runs 50% slow waits twice its timeout; scenarios/34 shows it).
bool draw_clock(fault_drawing& x) {
  auto& masters = x.s.cluster.masters;
  auto nodes = x.s.storage_nodes + std::max<size_t>(masters.size(), 1);
  auto pick = x.rng.below(nodes);
  x.f.target = pick < x.s.storage_nodes ? detail::storage_name(pick)
               : masters.empty()        ? std::string{"master"}
                                        : masters[pick - x.s.storage_nodes];
  if (x.rng.chance(0.5))
    x.f.clock_step = static_cast<time_us>(x.rng.below(3'000)) * 1'000;
  x.f.clock_drift_ppm = (static_cast<int64_t>(x.rng.below(121)) - 20) * 10'000;
  if (x.f.clock_drift_ppm == 0 && x.f.clock_step == 0)
    x.f.clock_step = 1'000'000; // a clock fault changes something
  return true;
}

// -- plain words ----------------------------------------------------------------

void describe_latency(const fault& f, std::string& out) {
  out += " " + std::to_string(f.profile.latency / 1000) + "ms";
}

void describe_percent(const fault& f, std::string& out) {
  out += " " + std::to_string(static_cast<int>(f.value * 100)) + "%";
}

void describe_slow(const fault& f, std::string& out) {
  out += " +" + std::to_string(f.extra_latency / 1000) + "ms";
}

void describe_clock(const fault& f, std::string& out) {
  if (f.clock_step != 0)
    out += " " + clock_step_text(f.clock_step);
  if (f.clock_drift_ppm != 0)
    out += " drift " + clock_drift_text(f.clock_drift_ppm);
}

using ts = timeline_state;

std::vector<fault_kind> make_kinds() {
  // clang-format off
  return {
    {fault_action::crash, "crash", {"target", "duration"},
     true, ts::up, ts::crashed, read_crash, draw_down, nullptr},
    {fault_action::restart, "restart", {"target"},
     true, ts::crashed, ts::up, read_crash, nullptr, nullptr},
    {fault_action::pause, "pause", {"target", "duration"},
     true, ts::up, ts::paused, read_any_target, draw_down, nullptr},
    {fault_action::resume, "resume", {"target"},
     true, ts::paused, ts::up, read_any_target, nullptr, nullptr},
    {fault_action::slow, "slow", {"target", "extra_latency", "duration"},
     false, ts::up, ts::up, read_slow, draw_slow, describe_slow},
    {fault_action::partition, "partition", {"groups", "one_way", "duration"},
     false, ts::up, ts::up, detail::read_groups, draw_partition, nullptr},
    {fault_action::heal, "heal", {},
     false, ts::up, ts::up, read_nothing, nullptr, nullptr},
    {fault_action::latency, "latency",
     {"target", "between", "latency", "jitter", "duration"},
     false, ts::up, ts::up, read_latency, draw_latency, describe_latency},
    {fault_action::loss, "loss", {"target", "between", "loss", "duration"},
     false, ts::up, ts::up, read_loss, draw_loss, describe_percent},
    {fault_action::duplicate, "duplicate",
     {"target", "between", "duplicate", "duration"},
     false, ts::up, ts::up, read_duplicate, draw_duplicate, describe_percent},
    {fault_action::join, "join", {"target"},
     true, ts::crashed, ts::up, read_join, nullptr, nullptr},
    {fault_action::drain, "drain", {"target"},
     false, ts::up, ts::up, read_storage_target, nullptr, nullptr},
    {fault_action::disk_corrupt, "disk-corrupt", {"target"},
     false, ts::up, ts::up, read_storage_target, draw_disk_instant, nullptr},
    {fault_action::disk_misdirect, "disk-misdirect", {"target"},
     false, ts::up, ts::up, read_storage_target, draw_disk_instant, nullptr},
    {fault_action::disk_full, "disk-full", {"target", "duration"},
     false, ts::up, ts::up, read_storage_target, draw_disk_full, nullptr},
    {fault_action::disk_slow, "disk-slow", {"target", "latency", "duration"},
     false, ts::up, ts::up, read_disk_slow, draw_disk_slow, nullptr},
    {fault_action::disk_lost, "disk-lost", {"target", "duration"},
     true, ts::up, ts::crashed, read_storage_target, draw_disk_lost, nullptr},
    {fault_action::clock, "clock", {"target", "step", "drift", "duration"},
     false, ts::up, ts::up, read_clock, draw_clock, describe_clock},
  };
  // clang-format on
}

} // namespace

std::string clock_step_text(time_us step) {
  return (step < 0 ? "-" : "+") + format_duration(step < 0 ? -step : step);
}

std::string clock_drift_text(int64_t ppm) {
  auto a = ppm < 0 ? -ppm : ppm;
  auto text = std::to_string(a / 10'000);
  if (auto frac = a % 10'000; frac != 0) {
    auto digits = std::to_string(10'000 + frac).substr(1); // 4 digits
    while (digits.back() == '0')
      digits.pop_back();
    text += "." + digits;
  }
  return (ppm < 0 ? "-" : "+") + text + "%";
}

const std::vector<fault_kind>& fault_kinds() {
  static const std::vector<fault_kind> kinds = [] {
    auto xs = make_kinds();
    for (size_t i = 0; i < xs.size(); ++i)
      LOGSTORE_ASSERT(static_cast<size_t>(xs[i].action) == i);
    return xs;
  }();
  return kinds;
}

const fault_kind& kind_of(fault_action x) {
  auto& kinds = fault_kinds();
  auto i = static_cast<size_t>(x);
  LOGSTORE_ASSERT(i < kinds.size());
  return kinds[i];
}

std::string_view to_string(fault_action x) {
  return kind_of(x).name;
}

bool from_string(std::string_view str, fault_action& x) {
  for (auto& k : fault_kinds())
    if (k.name == str) {
      x = k.action;
      return true;
    }
  return false;
}

std::string describe_fault(const fault& f) {
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
  if (auto* more = kind_of(f.action).describe)
    more(f, out);
  if (f.duration > 0)
    out += " for " + std::to_string(f.duration / 1000) + "ms";
  return out;
}

} // namespace logstore::sim
