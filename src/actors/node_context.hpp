// logstore — what every actor gets from the world it runs in: its node name,
// the node directory (the ONLY way to reach a peer), an event sink and a seed.
// Layer: actors. Identical in the simulator and the real cluster; only the
// directory behind the handle differs.
#pragma once

#include "actors/protocol.hpp"
#include "core/base/event_log.hpp"
#include "core/base/local_clock.hpp"
#include "core/base/types.hpp"

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/local_actor.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <string>
#include <unordered_map>

namespace logstore {

struct node_context {
  node_name name;          ///< this node, e.g. "storage-2"
  caf::actor directory;    ///< answers (resolve_atom, name) -> caf::actor
  event_sink* log = nullptr; ///< may be null
  log_level log_min = log_level::info; ///< events below are not built
  uint64_t seed = 0;       ///< seeds the node's prng
  /// The node's own clock (the simulator's `clock` fault); null = the actor
  /// clock as it is. Owned by whoever spawned the node.
  const local_clock* clock = nullptr;
};

/// Virtual time in the simulator, steady time in the real cluster: always the
/// actor clock, never a wall clock.
inline time_us now_us(caf::local_actor* self) {
  using namespace std::chrono;
  return duration_cast<microseconds>(self->clock().now().time_since_epoch())
    .count();
}

inline caf::timespan span_us(time_us x) {
  return caf::timespan{std::chrono::microseconds{x}};
}

/// What the node's own clock reads: for every duration the node measures
/// (leases, silence, deadlines). Events and the history keep now_us: they
/// are the observer's time, not the node's.
inline time_us local_now(caf::local_actor* self, const node_context& ctx) {
  auto t = now_us(self);
  return ctx.clock != nullptr ? ctx.clock->local(t) : t;
}

/// A timer or timeout of `d` as the node's own clock measures it.
inline caf::timespan local_span(const node_context& ctx, time_us d) {
  return span_us(ctx.clock != nullptr ? ctx.clock->true_span(d) : d);
}

/// Emits an event; `make_text` is only called when a sink listens, so the
/// hot path pays nothing for explanations nobody reads.
template <class MakeText>
void log_lazy(caf::local_actor* self, const node_context& ctx,
              log_level level, std::string_view event, MakeText make_text) {
  if (ctx.log != nullptr && level >= ctx.log_min)
    ctx.log->emit(now_us(self), level, ctx.name, event, make_text());
}

inline void log_event(caf::local_actor* self, const node_context& ctx,
                      log_level level, std::string_view event,
                      std::string text) {
  if (ctx.log != nullptr && level >= ctx.log_min)
    ctx.log->emit(now_us(self), level, ctx.name, event, std::move(text));
}

/// Resolved peers of one actor. A peer is looked up through the directory on
/// first use and forgotten when a request to it times out, so that a peer
/// that restarted (new incarnation) is found again.
class peer_cache {
public:
  /// Calls on_ok(caf::actor) with the peer, or on_err(errc) when the
  /// directory cannot resolve it within `timeout`.
  template <class Self, class OnOk, class OnErr>
  void with_peer(Self* self, const caf::actor& directory,
                 const node_name& name, time_us timeout, OnOk on_ok,
                 OnErr on_err) {
    if (auto i = peers_.find(name); i != peers_.end()) {
      on_ok(i->second);
      return;
    }
    self
      ->request(directory, span_us(timeout), resolve_atom::value, name)
      .then(
        [this, name, on_ok](caf::actor& peer) mutable {
          peers_[name] = peer;
          on_ok(peer);
        },
        [on_err](caf::error& err) mutable { on_err(to_errc(err)); });
  }

  void forget(const node_name& name) {
    peers_.erase(name);
  }

  void clear() {
    peers_.clear();
  }

private:
  std::unordered_map<node_name, caf::actor> peers_;
};

} // namespace logstore
