// logstore — the real cluster's node directory: name -> "host:port" -> a
// stable net_link to that node. Same protocol as the simulator's directory
// (src/sim/world.cpp, sim_directory): (resolve_atom, name) -> caf::actor,
// (learn_atom, name, address).
// Layer: net. Never blocks: connects go through the middleman's actor with a
// finite timeout, after a TCP probe (see tcp_probe.hpp).
//
// Per peer:
//   [idle] --resolve / link miss--> [probing] --ok--> [connecting] --ok-->
//     [connected] --down_msg--> [idle]
//   probe or connect fails --> [back-off: resolves fail fast with
//     errc::unreachable; the delay doubles from backoff_min to backoff_max]
//
// Peers that connect to us (storage nodes, seen from the master) are
// attached by the capture_gateway (capture_atom) and never dialled unless
// dial_learned is set; after a dial the directory introduces its node to the
// peer with (hello_atom, name), so the peer does not dial back. See
// net_link.hpp for why a second connection must be avoided.
#pragma once

#include "core/base/event_log.hpp"
#include "core/base/types.hpp"

#include <caf/atom.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <map>
#include <string>

namespace logstore::net {

using capture_atom = caf::atom_constant<caf::atom("capture")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
/// (home_atom, actor): the node's own actor, in whose name hello is sent.
using home_atom = caf::atom_constant<caf::atom("home")>;
/// (hello_atom, name): "the sender is node `name`", sent after a dial.
using hello_atom = caf::atom_constant<caf::atom("hello")>;

struct directory_options {
  /// This node's name, for log lines.
  node_name self = "node";
  /// Peers we dial: name -> "host:port" (e.g. "master" on storage nodes).
  std::map<node_name, std::string> peers;
  /// Also dial addresses learned via learn_atom. Default: false (the master
  /// reaches storage nodes over their own connections).
  bool dial_learned = false;
  /// Connect through caf::openssl's manager instead of the plain middleman.
  bool tls = false;
  /// Deadline of one connect (handshake included), us. Default: 3 s.
  time_us connect_timeout = 3'000'000;
  /// Deadline of the TCP probe before a connect, us. Default: 1 s.
  time_us probe_timeout = 1'000'000;
  /// First and largest delay between attempts, us. Default: 100 ms, 5 s.
  time_us backoff_min = 100'000;
  time_us backoff_max = 5'000'000;
  /// May be null.
  event_sink* log = nullptr;
};

caf::behavior directory_actor(caf::event_based_actor* self,
                              directory_options opts);

} // namespace logstore::net
