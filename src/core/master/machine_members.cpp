// logstore — members leaving the cluster: drain, the "safe to remove"
// verdict, redundancy, and removal (`logstore drain`, `logstore remove`).
//
//   drain_req(X) -> X gets no new copies and its copies stop counting as
//   live -> its batches are under-replicated and repair copies them
//   elsewhere -> once a batch has RF verified copies without X, X's copy
//   leaves the index (then X deletes it) -> nothing needs X: safe to remove.
//
//   remove_req(X) -> refused while X is up or suspect (stop it first), while
//   it holds the only copy of a batch, or while it has not reported since a
//   master restart (the master cannot tell what it holds), unless forced ->
//   X leaves the index, the member list and the durable record; a node that
//   comes back under its name joins as a new member.
//
// Redundant: a dead or drained member whose every indexed batch also has a
// copy on an up member. Recorded, so a restarted master does not wait for
// its block report (master_restart.cpp) and reads stay complete without it.
#include "core/master/master_machine.hpp"

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

namespace {

/// What the index holds on member n, and what would be lost without it.
struct holdings {
  uint64_t batches = 0; ///< batches listing n
  uint64_t needed = 0;  ///< of them, below RF verified copies without n
  uint64_t sole = 0;    ///< of them, with no copy on another up member
  timestamp_us sole_from = INT64_MAX;
  timestamp_us sole_to = INT64_MIN;
};

holdings holdings_of(const master_state& st, node_number n, time_us now) {
  holdings out;
  st.index.for_each([&](batch_id, const batch_meta& meta) {
    if (!meta.replicas.contains(n))
      return;
    ++out.batches;
    uint32_t verified = 0;
    bool elsewhere = false;
    for (auto r : meta.replicas) {
      if (r == n)
        continue;
      verified += verified_copy(st, r, now) ? 1 : 0;
      elsewhere = elsewhere
                  || (!st.members[r].removed
                      && st.detector.state(r, now) == node_state::up);
    }
    out.needed += verified < st.cfg.replication_factor ? 1 : 0;
    if (!elsewhere) {
      ++out.sole;
      out.sole_from = std::min(out.sole_from, meta.min_ts);
      out.sole_to = std::max(out.sole_to, meta.max_ts);
    }
  });
  return out;
}

/// holdings_of for every member, in one walk of the index: a status reply
/// describes every member, and a walk per member made each reply cost
/// members x batches. Same counts: what holdings_of asks of each replica
/// (verified_copy, up and not removed) depends only on the replica and
/// `now`, so it is asked once per member here.
std::vector<holdings> holdings_of_all(const master_state& st, time_us now) {
  auto count = st.members.size();
  std::vector<holdings> out(count);
  std::vector<uint8_t> verified(count);
  std::vector<uint8_t> up(count);
  for (size_t r = 0; r < count; ++r) {
    auto n = static_cast<node_number>(r);
    verified[r] = verified_copy(st, n, now) ? 1 : 0;
    up[r] = !st.members[r].removed
            && st.detector.state(n, now) == node_state::up;
  }
  st.index.for_each([&](batch_id, const batch_meta& meta) {
    // replica_list::add refuses duplicates: each n is counted once.
    for (auto n : meta.replicas) {
      LOGSTORE_ASSERT(n < count);
      auto& h = out[n];
      ++h.batches;
      uint32_t verified_others = 0;
      bool elsewhere = false;
      for (auto r : meta.replicas) {
        if (r == n)
          continue;
        verified_others += verified[r];
        elsewhere = elsewhere || up[r] != 0;
      }
      h.needed += verified_others < st.cfg.replication_factor ? 1 : 0;
      if (!elsewhere) {
        ++h.sole;
        h.sole_from = std::min(h.sole_from, meta.min_ts);
        h.sole_to = std::max(h.sole_to, meta.max_ts);
      }
    }
  });
  return out;
}

/// Ids of the batches the index lists on member n, ascending.
std::vector<batch_id> batches_on(const master_state& st, node_number n) {
  std::vector<batch_id> ids;
  st.index.for_each([&](batch_id id, const batch_meta& meta) {
    if (meta.replicas.contains(n))
      ids.push_back(id);
  });
  return ids;
}

std::string state_name(const master_state& st, node_number n, time_us now) {
  if (st.members[n].removed)
    return "removed";
  if (st.unreported.count(st.members[n].name) > 0)
    return "unreported";
  return std::string{to_string(st.detector.state(n, now))};
}

member_status describe_member(const master_state& st, node_number n,
                              time_us now, const holdings& held) {
  auto& m = st.members[n];
  member_status out;
  out.name = m.name;
  out.address = m.address;
  out.zone = m.zone;
  out.state = state_name(st, n, now);
  out.bytes = m.bytes;
  out.draining = m.draining;
  out.batches = held.batches;
  out.needed = held.needed;
  out.sole = held.sole;
  // Removing it now loses nothing and costs no copy: no batch needs it. An
  // unreported member may hold batches nobody else knows of.
  out.safe_to_remove = held.needed == 0 && out.state != "unreported";
  return out;
}

} // namespace

