// logstore — storage node actor.
#include "actors/storage_actor.hpp"

#include "core/assert.hpp"
#include "core/entry_store.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <limits>
#include <memory>

namespace logstore {

namespace {

struct storage_state {
  storage_options opts;
  node_context ctx;
  entry_store store;
  peer_cache peers;
  bool joined = false;
  time_us heartbeat_interval = 500'000;
  time_us join_delay = 0;
  uint64_t epoch = 0;
};

using state_ptr = std::shared_ptr<storage_state>;

void try_join(caf::event_based_actor* self, const state_ptr& st) {
  auto on_fail = [self, st](errc code) {
    st->peers.forget(st->opts.master);
    log_event(self, st->ctx, log_level::warn, "join_failed",
              "could not join " + st->opts.master + " ("
                + std::string{to_string(code)} + "); retrying in "
                + std::to_string(st->join_delay / 1000) + " ms");
    self->delayed_send(self, span_us(st->join_delay), join_atom::value);
    st->join_delay = std::min<time_us>(st->join_delay * 2, 2'000'000);
  };
  st->peers.with_peer(
    self, st->ctx.directory, st->opts.master, st->opts.request_timeout,
    [self, st, on_fail](const caf::actor& master) {
      join_req req{st->ctx.name, st->opts.address, st->opts.zone,
                   st->store.ids()};
      self->request(master, span_us(st->opts.request_timeout), req)
        .then(
          [self, st](join_ack& ack) {
            bool first = !st->joined;
            st->joined = true;
            st->epoch = ack.epoch;
            st->heartbeat_interval = ack.heartbeat_interval;
            st->join_delay = st->opts.join_retry;
            log_event(self, st->ctx, log_level::info, "joined",
                      "joined " + st->opts.master + " (epoch "
                        + std::to_string(ack.epoch) + ")");
            if (first)
              self->send(self, tick_atom::value);
          },
          [on_fail](caf::error& err) mutable { on_fail(to_errc(err)); });
    },
    on_fail);
}

void send_heartbeat(caf::event_based_actor* self, const state_ptr& st) {
  st->peers.with_peer(
    self, st->ctx.directory, st->opts.master, st->opts.request_timeout,
    [self, st](const caf::actor& master) {
      self->send(master, heartbeat_msg{st->ctx.name, st->store.batches(),
                                       st->store.bytes()});
    },
    [st](errc) { st->peers.forget(st->opts.master); });
}

fetch_result serve_fetch(const storage_state& st, const fetch_req& req) {
  fetch_result result;
  time_range window{req.from, req.to};
  for (auto id : req.batches) {
    batch_slice slice;
    slice.batch = id;
    if (st.store.slice(id, window, slice.entries))
      result.slices.push_back(std::move(slice));
    else
      result.not_found.push_back(id);
  }
  return result;
}

block_report make_report(const storage_state& st) {
  block_report out;
  out.node = st.ctx.name;
  out.batches = st.store.ids();
  out.digests.reserve(out.batches.size());
  for (auto id : out.batches) {
    uint64_t d = 0;
    st.store.digest(id, d);
    out.digests.push_back(d);
  }
  return out;
}

/// Repair / rebalance: fetch a whole batch from `source` and keep a copy.
void copy_from(caf::event_based_actor* self, const state_ptr& st,
               copy_req req, caf::response_promise rp) {
  if (st->store.contains(req.batch)) {
    rp.deliver(copy_ack{req.batch, st->ctx.name});
    return;
  }
  if (!req.source_address.empty())
    self->send(st->ctx.directory, learn_atom::value, req.source,
               req.source_address);
  auto timeout = st->opts.request_timeout;
  auto fail = [rp](errc code) mutable { rp.deliver(make_error(code)); };
  st->peers.with_peer(
    self, st->ctx.directory, req.source, timeout,
    [self, st, req, rp, timeout, fail](const caf::actor& source) mutable {
      fetch_req fr{{req.batch}, std::numeric_limits<timestamp_us>::min(),
                   std::numeric_limits<timestamp_us>::max()};
      self->request(source, span_us(timeout), std::move(fr))
        .then(
          [self, st, req, rp](fetch_result& res) mutable {
            if (res.slices.empty() || res.slices[0].entries.empty()) {
              rp.deliver(make_error(errc::batch_not_found));
              return;
            }
            auto& entries = res.slices[0].entries;
            auto min_ts = entries.front().ts;
            auto max_ts = entries.back().ts;
            st->store.put(req.batch, min_ts, max_ts, std::move(entries));
            log_lazy(self, st->ctx, log_level::debug, "copied", [&] {
              return "copied batch " + std::to_string(req.batch) + " from "
                     + req.source;
            });
            rp.deliver(copy_ack{req.batch, st->ctx.name});
          },
          [st, req, fail](caf::error& err) mutable {
            if (to_errc(err) == errc::timeout)
              st->peers.forget(req.source);
            fail(to_errc(err));
          });
    },
    fail);
}

} // namespace

caf::behavior storage_actor(caf::event_based_actor* self,
                            storage_options opts, node_context ctx) {
  auto st = std::make_shared<storage_state>();
  st->opts = std::move(opts);
  st->ctx = std::move(ctx);
  st->join_delay = st->opts.join_retry;
  self->set_default_handler(caf::drop);
  self->send(self, join_atom::value);
  return {
    [self, st](join_atom) { try_join(self, st); },
    [self, st](tick_atom) {
      // Heartbeats are one-way: the master's failure detector judges silence.
      send_heartbeat(self, st);
      self->delayed_send(self, span_us(st->heartbeat_interval),
                         tick_atom::value);
    },
    [self, st](store_req& req) -> caf::result<store_ack> {
      if (req.entries.empty())
        return make_error(errc::malformed_request, "empty batch");
      auto id = req.batch;
      auto result = st->store.put(id, req.min_ts, req.max_ts,
                                  std::move(req.entries));
      if (result == entry_store::put_result::duplicate)
        log_lazy(self, st->ctx, log_level::debug, "store_duplicate", [id] {
          return "batch " + std::to_string(id)
                 + " already held; confirming again (idempotent)";
        });
      return store_ack{id, st->ctx.name};
    },
    [st](const fetch_req& req) { return serve_fetch(*st, req); },
    [st](const status_req&) {
      // The node's own view (metrics endpoint of the real cluster): one
      // member, itself; the cluster-wide fields stay 0.
      status_reply out;
      out.epoch = st->epoch;
      out.batches = st->store.batches();
      out.members.push_back({st->ctx.name, st->opts.address, st->opts.zone,
                             st->joined ? "up" : "joining",
                             st->store.batches(), st->store.bytes()});
      return out;
    },
    [self, st](copy_req& req) {
      copy_from(self, st, std::move(req), self->make_response_promise());
    },
    [self, st](const delete_req& req) {
      size_t dropped = 0;
      for (auto id : req.batches)
        dropped += st->store.erase(id) ? 1 : 0;
      log_event(self, st->ctx, log_level::info, "deleted",
                "dropped " + std::to_string(dropped)
                  + " copies on the master's request");
    },
    [st](const block_report_req&) { return make_report(*st); },
    [st](const join_ack&) {
      // A duplicated join_ack arriving outside a request: harmless.
    },
  };
}

} // namespace logstore
