// logstore — the master's read path: find overlapping batches in the index,
// fetch each from one live replica (grouped per node), fall back to another
// replica when one fails, merge (docs/protocol.md, "Read path";
// core/master/read_plan.hpp).
#include "core/master/master_machine.hpp"

namespace logstore {

/// A node answered a fetch without batches the index lists on it: the copy
/// is gone (lost with a crash, or damaged and never served). The index
/// stops listing it there and repair makes a new copy, so status counts it
/// as under-replicated instead of trusting a copy that is not there.
void master_machine::forget_missing_copies(node_number node,
                                           const std::vector<batch_id>& ids) {
  uint64_t dropped = 0;
  for (auto id : ids)
    if (auto* meta = st_.index.find(id); meta && meta->replicas.remove(node)) {
      enqueue_repair(st_, id);
      ++dropped;
    }
  log(log_level::warn, "fetch_not_found",
      st_.members[node].name + " lacks " + std::to_string(ids.size())
        + " batch(es) a read asked it for; " + std::to_string(dropped)
        + " copy(ies) dropped from the index and queued for "
          "re-replication; asking another replica");
}

void master_machine::maybe_deliver(uint64_t read_id) {
  auto i = st_.pending_reads.find(read_id);
  if (i == st_.pending_reads.end() || !i->second.plan->done())
    return;
  auto result = i->second.plan->finish();
  auto window = i->second.plan->window();
  if (window.from < st_.expired_before)
    result.expired_before = st_.expired_before;
  if (!i->second.unreported.empty()) {
    // A member that had not reported since the restart when the read was
    // planned may hold batches the plan lacks, anywhere in time: vouch for
    // nothing.
    result.complete = false;
    result.missing.assign(1, window);
    result.unreported = std::move(i->second.unreported);
  }
  emit(fx::reply{i->second.token, std::move(result)});
  st_.pending_reads.erase(i);
}

void master_machine::on_fetch_result(uint64_t read_id, uint64_t fetch,
                                     node_number node, fetch_result& result) {
  auto i = st_.pending_reads.find(read_id);
  if (i == st_.pending_reads.end())
    return;
  if (!result.not_found.empty())
    forget_missing_copies(node, result.not_found);
  auto malformed = i->second.plan->malformed();
  auto more = i->second.plan->on_result(fetch, std::move(result.slices),
                                        result.not_found);
  if (i->second.plan->malformed() > malformed)
    log(log_level::error, "fetch_malformed",
        st_.members[node].name + " sent "
          + std::to_string(i->second.plan->malformed() - malformed)
          + " slice(s) that are unsorted or outside the batch or the "
            "window; never merged, asked elsewhere");
  send_fetches(read_id, std::move(more));
  maybe_deliver(read_id);
}

void master_machine::on_fetch_failure(uint64_t read_id, uint64_t fetch,
                                      node_number node, errc code) {
  auto i = st_.pending_reads.find(read_id);
  if (i == st_.pending_reads.end())
    return;
  if (code == errc::timeout)
    emit(fx::forget_peer{st_.members[node].name});
  log(log_level::info, "fetch_failed",
      st_.members[node].name + " did not answer a fetch ("
        + std::string{to_string(code)} + "); falling back to other replicas");
  auto more = i->second.plan->on_failure(fetch);
  send_fetches(read_id, std::move(more));
  maybe_deliver(read_id);
}

void master_machine::send_fetches(uint64_t read_id, read_plan::groups groups) {
  auto i = st_.pending_reads.find(read_id);
  if (i == st_.pending_reads.end())
    return;
  auto window = i->second.plan->window();
  for (auto& f : groups) {
    outstanding_request what;
    what.what = outstanding_request::kind::fetch;
    what.read = read_id;
    what.fetch = f.id;
    what.node = f.node;
    request(f.node, fetch_req{std::move(f.batches), window.from, window.to},
            st_.cfg.fetch_timeout, std::move(what));
  }
}

void master_machine::on_read(uint64_t token, const read_req& req, time_us now,
                             effects& out) {
  begin(now, out);
  if (refuse_inactive(token))
    return end();
  if (req.from > req.to) {
    emit(fx::reply{token, error_answer{errc::malformed_request,
                                       "inverted range: from > to"}});
    return end();
  }
  time_range window{req.from, req.to};
  if (st_.rebuilding) {
    // Not every member has reported since the restart: the index may lack
    // batches, so say "incomplete" rather than lie.
    read_result partial;
    partial.complete = false;
    partial.missing.push_back(window);
    if (window.from < st_.expired_before)
      partial.expired_before = st_.expired_before;
    partial.unreported.assign(st_.unreported.begin(), st_.unreported.end());
    emit(fx::reply{token, std::move(partial)});
    return end();
  }
  std::vector<read_plan::batch_ref> refs;
  for (auto id : st_.index.overlapping(window)) {
    auto* meta = st_.index.find(id);
    refs.push_back({id, meta->min_ts, meta->max_ts, meta->replicas});
  }
  // Reads may try suspect nodes (they often answer); never dead ones. The
  // plan asks later too: with the time of the step that asks.
  auto is_live = [this](node_number n) {
    return st_.detector.state(n, now_) != node_state::dead;
  };
  auto read_id = st_.next_read++;
  auto& pr = st_.pending_reads[read_id];
  pr.plan = std::make_unique<read_plan>(window, std::move(refs), is_live);
  pr.token = token;
  pr.unreported.assign(st_.unreported.begin(), st_.unreported.end());
  send_fetches(read_id, pr.plan->start());
  maybe_deliver(read_id);
  end();
}

} // namespace logstore
