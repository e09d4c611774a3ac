// logstore — Prometheus text rendering and the HTTP endpoint.
#include "net/metrics.hpp"

#include "actors/protocol.hpp"
#include "net/json_log.hpp"

#include <caf/all.hpp>

#include <httplib.h>

#include <chrono>

namespace logstore::net {

namespace {

std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type,
            const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, uint64_t value) {
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

void member_metrics(std::string& out, const status_reply& st) {
  header(out, "logstore_node_up", "gauge",
         "1 if the node is up, 0 if suspect, dead or joining (this node's "
         "view).");
  for (auto& m : st.members)
    sample(out, "logstore_node_up{node=\"" + label(m.name) + "\"}",
           m.state == "up" ? 1 : 0);
  header(out, "logstore_node_state", "gauge",
         "1 for the state each node is in: up, suspect, dead, unreported "
         "(not heard from since the master restarted) or joining.");
  for (auto& m : st.members)
    sample(out, "logstore_node_state{node=\"" + label(m.name) + "\",state=\""
                  + label(m.state) + "\"}",
           1);
  header(out, "logstore_node_batches", "gauge",
         "Batch copies each node holds (as last reported).");
  for (auto& m : st.members)
    sample(out, "logstore_node_batches{node=\"" + label(m.name) + "\"}",
           m.batches);
  header(out, "logstore_node_bytes", "gauge",
         "Payload bytes each node holds (as last reported).");
  for (auto& m : st.members)
    sample(out, "logstore_node_bytes{node=\"" + label(m.name) + "\"}",
           m.bytes);
}

} // namespace

std::string render_metrics(const metrics_sample& x) {
  std::string out;
  header(out, "logstore_status_ok", "gauge",
         "1 if the node's actor answered the status request in time.");
  sample(out, "logstore_status_ok", x.answered ? 1 : 0);
  auto& st = x.status;
  bool master = x.role == node_role::master;
  if (x.answered) {
    member_metrics(out, st);
    header(out, "logstore_batches", "gauge",
           master ? "Batches in the master's index."
                  : "Batches this storage node holds.");
    sample(out, "logstore_batches", st.batches);
    uint64_t bytes = 0;
    for (auto& m : st.members)
      bytes += m.bytes;
    header(out, "logstore_bytes_stored", "gauge",
           master ? "Payload bytes held by all members, replicas included."
                  : "Payload bytes this storage node holds.");
    sample(out, "logstore_bytes_stored", bytes);
    header(out, "logstore_epoch", "gauge",
           master ? "The master's epoch (a standby: the highest it knows)."
                  : "The epoch this storage node promised.");
    sample(out, "logstore_epoch", st.epoch);
  }
  if (master && x.answered) {
    header(out, "logstore_master_active", "gauge",
           "1 if this master is the active one, 0 if it is a standby.");
    sample(out, "logstore_master_active", st.role == "active" ? 1 : 0);
    header(out, "logstore_master_role", "gauge",
           "This master's role (1 for the role it has).");
    sample(out, "logstore_master_role{role=\"active\"}",
           st.role == "active" ? 1 : 0);
    sample(out, "logstore_master_role{role=\"standby\"}",
           st.role == "active" ? 0 : 1);
    header(out, "logstore_failovers_total", "counter",
           "Promotions of a master this master has made or seen.");
    sample(out, "logstore_failovers_total", st.failovers);
    header(out, "logstore_under_replicated_batches", "gauge",
           "Batches with fewer live copies than the replication factor.");
    sample(out, "logstore_under_replicated_batches", st.under_replicated);
    header(out, "logstore_lost_batches", "gauge",
           "Batches with no copy left anywhere (never acknowledged).");
    sample(out, "logstore_lost_batches", st.lost_batches);
    header(out, "logstore_replication_factor", "gauge",
           "Copies kept of every batch.");
    sample(out, "logstore_replication_factor", st.replication_factor);
  }
  if (master) {
    header(out, "logstore_appends_total", "counter",
           "Append batches the master acknowledged (or, written directly, "
           "had committed), by result.");
    sample(out, "logstore_appends_total{result=\"ok\"}", x.appends_ok);
    sample(out, "logstore_appends_total{result=\"fail\"}", x.appends_fail);
  }
  if (!master) {
    header(out, "logstore_corrupt_frames_total", "counter",
           "Batch frames refused because they failed their checksum on "
           "arrival (damaged in transit or in the sender's memory).");
    sample(out, "logstore_corrupt_frames_total", x.corrupt_frames);
    header(out, "logstore_stores_not_granted_total", "counter",
           "Direct store_reqs refused because no placement the master "
           "granted this node holds the batch (stray or forged writes).");
    sample(out, "logstore_stores_not_granted_total", x.stores_not_granted);
    header(out, "logstore_store_messages_total", "counter",
           "Store messages received (a store_req, or a store_many_req "
           "carrying the stores a client queued behind one in flight).");
    sample(out, "logstore_store_messages_total", x.store_messages);
    header(out, "logstore_stores_received_total", "counter",
           "Stores those messages carried (stores per message: how much "
           "the clients coalesced).");
    sample(out, "logstore_stores_received_total", x.stores_received);
  }
  header(out, "logstore_connect_failures_total", "counter",
         "Failed attempts to connect to a peer.");
  sample(out, "logstore_connect_failures_total", x.connect_failures);
  header(out, "logstore_peers_lost_total", "counter",
         "Connections to peers that broke.");
  sample(out, "logstore_peers_lost_total", x.peers_lost);
  return out;
}

metrics_sample sample_node(caf::actor_system& sys, const caf::actor& node,
                           node_role role, const node_name& name,
                           const json_log& log, time_us timeout) {
  metrics_sample out;
  out.role = role;
  out.node = name;
  // Through the master (batch_acked) or committed by a client that wrote
  // directly (batch_committed).
  out.appends_ok = log.count("batch_acked") + log.count("batch_committed");
  out.corrupt_frames = log.count("corrupt_frame");
  out.stores_not_granted = log.count("store_not_granted");
  out.store_messages = log.count("store_message");
  out.stores_received = log.count("store_received");
  out.appends_fail = log.count("replication_failed");
  out.connect_failures = log.count("connect_failed");
  out.peers_lost = log.count("peer_down");
  caf::scoped_actor self{sys};
  self->request(node, std::chrono::microseconds{timeout}, status_req{})
    .receive(
      [&](status_reply& reply) {
        out.answered = true;
        out.status = std::move(reply);
      },
      [&](caf::error&) { out.answered = false; });
  return out;
}

metrics_server::metrics_server() = default;

metrics_server::~metrics_server() {
  stop();
}

std::string metrics_server::start(const endpoint& at, sampler fn) {
  srv_ = std::make_unique<httplib::Server>();
  srv_->Get("/metrics", [fn](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_metrics(fn()), "text/plain; version=0.0.4");
  });
  srv_->Get("/healthz", [fn](const httplib::Request&, httplib::Response& res) {
    auto x = fn();
    res.status = x.answered ? 200 : 503;
    res.set_content(x.answered ? "ok\n" : "node actor not answering\n",
                    "text/plain");
  });
  if (!srv_->bind_to_port(at.host.c_str(), at.port))
    return "cannot listen on " + to_string(at)
           + " for --metrics (address in use or not local?)";
  thread_ = std::thread{[srv = srv_.get()] { srv->listen_after_bind(); }};
  return {};
}

void metrics_server::stop() {
  if (srv_)
    srv_->stop();
  if (thread_.joinable())
    thread_.join();
  srv_.reset();
}

} // namespace logstore::net
