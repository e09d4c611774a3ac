// logstore — transport options, CAF configuration, publishing.
#include "net/runtime.hpp"

#include "actors/protocol.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <chrono>
#include <unistd.h>

namespace logstore::net {

bool openssl_error_queue_fix(); // openssl_fix.cpp

namespace {

std::string check_readable(const std::string& flag, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0)
    return flag + " " + path + ": file does not exist or is not readable";
  return {};
}

caf::timespan span(time_us x) {
  return caf::timespan{std::chrono::microseconds{x}};
}

} // namespace

std::string validate(const transport_options& opts) {
  if (opts.heartbeat_interval <= 0 || opts.connection_timeout <= 0)
    return "--heartbeat-interval-ms and --connection-timeout-ms must be "
           "positive";
  if (opts.connection_timeout < 2 * opts.heartbeat_interval)
    return "--connection-timeout-ms must be at least twice "
           "--heartbeat-interval-ms, or healthy idle links get dropped";
  auto& t = opts.tls;
  if (!opts.tls_enabled()) {
    if (!opts.insecure)
      return "refusing to start without TLS: pass --tls-cert, --tls-key and "
             "--tls-ca (see `logstore certs --help`), or --insecure on a "
             "trusted network only";
    return {};
  }
  if (t.cert.empty() || t.key.empty() || t.ca.empty())
    return "TLS needs all three of --tls-cert, --tls-key and --tls-ca "
           "(got only some of them)";
  for (auto [flag, path] : {std::pair{"--tls-cert", &t.cert},
                            std::pair{"--tls-key", &t.key},
                            std::pair{"--tls-ca", &t.ca}})
    if (auto err = check_readable(flag, *path); !err.empty())
      return err;
  return check_tls_files(t);
}

void configure(caf::actor_system_config& cfg, const transport_options& opts) {
  register_protocol_types(cfg);
  cfg.load<caf::io::middleman>();
  if (opts.tls_enabled()) {
    [[maybe_unused]] bool linked = openssl_error_queue_fix();
    cfg.load<caf::openssl::manager>();
    cfg.set("openssl.certificate", opts.tls.cert);
    cfg.set("openssl.key", opts.tls.key);
    cfg.set("openssl.cafile", opts.tls.ca);
  }
  cfg.set("middleman.heartbeat-interval", span(opts.heartbeat_interval));
  cfg.set("middleman.connection-timeout", span(opts.connection_timeout));
  // Only logstore processes may talk to each other.
  cfg.set("middleman.app-identifiers", std::vector<std::string>{"logstore"});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  if (opts.threads > 0)
    cfg.set("scheduler.max-threads", opts.threads);
}

std::string verify(caf::actor_system& sys, const transport_options& opts) {
  auto& cfg = sys.config();
  auto hb = caf::get_or(cfg, "middleman.heartbeat-interval", caf::timespan{0});
  auto ct = caf::get_or(cfg, "middleman.connection-timeout", caf::timespan{0});
  if (hb != span(opts.heartbeat_interval) || ct != span(opts.connection_timeout))
    return "CAF did not take the middleman heartbeat settings";
  if (opts.tls_enabled()
      && caf::get_or(cfg, "openssl.cafile", std::string{}) != opts.tls.ca)
    return "CAF did not take the TLS settings";
  return {};
}

caf::expected<uint16_t> publish_gateway(caf::actor_system& sys,
                                        const caf::actor& gateway,
                                        const endpoint& listen, bool tls) {
  const char* in = listen.host.empty() ? nullptr : listen.host.c_str();
  if (tls)
    return caf::openssl::publish(gateway, listen.port, in, true);
  return sys.middleman().publish(gateway, listen.port, in, true);
}

void unpublish_gateway(caf::actor_system& sys, const caf::actor& gateway,
                       uint16_t port, bool tls) {
  // caf::openssl::unpublish does not compile in 0.17.6: ask the manager.
  auto mm = tls ? sys.openssl_manager().actor_handle()
                : sys.middleman().actor_handle();
  caf::scoped_actor self{sys};
  self
    ->request(mm, std::chrono::seconds{1}, caf::unpublish_atom::value,
              gateway.address(), port)
    .receive([] {}, [](caf::error&) {});
}

} // namespace logstore::net
