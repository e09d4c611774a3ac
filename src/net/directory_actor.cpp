// logstore — the real node directory.
#include "net/directory_actor.hpp"

#include "actors/node_context.hpp"
#include "actors/protocol.hpp"
#include "net/endpoint.hpp"
#include "net/net_link.hpp"
#include "net/tcp_probe.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace logstore::net {

namespace {

struct peer_entry {
  std::string address;
  bool dialable = false;
  caf::strong_actor_ptr link; ///< a net_link, created once, kept forever
  caf::actor target;          ///< the current remote proxy (monitored)
  bool connecting = false;
  time_us retry_at = 0;
  time_us backoff = 0;
  uint32_t failures = 0;
  std::string last_error; ///< why the last attempt failed
  std::vector<caf::response_promise> waiting;

  net_link& link_impl() {
    return *static_cast<net_link*>(link->get());
  }
};

struct directory_state {
  directory_options opts;
  caf::actor_addr home; ///< the node's actor (hello is sent in its name)
  std::map<node_name, peer_entry> peers;
};

using state_ptr = std::shared_ptr<directory_state>;

void emit(caf::local_actor* self, const directory_state& st, log_level level,
          std::string_view event, std::string text) {
  if (st.opts.log != nullptr)
    st.opts.log->emit(now_us(self), level, st.opts.self, event,
                      std::move(text));
}

peer_entry& entry_for(caf::event_based_actor* self, directory_state& st,
                      const node_name& name) {
  auto& e = st.peers[name];
  if (!e.link)
    e.link = make_net_link(self->system(), name,
                           caf::actor_cast<caf::actor>(self));
  return e;
}

void attach(caf::event_based_actor* self, directory_state& st,
            const node_name& name, caf::strong_actor_ptr proxy) {
  auto& e = entry_for(self, st, name);
  if (e.target)
    self->demonitor(e.target);
  e.target = caf::actor_cast<caf::actor>(proxy);
  self->monitor(e.target);
  e.link_impl().set_target(std::move(proxy));
  e.backoff = 0;
  e.failures = 0;
  auto link = caf::actor_cast<caf::actor>(e.link);
  for (auto& rp : e.waiting)
    rp.deliver(link);
  e.waiting.clear();
}

void fail_connect(caf::event_based_actor* self, const state_ptr& st,
                  const node_name& name, const std::string& why) {
  auto& e = entry_for(self, *st, name);
  e.connecting = false;
  e.backoff = std::clamp<time_us>(2 * e.backoff, st->opts.backoff_min,
                                  st->opts.backoff_max);
  e.retry_at = now_us(self) + e.backoff;
  ++e.failures;
  e.last_error = why;
  emit(self, *st, log_level::warn, "connect_failed",
       "cannot reach " + name + " at " + e.address + ": " + why
         + "; next attempt in " + std::to_string(e.backoff / 1000) + " ms"
         + (e.failures > 1 ? " (" + std::to_string(e.failures)
                               + " failures in a row)"
                           : ""));
  auto err = make_error(errc::unreachable, name + " at " + e.address + ": "
                                             + why);
  for (auto& rp : e.waiting)
    rp.deliver(err);
  e.waiting.clear();
}

void dial(caf::event_based_actor* self, const state_ptr& st,
          const node_name& name, const endpoint& ep) {
  auto& sys = self->system();
  auto mm = st->opts.tls ? sys.openssl_manager().actor_handle()
                         : sys.middleman().actor_handle();
  self
    ->request(mm, span_us(st->opts.connect_timeout), caf::connect_atom::value,
              ep.host, ep.port)
    .then(
      [self, st, name](caf::node_id&, caf::strong_actor_ptr& ptr,
                       std::set<std::string>&) {
        if (!ptr) {
          fail_connect(self, st, name, "nothing is published there");
          return;
        }
        auto& e = entry_for(self, *st, name);
        e.connecting = false;
        emit(self, *st, log_level::info, "peer_connected",
             "connected to " + name + " at " + e.address);
        if (auto home = caf::actor_cast<caf::actor>(st->home))
          caf::send_as(home, caf::actor_cast<caf::actor>(ptr),
                       hello_atom::value, st->opts.self);
        attach(self, *st, name, std::move(ptr));
      },
      [self, st, name](caf::error& err) {
        fail_connect(self, st, name, self->system().render(err));
      });
}

void start_connect(caf::event_based_actor* self, const state_ptr& st,
                   const node_name& name) {
  auto& e = entry_for(self, *st, name);
  std::string bad;
  auto ep = parse_endpoint(e.address, bad);
  e.connecting = true;
  if (!ep) {
    fail_connect(self, st, name, bad);
    return;
  }
  auto prober = self->spawn<caf::detached + caf::hidden>(probe_actor);
  auto deadline = st->opts.probe_timeout + 1'000'000;
  self
    ->request(prober, span_us(deadline), probe_atom::value, ep->host, ep->port,
              st->opts.probe_timeout)
    .then(
      [self, st, name, ep = *ep](bool ok, std::string& why) {
        if (ok)
          dial(self, st, name, ep);
        else
          fail_connect(self, st, name, why);
      },
      [self, st, name](caf::error& err) {
        fail_connect(self, st, name, self->system().render(err));
      });
}

caf::result<caf::actor> resolve(caf::event_based_actor* self,
                                const state_ptr& st, const node_name& name) {
  auto i = st->peers.find(name);
  if (i == st->peers.end())
    return make_error(errc::unreachable, "no address known for " + name);
  auto& e = i->second;
  if (e.target)
    return caf::actor_cast<caf::actor>(e.link);
  if (!e.dialable)
    return make_error(errc::unreachable, name + " is not connected");
  if (!e.connecting && now_us(self) < e.retry_at)
    return make_error(errc::unreachable,
                      name + " at " + e.address + ": " + e.last_error
                        + " (next attempt in "
                        + std::to_string((e.retry_at - now_us(self)) / 1000)
                        + " ms)");
  e.waiting.push_back(self->make_response_promise());
  if (!e.connecting)
    start_connect(self, st, name);
  return caf::delegated<caf::actor>{};
}

void on_down(caf::event_based_actor* self, const state_ptr& st,
             const caf::down_msg& msg) {
  for (auto& [name, e] : st->peers) {
    if (!e.target
        || caf::actor_cast<caf::actor_control_block*>(e.target)
             != msg.source.get())
      continue;
    e.target = nullptr;
    e.link_impl().set_target(nullptr);
    e.retry_at = 0; // the first reconnect may start at once
    emit(self, *st, log_level::warn, "peer_down",
         "lost the connection to " + name + " ("
           + self->system().render(msg.reason) + ")");
    return;
  }
}

} // namespace

