// logstore — the master's read path: a read plan from the index, and the
// check of copies a client found missing (docs/protocol.md, "Read path").
// The master never fetches or merges entries: the client does
// (core/client/read_session.hpp), so no entry byte of a read crosses it.
#include "core/master/master_machine.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace logstore {

void master_machine::forget_missing_copies(node_number node,
                                           const std::vector<batch_id>& ids) {
  uint64_t dropped = 0;
  for (auto id : ids)
    if (auto* meta = st_.index.find(id); meta && meta->replicas.remove(node)) {
      enqueue_repair(st_, id);
      ++dropped;
    }
  if (dropped > 0)
    log(log_level::warn, "copies_missing",
        st_.members[node].name + " confirmed it lacks "
          + std::to_string(dropped)
          + " batch(es) the index placed on it (a reader found them "
            "missing); dropped from the index and queued for "
            "re-replication");
}

/// The node's own answer to the check: what it lists in not_found is gone
/// (lost with a crash, or damaged and never served), so the index stops
/// listing it there and repair makes a new copy. Batches the check did not
/// ask about are ignored.
void master_machine::on_check_result(node_number node,
                                     const std::vector<batch_id>& asked,
                                     const fetch_result& result) {
  std::vector<batch_id> gone;
  for (auto id : result.not_found)
    if (std::find(asked.begin(), asked.end(), id) != asked.end())
      gone.push_back(id);
  if (!gone.empty())
    forget_missing_copies(node, gone);
}

void master_machine::on_missing_copies(const missing_copies& hint, time_us now,
                                       effects& out) {
  begin(now, out);
  auto m = st_.member_numbers.find(hint.node);
  if (m == st_.member_numbers.end() || st_.members[m->second].removed)
    return end();
  auto node = m->second;
  // Only copies the index still lists there, and a bounded number per hint
  // (network input): the rest come with the next read that misses them.
  constexpr size_t check_max = 4096;
  std::vector<batch_id> ids;
  for (auto id : hint.batches) {
    if (ids.size() >= check_max)
      break;
    if (auto* meta = st_.index.find(id);
        meta != nullptr && meta->replicas.contains(node)
        && std::find(ids.begin(), ids.end(), id) == ids.end())
      ids.push_back(id);
  }
  if (ids.empty())
    return end();
  // A fetch of an empty window: a held batch comes back as an empty slice,
  // a missing one in not_found; no entry is sent.
  // An empty (inverted) window: the node lists what it lacks and sends no
  // frame, so no entry crosses the master.
  constexpr auto hi = std::numeric_limits<timestamp_us>::max();
  constexpr auto lo = std::numeric_limits<timestamp_us>::min();
  outstanding_request what;
  what.what = outstanding_request::kind::check_copies;
  what.node = node;
  what.ids = ids;
  request(node, fetch_req{std::move(ids), hi, lo},
          st_.cfg.fetch_timeout, std::move(what));
  end();
}

void master_machine::on_read_plan(uint64_t token, const read_plan_req& req,
                                  time_us now, effects& out) {
  begin(now, out);
  if (refuse_without_lease(token))
    return end();
  if (req.from > req.to) {
    emit(fx::reply{token, error_answer{errc::malformed_request,
                                       "inverted range: from > to"}});
    return end();
  }
  time_range window{req.from, req.to};
  read_plan_reply plan;
  plan.epoch = st_.epoch;
  plan.fetch_timeout = st_.cfg.fetch_timeout;
  if (window.from < st_.expired_before)
    plan.expired_before = st_.expired_before;
  // A member that has not reported since the restart may hold batches the
  // index lacks, anywhere in time: the client must not call the read
  // complete (and while rebuilding, the index is not worth a plan).
  plan.unreported.assign(st_.unreported.begin(), st_.unreported.end());
  if (st_.rebuilding && plan.unreported.empty()) {
    // Every member reported, but the rebuilt index is not in force yet
    // (maybe_end_rebuild): an empty plan would claim a complete read.
    emit(fx::reply{token, error_answer{errc::unavailable,
                                       "the master is finishing the rebuild "
                                       "of its index; retry shortly"}});
    return end();
  }
  if (st_.rebuilding) {
    emit(fx::reply{token, std::move(plan)});
    return end();
  }
  // Reads may try suspect nodes (they often answer); never dead ones. The
  // node table is in member order, so the client's ties (the least loaded
  // replica, then the lowest number) fall as the member numbers do.
  auto ids = st_.index.overlapping(window);
  std::map<node_number, uint32_t> slot;
  for (auto id : ids)
    for (auto n : st_.index.find(id)->replicas)
      if (st_.detector.state(n, now_) != node_state::dead)
        slot.emplace(n, 0);
  // Open placements (direct writes): any id not committed yet may be an
  // acknowledged batch anywhere in time, held by write_quorum of the
  // placement's replicas.
  for (auto& [first, p] : st_.placements)
    if (p.answered() && p.committed_below < p.end())
      for (auto n : p.replicas)
        if (st_.detector.state(n, now_) != node_state::dead)
          slot.emplace(n, 0);
  for (auto& [n, i] : slot) {
    i = static_cast<uint32_t>(plan.nodes.size());
    plan.nodes.push_back({st_.members[n].name, st_.members[n].address});
  }
  plan.batches.reserve(ids.size());
  for (auto id : ids) {
    auto* meta = st_.index.find(id);
    planned_batch b;
    b.batch = id;
    b.min_ts = meta->min_ts;
    b.max_ts = meta->max_ts;
    for (auto n : meta->replicas)
      if (auto i = slot.find(n); i != slot.end())
        b.replicas.push_back(i->second);
    plan.batches.push_back(std::move(b));
  }
  auto quorum = st_.cfg.effective_write_quorum();
  for (auto& [first, p] : st_.placements) {
    if (!p.answered() || p.committed_below >= p.end())
      continue;
    open_span span;
    span.first = p.committed_below;
    span.count = static_cast<uint32_t>(p.end() - p.committed_below);
    for (auto n : p.replicas)
      if (auto i = slot.find(n); i != slot.end())
        span.replicas.push_back(i->second);
    span.need = p.replicas.size() >= quorum
                  ? static_cast<uint32_t>(p.replicas.size() - quorum + 1)
                  : 1;
    plan.open.push_back(std::move(span));
  }

  emit(fx::reply{token, std::move(plan)});
  end();
}

} // namespace logstore
