// logstore — the oracle's probe actor.
#include "sim/probe_actor.hpp"

#include "actors/node_context.hpp"
#include "actors/protocol.hpp"

#include <caf/all.hpp>

#include <memory>

namespace logstore::sim {

namespace {

constexpr time_us probe_timeout = 1'000'000;

struct round_state {
  size_t waiting = 0;
  std::vector<block_report> reports;
};

} // namespace

caf::behavior probe_actor(caf::event_based_actor* self, caf::actor directory,
                          std::vector<std::string> master_names,
                          std::vector<std::string> storage_names,
                          probe_callbacks callbacks) {
  auto cb = std::make_shared<probe_callbacks>(std::move(callbacks));
  auto peers = std::make_shared<peer_cache>();
  auto active = std::make_shared<std::string>(master_names.front());
  self->set_default_handler(caf::drop);
  return {
    [self, directory, cb, peers, active, master_names](tick_atom) {
      for (auto& name : master_names)
        peers->with_peer(
          self, directory, name, probe_timeout,
          [self, cb, peers, active, name](const caf::actor& master) {
            self->request(master, span_us(probe_timeout), status_req{})
              .then(
                [cb, active, name](status_reply& st) {
                  if (st.role != "active")
                    return; // a standby's view is not the cluster's
                  *active = name;
                  cb->on_status(st);
                },
                [peers, name](caf::error&) { peers->forget(name); });
          },
          [](errc) {});
    },
    [self, directory, peers, active](drain_req& req) {
      // An operator's drain command, as `logstore drain` would send it.
      peers->with_peer(
        self, directory, *active, probe_timeout,
        [self, req](const caf::actor& master) {
          self->request(master, span_us(probe_timeout), req)
            .then([](member_status&) {}, [](caf::error&) {});
        },
        [](errc) {});
    },
    [self, directory, storage_names, cb, peers](block_report_req) {
      auto round = std::make_shared<round_state>();
      round->waiting = storage_names.size();
      auto done_one = [cb, round] {
        if (--round->waiting == 0)
          cb->on_reports(std::move(round->reports));
      };
      for (auto& name : storage_names)
        peers->with_peer(
          self, directory, name, probe_timeout,
          [self, round, done_one, peers, name](const caf::actor& node) {
            self->request(node, span_us(probe_timeout), block_report_req{})
              .then(
                [round, done_one](block_report& r) {
                  round->reports.push_back(std::move(r));
                  done_one();
                },
                [done_one, peers, name](caf::error&) {
                  peers->forget(name);
                  done_one();
                });
          },
          [done_one](errc) { done_one(); });
    },
  };
}

} // namespace logstore::sim
