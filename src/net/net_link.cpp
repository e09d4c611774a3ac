// logstore — net_link and capture_gateway.
#include "net/net_link.hpp"

#include "actors/protocol.hpp"
#include "net/directory_actor.hpp"

#include <caf/all.hpp>

namespace logstore::net {

// --- net_link ------------------------------------------------------------------

net_link::net_link(caf::actor_config& cfg, node_name peer,
                   caf::actor_addr directory)
  : caf::monitorable_actor(cfg),
    peer_(std::move(peer)),
    directory_(std::move(directory)) {
  // nop
}

void net_link::enqueue(caf::mailbox_element_ptr m, caf::execution_unit* eu) {
  if (getf(is_cleaned_up_flag))
    return; // shutting down: lost, like a message on a closed socket
  caf::strong_actor_ptr target;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    target = target_;
  }
  if (target) {
    target->get()->enqueue(std::move(m), eu);
    return;
  }
  bounce(*m, eu);
  if (!poke_pending_.exchange(true))
    if (auto dir = caf::actor_cast<caf::actor>(directory_))
      caf::anon_send(dir, reconnect_atom::value, peer_);
}

void net_link::bounce(caf::mailbox_element& m, caf::execution_unit* eu) {
  if (!m.mid.is_request() || !m.sender || !m.stages.empty())
    return;
  auto err = make_error(errc::unreachable, peer_ + " is not connected");
  m.sender->get()->enqueue(
    caf::make_mailbox_element(nullptr, m.mid.response_id(), {},
                              std::move(err)),
    eu);
}

void net_link::set_target(caf::strong_actor_ptr target) {
  std::lock_guard<std::mutex> guard{mtx_};
  target_ = std::move(target);
}

bool net_link::connected() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return target_ != nullptr;
}

void net_link::on_cleanup(const caf::error& reason) {
  set_target(nullptr);
  caf::monitorable_actor::on_cleanup(reason);
}

caf::strong_actor_ptr make_net_link(caf::actor_system& sys, node_name peer,
                                    const caf::actor& directory) {
  caf::actor_config cfg;
  cfg.add_flag(caf::abstract_channel::is_hidden_flag);
  return caf::make_actor<net_link, caf::strong_actor_ptr>(
    sys.next_actor_id(), sys.node(), &sys, cfg, std::move(peer),
    directory.address());
}

// --- capture_gateway -------------------------------------------------------------

capture_gateway::capture_gateway(caf::actor_config& cfg,
                                 caf::strong_actor_ptr inner,
                                 caf::actor directory)
  : caf::monitorable_actor(cfg),
    inner_(std::move(inner)),
    directory_(std::move(directory)) {
  // nop
}

void capture_gateway::enqueue(caf::mailbox_element_ptr m,
                              caf::execution_unit* eu) {
  caf::strong_actor_ptr inner;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    inner = inner_;
  }
  if (!inner)
    return;
  if (m->sender && m->sender->node() != home_system().node()) {
    auto& content = m->content();
    if (content.match_elements<hello_atom, std::string>()) {
      note(content.get_as<std::string>(1), m->sender);
      return; // the transport's own message: the node never sees it
    }
    if (content.match_elements<heartbeat_msg>())
      note(content.get_as<heartbeat_msg>(0).name, m->sender);
    else if (content.match_elements<join_req>())
      note(content.get_as<join_req>(0).name, m->sender);
  }
  inner->get()->enqueue(std::move(m), eu);
}

void capture_gateway::note(const node_name& peer,
                           const caf::strong_actor_ptr& sender) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& known = seen_[peer];
    // Compare proxy identity, not actor_addr equality: after a reconnect the
    // new proxy of the same remote actor compares equal to the dead one.
    if (known.get() == sender.get())
      return; // the common case: a heartbeat over a known connection
    known = caf::actor_cast<caf::weak_actor_ptr>(sender);
  }
  caf::anon_send(directory_, capture_atom::value, peer, sender);
}

void capture_gateway::on_cleanup(const caf::error& reason) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    inner_.reset();
    directory_ = nullptr;
    seen_.clear();
  }
  caf::monitorable_actor::on_cleanup(reason);
}

caf::actor make_capture_gateway(caf::actor_system& sys, const caf::actor& inner,
                                const caf::actor& directory) {
  caf::actor_config cfg;
  cfg.add_flag(caf::abstract_channel::is_hidden_flag);
  auto gw = caf::make_actor<capture_gateway, caf::strong_actor_ptr>(
    sys.next_actor_id(), sys.node(), &sys, cfg,
    caf::actor_cast<caf::strong_actor_ptr>(inner), directory);
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(gw);
  inner->attach_functor([weak](const caf::error& reason) {
    if (auto ptr = caf::actor_cast<caf::strong_actor_ptr>(weak))
      static_cast<capture_gateway*>(ptr->get())
        ->cleanup(caf::error{reason}, nullptr);
  });
  return caf::actor_cast<caf::actor>(gw);
}

} // namespace logstore::net
