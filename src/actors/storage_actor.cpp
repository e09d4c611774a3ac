// logstore — storage node actor.
#include "actors/storage_actor.hpp"

#include "core/assert.hpp"
#include "core/entry_store.hpp"

#include <caf/all.hpp>

#include <algorithm>
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
      join_req req{st->ctx.name, st->opts.address, st->opts.zone};
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
    [st](const join_ack&) {
      // A duplicated join_ack arriving outside a request: harmless.
    },
  };
}

} // namespace logstore