member_status describe_member(const master_state& st, node_number n,
                              time_us now) {
  return describe_member(st, n, now, holdings_of(st, n, now));
}

std::vector<member_status> describe_members(const master_state& st,
                                            time_us now) {
  auto held = holdings_of_all(st, now);
  std::vector<member_status> out;
  for (size_t n = 0; n < st.members.size(); ++n)
    if (!st.members[n].removed)
      out.push_back(
        describe_member(st, static_cast<node_number>(n), now, held[n]));
  return out;
}

member_status master_machine::handle_drain(node_number n) {
  auto& m = st_.members[n];
  if (!m.draining) {
    m.draining = true;
    m.drain_done = false;
    auto ids = batches_on(st_, n);
    for (auto id : ids)
      enqueue_repair(st_, id);
    persist(); // a drain goes on after a master restart
    log(log_level::info, "drain_started",
              m.name + " is draining: it gets no new copies, and its "
                + std::to_string(ids.size())
                + " batch(es) are copied elsewhere before its copies go");
  }
  return describe_member(st_, n, now_);
}

void master_machine::drain_tick() {
  bool changed = false;
  for (size_t i = 0; i < st_.members.size(); ++i) {
    auto n = static_cast<node_number>(i);
    auto& m = st_.members[i];
    if (m.removed)
      continue;
    bool dead = st_.detector.state(n, now_) == node_state::dead
                && st_.unreported.count(m.name) == 0;
    if (m.draining) {
      // Copies confirmed after the drain began (writes in flight, late
      // store acks) land on the draining node too: queue them as well.
      auto ids = batches_on(st_, n);
      for (auto id : ids)
        enqueue_repair(st_, id);
      if (ids.empty() && !m.drain_done) {
        m.drain_done = true;
        log(log_level::info, "drain_complete",
                  m.name + " holds no batch the index needs: safe to "
                           "remove (logstore remove " + m.name + ")");
      }
    }
    bool redundant = (dead || m.drain_done)
                     && holdings_of(st_, n, now_).sole == 0;
    if (redundant != m.redundant) {
      m.redundant = redundant;
      changed = true;
    }
  }
  if (changed)
    persist();
}

answer master_machine::handle_remove(const remove_req& req) {
  auto found = st_.number_of(req.node);
  if (!found)
    return error_answer{errc::malformed_request,
                        "no member named " + req.node
                          + " (logstore status lists the members)"};
  auto n = *found;
  auto& m = st_.members[n];
  auto refuse = [](std::string text) -> answer {
    return error_answer{errc::precondition_failed, std::move(text)};
  };
  bool unreported = st_.unreported.count(m.name) > 0;
  if (!unreported && st_.detector.state(n, now_) != node_state::dead)
    return refuse(m.name + " is " + state_name(st_, n, now_)
                  + ": stop it first (after `logstore drain " + m.name
                  + "` if its copies should move), then remove it once "
                    "the master has declared it dead");
  if (unreported && !req.force)
    return refuse(m.name + " has not reported since the master restarted, "
                  "so the master cannot tell what it holds: start it so it "
                  "reports (then drain it), or pass --force to declare "
                  "whatever only it holds lost");
  auto held = holdings_of(st_, n, now_);
  if (held.sole > 0 && !req.force)
    return refuse(m.name + " holds the only copy of "
                  + std::to_string(held.sole) + " batch(es) (entries from ts "
                  + std::to_string(held.sole_from) + " to "
                  + std::to_string(held.sole_to)
                  + "): start it again so they can be copied (logstore "
                    "drain " + m.name + "), or pass --force to give them up");
  auto out = describe_member(st_, n, now_);
  out.state = "removed";
  auto ids = batches_on(st_, n);
  for (auto id : ids) {
    st_.index.find(id)->replicas.remove(n);
    enqueue_repair(st_, id);
  }
  m.removed = true;
  m.draining = false;
  m.dead_since = -1;
  m.dead_scanned = true;
  st_.member_numbers.erase(m.name);
  emit(fx::forget_peer{m.name});
  log(held.sole > 0 || unreported ? log_level::warn
                                                        : log_level::info,
            "member_removed",
            m.name + " removed by an operator" + (req.force ? " (--force)" : "")
              + ": " + std::to_string(ids.size())
              + " copy(ies) forgotten"
              + (held.sole > 0 ? ", " + std::to_string(held.sole)
                                   + " batch(es) given up (no copy left)"
                               : std::string{})
              + (unreported ? "; whatever it held and never reported is "
                              "declared lost"
                            : std::string{}));
  member_reported(m.name); // no longer awaited either
  persist();
  return out;
}

} // namespace logstore
