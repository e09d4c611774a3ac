// logstore — the two mailbox-less actors of the real transport.
// Layer: net. Both are caf::monitorable_actor subclasses like CAF's own
// remote proxies: enqueue() runs in the sender's thread, so they add no
// scheduling hop.
//
// net_link: the stable local handle of a named peer. The directory hands it
// out instead of the raw remote proxy, and points it at whatever connection
// is current. Peers' caches (src/actors/node_context.hpp, peer_cache) may
// keep it forever: after a reconnect it simply forwards to the new proxy.
// While disconnected, a request is answered at once with errc::unreachable
// (definite: it was never sent) and the directory is asked to reconnect;
// a one-way message (heartbeat) is dropped, as a lossy network would.
//
//   [disconnected] --set_target(p)--> [connected] --down_msg--> [disconnected]
//
// capture_gateway: the one published actor of a master or storage process.
// It hands every message to the node's actor and tells the directory which
// remote actor speaks for which node: from join_req and heartbeat_msg
// (storage -> master) and from the directory's own (hello_atom, name), sent
// right after it dials a peer (which the gateway swallows). A node thereby
// reaches peers over the connection THEY opened: dialling back would make a
// second connection between the same two processes, which breaks CAF 0.17's
// TLS transport (measured with CAF 0.17: both directions go silent).
#pragma once

#include "core/base/types.hpp"

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_system.hpp>
#include <caf/monitorable_actor.hpp>

#include <atomic>
#include <map>
#include <mutex>

namespace logstore::net {

class net_link final : public caf::monitorable_actor {
public:
  net_link(caf::actor_config& cfg, node_name peer, caf::actor_addr directory);

  const char* name() const override {
    return "net_link";
  }

  void enqueue(caf::mailbox_element_ptr m, caf::execution_unit* eu) override;

  /// Points the link at a remote proxy; null = disconnected.
  void set_target(caf::strong_actor_ptr target);

  bool connected() const;

  /// The directory saw the reconnect request; the next miss may poke again.
  void clear_poke() {
    poke_pending_ = false;
  }

protected:
  void on_cleanup(const caf::error& reason) override;

private:
  void bounce(caf::mailbox_element& m, caf::execution_unit* eu);

  node_name peer_;
  caf::actor_addr directory_; ///< weak: the directory owns the link
  mutable std::mutex mtx_;
  caf::strong_actor_ptr target_;
  std::atomic<bool> poke_pending_{false};
};

/// Creates a link (hidden, never scheduled). Clean it up with
/// ptr->cleanup(reason, nullptr) when its directory ends.
caf::strong_actor_ptr make_net_link(caf::actor_system& sys, node_name peer,
                                    const caf::actor& directory);

class capture_gateway final : public caf::monitorable_actor {
public:
  capture_gateway(caf::actor_config& cfg, caf::strong_actor_ptr inner,
                  caf::actor directory);

  const char* name() const override {
    return "capture_gateway";
  }

  void enqueue(caf::mailbox_element_ptr m, caf::execution_unit* eu) override;

protected:
  void on_cleanup(const caf::error& reason) override;

private:
  void note(const node_name& peer, const caf::strong_actor_ptr& sender);

  std::mutex mtx_;
  caf::strong_actor_ptr inner_;
  caf::actor directory_;
  std::map<node_name, caf::weak_actor_ptr> seen_; ///< by proxy identity
};

/// Wraps `inner` (the node's actor) in a gateway that dies with it.
caf::actor make_capture_gateway(caf::actor_system& sys, const caf::actor& inner,
                                const caf::actor& directory);

} // namespace logstore::net
