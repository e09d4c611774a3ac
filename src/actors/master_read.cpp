// logstore — the master's read path: find overlapping batches in the index,
// fetch each from one live replica (grouped per node), fall back to another
// replica when one fails, merge. See master_actor.hpp and core/master/read_plan.hpp.
#include "actors/master_state.hpp"

#include <caf/all.hpp>

namespace logstore {

namespace {

void send_fetches(caf::event_based_actor* self, const master_ptr& st,
                  uint64_t read_id, read_plan::groups groups);

/// A node answered a fetch without batches the index lists on it: the copy
/// is gone (lost with a crash, or damaged and never served). The index
/// stops listing it there and repair makes a new copy, so status counts it
/// as under-replicated instead of trusting a copy that is not there.
void forget_missing_copies(caf::event_based_actor* self, const master_ptr& st,
                           node_number node, const std::vector<batch_id>& ids) {
  uint64_t dropped = 0;
  for (auto id : ids)
    if (auto* meta = st->index.find(id); meta && meta->replicas.remove(node)) {
      enqueue_repair(*st, id);
      ++dropped;
    }
  log_event(self, st->ctx, log_level::warn, "fetch_not_found",
            st->members[node].name + " lacks " + std::to_string(ids.size())
              + " batch(es) a read asked it for; "
              + std::to_string(dropped)
              + " copy(ies) dropped from the index and queued for "
                "re-replication; asking another replica");
}

void maybe_deliver(const master_ptr& st, uint64_t read_id) {
  auto i = st->pending_reads.find(read_id);
  if (i == st->pending_reads.end() || !i->second.plan->done())
    return;
  auto result = i->second.plan->finish();
  auto window = i->second.plan->window();
  if (window.from < st->expired_before)
    result.expired_before = st->expired_before;
  if (!i->second.unreported.empty()) {
    // A member that had not reported since the restart when the read was
    // planned may hold batches the plan lacks, anywhere in time: vouch for
    // nothing.
    result.complete = false;
    result.missing.assign(1, window);
    result.unreported = std::move(i->second.unreported);
  }
  i->second.promise.deliver(std::move(result));
  st->pending_reads.erase(i);
}

void on_fetch_result(caf::event_based_actor* self, const master_ptr& st,
                     uint64_t read_id, node_number node,
                     fetch_result& result) {
  auto i = st->pending_reads.find(read_id);
  if (i == st->pending_reads.end())
    return;
  if (!result.not_found.empty())
    forget_missing_copies(self, st, node, result.not_found);
  auto malformed = i->second.plan->malformed();
  auto more = i->second.plan->on_result(node, std::move(result.slices),
                                        result.not_found);
  if (i->second.plan->malformed() > malformed)
    log_event(self, st->ctx, log_level::error, "fetch_malformed",
              st->members[node].name + " sent "
                + std::to_string(i->second.plan->malformed() - malformed)
                + " slice(s) that are unsorted or outside the batch or the "
                  "window; never merged, asked elsewhere");
  send_fetches(self, st, read_id, std::move(more));
  maybe_deliver(st, read_id);
}

void on_fetch_failure(caf::event_based_actor* self, const master_ptr& st,
                      uint64_t read_id, node_number node, errc code) {
  auto i = st->pending_reads.find(read_id);
  if (i == st->pending_reads.end())
    return;
  if (code == errc::timeout)
    st->peers.forget(st->members[node].name);
  log_event(self, st->ctx, log_level::info, "fetch_failed",
            st->members[node].name + " did not answer a fetch ("
              + std::string{to_string(code)}
              + "); falling back to other replicas");
  auto more = i->second.plan->on_failure(node);
  send_fetches(self, st, read_id, std::move(more));
  maybe_deliver(st, read_id);
}

void send_fetches(caf::event_based_actor* self, const master_ptr& st,
                  uint64_t read_id, read_plan::groups groups) {
  auto i = st->pending_reads.find(read_id);
  if (i == st->pending_reads.end())
    return;
  auto window = i->second.plan->window();
  auto timeout = st->cfg.fetch_timeout;
  for (auto& [node, ids] : groups) {
    fetch_req req{std::move(ids), window.from, window.to};
    auto n = node;
    st->peers.with_peer(
      self, st->ctx.directory, st->members[n].name, timeout,
      [self, st, read_id, n, timeout, req](const caf::actor& peer) {
        self->request(peer, span_us(timeout), req)
          .then(
            [self, st, read_id, n](fetch_result& result) {
              on_fetch_result(self, st, read_id, n, result);
            },
            [self, st, read_id, n](caf::error& err) {
              on_fetch_failure(self, st, read_id, n, to_errc(err));
            });
      },
      [self, st, read_id, n](errc code) {
        on_fetch_failure(self, st, read_id, n, code);
      });
  }
}

} // namespace

void handle_read(caf::event_based_actor* self, const master_ptr& st,
                 const read_req& req, caf::response_promise rp) {
  if (req.from > req.to) {
    rp.deliver(make_error(errc::malformed_request,
                          "inverted range: from > to"));
    return;
  }
  time_range window{req.from, req.to};
  if (st->rebuilding) {
    // Not every member has reported since the restart: the index may lack
    // batches, so say "incomplete" rather than lie.
    read_result partial;
    partial.complete = false;
    partial.missing.push_back(window);
    if (window.from < st->expired_before)
      partial.expired_before = st->expired_before;
    partial.unreported.assign(st->unreported.begin(), st->unreported.end());
    rp.deliver(std::move(partial));
    return;
  }
  std::vector<read_plan::batch_ref> refs;
  for (auto id : st->index.overlapping(window)) {
    auto* meta = st->index.find(id);
    refs.push_back({id, meta->min_ts, meta->max_ts, meta->replicas});
  }
  // Reads may try suspect nodes (they often answer); never dead ones.
  auto is_live = [self, st](node_number n) {
    return st->detector.state(n, now_us(self)) != node_state::dead;
  };
  auto read_id = st->next_read++;
  auto& pr = st->pending_reads[read_id];
  pr.plan = std::make_unique<read_plan>(window, std::move(refs), is_live);
  pr.promise = std::move(rp);
  pr.unreported.assign(st->unreported.begin(), st->unreported.end());
  send_fetches(self, st, read_id, pr.plan->start());
  maybe_deliver(st, read_id);
}

} // namespace logstore
