// logstore — `logstore master` and `logstore storage`: one process, one
// published gateway, the same actors as the simulator, until SIGINT/SIGTERM.
// Layer: app.
//
// Shutdown (CAF 0.17's ~actor_system waits until every actor has ended):
//   signal -> stop /metrics -> unpublish -> kill node actor (its gateway
//   dies with it) -> kill directory -> drop handles -> destroy the system.
// A watchdog ends the process if that ever takes longer than 3 s.
#include "app/cluster_commands.hpp"
#include "app/scheduler_tuning.hpp"
#include "core/storage/node_identity.hpp"
#include "core/storage/posix_disk.hpp"

#include "actors/master_actor.hpp"
#include "app/master_list.hpp"
#include "core/base/node_role.hpp"
#include "core/master/master_machine.hpp"
#include "scenario/scenario.hpp" // parse_duration
#include "actors/storage_actor.hpp"
#include "net/directory_actor.hpp"
#include "net/json_log.hpp"
#include "net/metrics.hpp"
#include "net/net_link.hpp"
#include "net/signals.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace logstore::app {

namespace {

using spawn_fn = std::function<caf::actor(caf::actor_system&, node_context,
                                          uint16_t port)>;

struct server_plan {
  net::node_role role = net::node_role::master;
  node_name name;
  net::endpoint listen;
  std::optional<net::endpoint> metrics;
  net::directory_options directory;
  log_level level = log_level::info;
};

int usage_error(const std::string& text) {
  std::cerr << "error: " << text << "\n";
  return 2;
}

void start_watchdog(net::json_log& log, const node_name& name) {
  std::thread{[&log, name] {
    std::this_thread::sleep_for(std::chrono::seconds{3});
    log.emit(0, log_level::error, name, "shutdown_timeout",
             "shutdown took longer than 3 s; exiting anyway");
    std::_Exit(1);
  }}.detach();
}

/// Everything after validation: build CAF, publish, serve, shut down.
int serve(const server_plan& plan, const server_args& args, spawn_fn spawn) {
  net::install_stop_signals();
  net::json_log log{plan.level};
  caf::actor_system_config cfg;
  net::configure(cfg, args.transport);
  tune_scheduler(cfg);
  auto sys = std::make_unique<caf::actor_system>(cfg);
  auto& name = plan.name;
  if (auto err = net::verify(*sys, args.transport); !err.empty()) {
    log.emit(0, log_level::error, name, "config_rejected", err);
    return 1;
  }
  bool tls = args.transport.tls_enabled();
  auto dopts = plan.directory;
  dopts.self = name;
  dopts.tls = tls;
  dopts.log = &log;
  dopts.connect_timeout = args.transport.connection_timeout;
  auto directory = sys->spawn(net::directory_actor, dopts);
  node_context ctx;
  ctx.name = name;
  ctx.directory = directory;
  ctx.log = &log;
  ctx.log_min = log_level::debug; // counted for /metrics, printed by level
  ctx.seed = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  std::atomic<bool> node_died{false};
  std::atomic<bool> refused{false}; // the master refused this node's name
  auto node = spawn(*sys, ctx, plan.listen.port);
  node->attach_functor([&node_died, &refused](const caf::error& reason) {
    refused = to_errc(reason) == errc::name_in_use;
    node_died = true;
  });
  caf::anon_send(directory, net::home_atom::value, node);
  auto gateway = net::make_capture_gateway(*sys, node, directory);
  auto port = net::publish_gateway(*sys, gateway, plan.listen, tls);
  int rc = 0;
  net::metrics_server metrics;
  if (!port) {
    log.emit(0, log_level::error, name, "listen_failed",
             "cannot listen on " + to_string(plan.listen) + ": "
               + sys->render(port.error()));
    rc = 1;
  } else {
    log.emit(0, log_level::info, name, "listening",
             "listening on " + plan.listen.host + ":" + std::to_string(*port)
               + (tls ? " with mutual TLS" : " WITHOUT TLS (--insecure)"));
    if (plan.metrics) {
      auto err = metrics.start(*plan.metrics, [&] {
        return net::sample_node(*sys, node, plan.role, name, log, 1'000'000);
      });
      if (!err.empty()) {
        log.emit(0, log_level::error, name, "metrics_failed", err);
        rc = 1;
      } else {
        log.emit(0, log_level::info, name, "metrics_listening",
                 "metrics on http://" + to_string(*plan.metrics) + "/metrics");
      }
    }
    while (rc == 0 && !net::wait_for_stop_signal(200'000))
      if (node_died && refused) {
        log.emit(0, log_level::error, name, "identity_conflict",
                 "stopping: another live node holds the name " + name
                   + " (see join_refused above)");
        rc = 2;
      } else if (node_died) {
        log.emit(0, log_level::error, name, "node_died",
                 "the node's actor terminated unexpectedly");
        rc = 1;
      }
  }
  log.emit(0, log_level::info, name, "shutdown",
           net::stop_signal_number() != 0
             ? "stopping on signal " + std::to_string(net::stop_signal_number())
             : "stopping");
  start_watchdog(log, name);
  metrics.stop();
  if (port)
    net::unpublish_gateway(*sys, gateway, *port, tls);
  caf::anon_send_exit(node, caf::exit_reason::kill);
  caf::anon_send_exit(directory, caf::exit_reason::kill);
  gateway = nullptr;
  node = nullptr;
  directory = nullptr;
  ctx.directory = nullptr;
  sys.reset();
  log.emit(0, log_level::info, name, "stopped", "clean shutdown");
  return rc;
}

/// Validates what every server shares; fills listen/metrics/level.
std::string plan_server(const server_args& args, server_plan& plan) {
  std::string err;
  auto listen = net::parse_endpoint(args.listen, err, true);
  if (!listen)
    return "--listen " + err;
  plan.listen = *listen;
  if (!args.metrics.empty()) {
    plan.metrics = net::parse_endpoint(args.metrics, err, false);
    if (!plan.metrics)
      return "--metrics " + err;
  }
  if (!net::parse_log_level(args.log_level, plan.level))
    return "--log-level must be debug, info, warn or error";
  if (auto bad = net::validate(args.transport); !bad.empty())
    return bad;
  if (!args.data_dir.empty() && ::mkdir(args.data_dir.c_str(), 0750) != 0
      && errno != EEXIST)
    return "--data-dir " + args.data_dir + ": cannot create it";
  return {};
}

/// A name derived from the advertised address, for a node started with
/// neither --name nor an identity in its data directory.
std::string derived_name(const std::string& addr) {
  std::string out = "storage-" + addr;
  for (auto& c : out)
    if (c == ':' || c == '[' || c == ']')
      c = '-';
  return out;
}

/// Who this storage node is (docs/operations.md, "Node identity"): the
/// identity in --data-dir when there is one (a conflicting --name is
/// refused), else --name, else the name an older version remembered in
/// DATA_DIR/node-name, else one derived from the address; a data directory
/// without an identity gets one now, with a fresh incarnation id. Without
/// --data-dir the node keeps nothing and is a new incarnation each start.
std::string resolve_identity(const storage_args& args, const std::string& addr,
                             node_identity& out) {
  auto fresh_incarnation = [] {
    std::random_device rd;
    uint64_t x = 0;
    while (x == 0)
      x = (uint64_t{rd()} << 32) ^ rd();
    return x;
  };
  if (!args.name.empty() && !valid_node_name(args.name))
    return "--name '" + args.name
           + "': use 1 to 64 letters, digits, '-', '_' or '.'";
  auto& dir = args.server.data_dir;
  if (dir.empty()) {
    out.name = args.name.empty() ? derived_name(addr) : args.name;
    out.incarnation = fresh_incarnation();
    return {};
  }
  posix_disk d{dir};
  std::string err;
  switch (load_identity(d, out, err)) {
    case identity_status::found:
      if (!args.name.empty() && args.name != out.name)
        return "--name " + args.name + " conflicts with " + dir
               + "/identity, which says this data directory belongs to "
               + out.name + ". A data directory belongs to one node: start "
               "without --name (or with --name " + out.name
               + "), or give the new node an empty --data-dir";
      return {};
    case identity_status::damaged:
      return dir + "/identity: " + err
             + "; refusing to guess which node this data belongs to. "
               "Restore the file (or move the directory away to start a "
               "new, empty node)";
    case identity_status::absent:
      break;
  }
  std::string legacy;
  if (std::ifstream in{dir + "/node-name"}; in)
    std::getline(in, legacy);
  if (!legacy.empty() && !args.name.empty() && legacy != args.name)
    return "--name " + args.name + " conflicts with " + dir
           + "/node-name (" + legacy + "); start without --name";
  out.name = !args.name.empty() ? args.name
             : !legacy.empty()  ? legacy
                                : derived_name(addr);
  if (!valid_node_name(out.name))
    return "the node name '" + out.name + "' (from " + dir
           + "/node-name) is not valid; pass --name";
  out.incarnation = fresh_incarnation();
  if (save_identity(d, out) != disk_status::ok)
    return "--data-dir " + dir + ": cannot write " + dir + "/identity";
  return {};
}

/// With TLS, a node's certificate must carry its name (logstore certs puts
/// it in the CN): a node cannot claim another node's name.
std::string check_certificate_name(const storage_args& args,
                                   const std::string& name) {
  if (!args.server.transport.tls_enabled())
    return {};
  auto cn = net::certificate_common_name(args.server.transport.tls.cert);
  if (cn == name)
    return {};
  return "--tls-cert " + args.server.transport.tls.cert + " is for '" + cn
         + "', but this node is " + name
         + (args.name.empty() ? " (from its --data-dir identity)"
                              : std::string{})
         + ": a node's certificate must carry its name (logstore certs DIR "
           "--names " + name + ")";
}

/// A duration flag: unset (empty) leaves `out` alone; otherwise a duration
/// such as 500ms or 2s, or what is wrong with it.
std::string duration_flag(const std::string& flag, const std::string& text,
                          time_us& out) {
  if (text.empty())
    return {};
  auto parsed = sim::parse_duration(text);
  if (!parsed)
    return flag + " '" + text + "': expected a duration such as 500ms or 2s";
  out = *parsed;
  return {};
}

/// --heartbeat-interval, --suspect-after, --dead-after, --repair-grace.
std::string apply_detector_flags(const master_args& args,
                                 cluster_config& cluster) {
  if (auto err = duration_flag("--heartbeat-interval", args.heartbeat_interval,
                          cluster.heartbeat_interval);
      !err.empty())
    return err;
  if (auto err = duration_flag("--store-timeout", args.store_timeout,
                          cluster.store_timeout);
      !err.empty())
    return err;
  if (auto err = duration_flag("--repair-grace", args.repair_grace,
                          cluster.repair_grace);
      !err.empty())
    return err;
  if (args.dead_after > 0)
    cluster.dead_after_misses = args.dead_after;
  if (args.suspect_after > 0)
    cluster.suspect_after_misses = args.suspect_after;
  else if (cluster.suspect_after_misses >= cluster.dead_after_misses)
    cluster.suspect_after_misses = std::max(1u, cluster.dead_after_misses - 1);
  return {};
}

} // namespace

int run_master(const master_args& args) {
  server_plan plan;
  plan.role = net::node_role::master;
  plan.name = "master";
  if (auto err = plan_server(args.server, plan); !err.empty())
    return usage_error(err);
  cluster_config cluster;
  if (!args.masters.empty()) {
    std::string err;
    auto list = parse_master_list(args.masters, err);
    if (!list)
      return usage_error("--masters " + err);
    auto self = net::to_string(plan.listen);
    size_t i = 0;
    while (i < list->names.size() && net::to_string(list->addresses[i]) != self)
      ++i;
    if (i == list->names.size())
      return usage_error("--listen " + self + " is not in --masters "
                         + args.masters
                         + ": give each master the same list, with its own "
                           "--listen address in it");
    plan.name = list->names[i];
    if (list->several()) {
      cluster.masters = list->names;
      plan.directory.peers = list->peers();
      plan.directory.peers.erase(plan.name);
    }
  }
  if (auto err = duration_flag("--master-timeout", args.master_timeout,
                               cluster.master_timeout);
      !err.empty())
    return usage_error(err);
  cluster.replication_factor = args.replication_factor;
  cluster.write_quorum = args.write_quorum;
  if (auto err = apply_detector_flags(args, cluster); !err.empty())
    return usage_error(err);
  if (!from_string(args.placement, cluster.placement))
    return usage_error("--placement must be random or least-loaded");
  if (!from_string(args.write_path, cluster.write_path))
    return usage_error("--write-path must be master or direct");
  if (auto err = cluster.validate(); !err.empty())
    return usage_error(err);
  // A single master never dials storage nodes: they connect to it
  // (net_link.hpp). Several masters dial each other, and a standby that
  // campaigns dials the storage nodes its record names.
  plan.directory.dial_learned = cluster.multi_master();
  // The master's durable record (epoch, reserved batch ids, members,
  // failed batches) lives in DATA_DIR; without it a restart forgets them.
  std::unique_ptr<posix_disk> state;
  if (!args.server.data_dir.empty())
    state = std::make_unique<posix_disk>(args.server.data_dir);
  disk* state_disk = state.get();
  return serve(plan, args.server,
               [cluster, state_disk](caf::actor_system& sys,
                                     node_context ctx, uint16_t) {
                 return sys.spawn(master_actor, cluster, std::move(ctx),
                                  state_disk,
                                  master_options{}.check_invariants);
               });
}

int run_storage(const storage_args& args) {
  server_plan plan;
  plan.role = net::node_role::storage;
  if (auto err = plan_server(args.server, plan); !err.empty())
    return usage_error(err);
  std::string err;
  auto masters = parse_master_list(args.master, err);
  if (!masters)
    return usage_error("--master " + err);
  auto advertise = plan.listen;
  if (!args.advertise.empty()) {
    auto parsed = net::parse_endpoint(args.advertise, err);
    if (!parsed)
      return usage_error("--advertise " + err);
    advertise = *parsed;
  } else if (plan.listen.port == 0) {
    return usage_error("--listen with port 0 needs --advertise HOST:PORT");
  } else if (plan.listen.host == "0.0.0.0" || plan.listen.host == "::") {
    return usage_error("--listen " + args.server.listen
                       + " is not an address others can use: pass "
                         "--advertise HOST:PORT (this machine's address)");
  }
  auto address = net::to_string(advertise);
  if (is_master_name(args.name))
    return usage_error("--name " + args.name + " is reserved for a master");
  node_identity identity;
  if (auto bad = resolve_identity(args, address, identity); !bad.empty())
    return usage_error(bad);
  if (auto bad = check_certificate_name(args, identity.name); !bad.empty())
    return usage_error(bad);
  if (is_master_name(identity.name))
    return usage_error("the name " + identity.name + " is reserved for a master");
  plan.name = identity.name;
  plan.directory.peers = masters->peers();
  plan.directory.dial_learned = true; // repair copies come from peers
  if (!args.zone.empty() && !valid_node_name(args.zone))
    return usage_error("--zone '" + args.zone
                       + "': use 1 to 64 letters, digits, '-', '_' or '.'");
  storage_options opts;
  opts.address = address;
  opts.zone = args.zone;
  opts.incarnation = identity.incarnation;
  opts.masters = masters->names;
  if (auto bad = duration_flag("--master-timeout", args.master_timeout,
                               opts.master_timeout);
      !bad.empty())
    return usage_error(bad);
  // Durable copies: segment files in DATA_DIR/segments, recovered at start.
  std::unique_ptr<posix_disk> disk;
  if (!args.server.data_dir.empty()) {
    auto dir = args.server.data_dir + "/segments";
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
      return usage_error("--data-dir: cannot create " + dir);
    disk = std::make_unique<posix_disk>(dir);
    opts.data = disk.get();
    opts.fsync = args.fsync == "never"      ? fsync_policy::never
                 : args.fsync == "interval" ? fsync_policy::interval
                                            : fsync_policy::always;
    opts.fsync_interval = time_us{args.fsync_interval_ms} * 1000;
    opts.segments.segment_bytes_max = args.segment_mb << 20;
  }
  opts.test_corrupt_stores = args.test_corrupt_stores;
  return serve(plan, args.server,
               [opts](caf::actor_system& sys, node_context ctx, uint16_t) {
                 return sys.spawn(storage_actor, opts, std::move(ctx));
               });
}

} // namespace logstore::app