caf::behavior directory_actor(caf::event_based_actor* self,
                              directory_options opts) {
  auto st = std::make_shared<directory_state>();
  st->opts = std::move(opts);
  for (auto& [name, address] : st->opts.peers) {
    auto& e = entry_for(self, *st, name);
    e.address = address;
    e.dialable = true;
  }
  self->set_down_handler(
    [self, st](caf::down_msg& msg) { on_down(self, st, msg); });
  // Links die with the directory, so peers' caches stop forwarding.
  self->attach_functor([st](const caf::error& reason) {
    for (auto& [name, e] : st->peers)
      static_cast<net_link*>(e.link->get())->cleanup(caf::error{reason},
                                                     nullptr);
    st->peers.clear();
  });
  self->set_default_handler(caf::drop);
  return {
    [self, st](resolve_atom, const node_name& name) {
      return resolve(self, st, name);
    },
    [self, st](learn_atom, const node_name& name, const std::string& addr) {
      auto& e = entry_for(self, *st, name);
      if (st->opts.peers.count(name) > 0)
        return; // configured on the command line: that address wins
      e.address = addr;
      e.dialable = st->opts.dial_learned;
    },
    [self, st](capture_atom, const node_name& name,
               caf::strong_actor_ptr& proxy) {
      auto& e = entry_for(self, *st, name);
      if (caf::actor_cast<caf::actor_control_block*>(e.target) == proxy.get())
        return;
      emit(self, *st, log_level::info, "peer_attached",
           name + " is reachable over the connection it opened");
      attach(self, *st, name, std::move(proxy));
    },
    [st](home_atom, const caf::actor& home) { st->home = home.address(); },
    [self, st](reconnect_atom, const node_name& name) {
      auto i = st->peers.find(name);
      if (i == st->peers.end())
        return;
      auto& e = i->second;
      e.link_impl().clear_poke();
      if (!e.target && e.dialable && !e.connecting
          && now_us(self) >= e.retry_at)
        start_connect(self, st, name);
    },
  };
}

} // namespace logstore::net
