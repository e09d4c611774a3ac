// logstore — the master's read path: find overlapping batches in the index,
// fetch each from one live replica (grouped per node), fall back to another
// replica when one fails, merge. See master_actor.hpp and core/read_plan.hpp.
#include "actors/master_state.hpp"

#include <caf/all.hpp>

namespace logstore {

namespace {

void send_fetches(caf::event_based_actor* self, const master_ptr& st,
                  uint64_t read_id, read_plan::groups groups);

void maybe_deliver(const master_ptr& st, uint64_t read_id) {
  auto i = st->pending_reads.find(read_id);
  if (i == st->pending_reads.end() || !i->second.plan->done())
    return;
  auto result = i->second.plan->finish();
  auto window = i->second.plan->window();
  if (window.from < st->expired_before)
    result.expired_before = st->expired_before;
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
    log_event(self, st->ctx, log_level::info, "fetch_not_found",
              st->members[node].name + " lacks "
                + std::to_string(result.not_found.size())
                + " batch(es) the index lists there (lost with a crash?); "
                  "asking another replica");
  auto more = i->second.plan->on_result(node, std::move(result.slices),
                                        result.not_found);
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
  send_fetches(self, st, read_id, pr.plan->start());
  maybe_deliver(st, read_id);
}

} // namespace logstore
