// logstore — what every real-cluster process shares: transport options
// (TLS, CAF heartbeats, threads), their validation BEFORE CAF starts, the
// actor_system_config, and publishing the one gateway actor.
// Layer: net. The app layer builds the actors; this file only sets up CAF.
//
// Rules it enforces (each for a behaviour of CAF 0.17, stated with it):
//  - TLS needs --tls-cert, --tls-key and --tls-ca together (a CA without a
//    certificate aborts CAF on one of its threads); none of them is allowed
//    only with --insecure. Files must exist, parse, match, and the
//    certificate must be signed by the CA.
//  - middleman heartbeats are off by default in CAF 0.17: every node sets
//    the same heartbeat interval and connection timeout.
//  - values are set with their exact types and read back after start.
#pragma once

#include "core/base/types.hpp"
#include "net/endpoint.hpp"

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <string>

namespace logstore::net {

struct tls_files {
  std::string cert; ///< this node's certificate (PEM), signed by the CA
  std::string key;  ///< its private key (PEM, unencrypted)
  std::string ca;   ///< the cluster CA's certificate (PEM)
};

struct transport_options {
  tls_files tls;
  /// Run without TLS. Default: false (refuse to start without TLS).
  bool insecure = false;
  /// middleman.heartbeat-interval, us; identical on every node. 500 ms.
  time_us heartbeat_interval = 500'000;
  /// middleman.connection-timeout, us; identical on every node. 3 s.
  time_us connection_timeout = 3'000'000;
  /// scheduler.max-threads; 0 = CAF's default (one per core).
  size_t threads = 0;

  bool tls_enabled() const {
    return !tls.cert.empty() || !tls.key.empty() || !tls.ca.empty();
  }
};

/// Empty when the options are usable; otherwise an error sentence that says
/// what to do. Reads the TLS files (no CAF involved).
std::string validate(const transport_options& opts);

/// Registers the protocol, loads the middleman (and caf::openssl when TLS
/// is on) and sets every transport key. REQUIRES: validate(opts) is empty.
void configure(caf::actor_system_config& cfg, const transport_options& opts);

/// Reads the keys back from a running system; empty when CAF took them.
std::string verify(caf::actor_system& sys, const transport_options& opts);

/// Publishes `gateway` on `listen` (plain or TLS). Returns the bound port.
caf::expected<uint16_t> publish_gateway(caf::actor_system& sys,
                                        const caf::actor& gateway,
                                        const endpoint& listen, bool tls);

/// Closes the port again (best effort, for shutdown).
void unpublish_gateway(caf::actor_system& sys, const caf::actor& gateway,
                       uint16_t port, bool tls);

/// Checks a PEM certificate/key pair against a CA with OpenSSL. Empty when
/// fine; otherwise what is wrong.
std::string check_tls_files(const tls_files& files);

/// The common name (CN) of the certificate in `path`; empty when the file
/// is not a PEM certificate or has no CN. `logstore certs` puts the node's
/// name there.
std::string certificate_common_name(const std::string& path);

} // namespace logstore::net
