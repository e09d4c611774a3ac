// logstore — operations endpoint: Prometheus text format 0.0.4 on /metrics
// and a liveness answer on /healthz, served by cpp-httplib on its own thread.
// Layer: net. The values come from asking the node's own actor for a
// status_reply (with a timeout) at scrape time, plus event counts from the
// JSON log (appends by result).
#pragma once

#include "core/base/messages.hpp"
#include "net/endpoint.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace logstore::net {

class json_log;

enum class node_role : uint8_t { master, storage };

struct metrics_sample {
  node_role role = node_role::master;
  node_name node;
  bool answered = false; ///< the node's actor replied in time
  status_reply status;
  uint64_t appends_ok = 0;   ///< master: batches acknowledged
  uint64_t appends_fail = 0; ///< master: batches failed (replication)
  uint64_t connect_failures = 0;
  uint64_t peers_lost = 0;
  /// storage: frames refused because they failed verification on arrival
  uint64_t corrupt_frames = 0;
  uint64_t stores_not_granted = 0; ///< direct stores outside any grant
  uint64_t store_messages = 0; ///< store_req and store_many_req received
  uint64_t stores_received = 0; ///< the stores they carried
};

/// Renders the sample in Prometheus text format 0.0.4.
std::string render_metrics(const metrics_sample& x);

/// Asks `node` for its status (blocking, at most `timeout` us) and reads the
/// event counters from `log`. Call from a non-actor thread only.
metrics_sample sample_node(caf::actor_system& sys, const caf::actor& node,
                           node_role role, const node_name& name,
                           const json_log& log, time_us timeout);

class metrics_server {
public:
  using sampler = std::function<metrics_sample()>;

  metrics_server();
  ~metrics_server();

  /// Binds `at` and serves on a new thread. Empty on success, else why not.
  std::string start(const endpoint& at, sampler fn);

  /// Stops serving and joins the thread (idempotent).
  void stop();

private:
  std::unique_ptr<httplib::Server> srv_;
  std::thread thread_;
};

} // namespace logstore::net
