// logstore — the client's proxy to the active master (master_proxy.hpp).
#include "app/master_proxy.hpp"

#include "actors/node_context.hpp"
#include "actors/protocol.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <memory>

namespace logstore::app {

namespace {

struct proxy_state {
  std::vector<std::string> names;
  size_t current = 0;
  /// The newest master epoch an ack showed: sent with every append, so a
  /// master of an older epoch (one that woke up) steps down at once.
  uint64_t epoch = 0;
  peer_cache peers;

  /// `name` failed with `code`: the next attempt goes to the next master
  /// (unless another failure moved on already).
  void failed(const std::string& name, errc code) {
    if (code != errc::timeout && code != errc::unreachable
        && code != errc::not_active)
      return;
    peers.forget(name);
    if (names[current] == name)
      current = (current + 1) % names.size();
  }
};

} // namespace

caf::behavior master_proxy(caf::event_based_actor* self, caf::actor directory,
                           std::vector<std::string> names,
                           caf::timespan timeout) {
  auto st = std::make_shared<proxy_state>();
  st->names = std::move(names);
  auto timeout_us
    = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  return {
    [self, st, directory, timeout, timeout_us](append_req& req) {
      auto rp = self->make_response_promise();
      auto name = st->names[st->current];
      req.epoch = std::max(req.epoch, st->epoch);
      st->peers.with_peer(
        self, directory, name, timeout_us,
        [self, st, name, timeout, req, rp](const caf::actor& master) mutable {
          self->request(master, timeout, std::move(req))
            .then(
              [st, rp](append_ack& ack) mutable {
                st->epoch = std::max(st->epoch, ack.epoch);
                rp.deliver(std::move(ack));
              },
              [st, name, rp](caf::error& err) mutable {
                st->failed(name, to_errc(err));
                rp.deliver(std::move(err));
              });
        },
        [st, name, rp](errc code) mutable {
          st->failed(name, code);
          rp.deliver(make_error(code));
        });
      return rp;
    },
  };
}

} // namespace logstore::app
