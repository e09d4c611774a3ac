// logstore — a TCP reachability probe with a deadline.
// Layer: net. CAF 0.17's middleman connects with a BLOCKING connect() inside
// its (detached) actor (CAF issue #1162): a peer whose link is cut would
// block it for the kernel's SYN timeout (minutes), stalling every other
// connect and the process's shutdown. The directory therefore probes first,
// in a short-lived detached actor, and only then asks the middleman.
#pragma once

#include "core/base/types.hpp"

#include <caf/atom.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <string>

namespace logstore::net {

using probe_atom = caf::atom_constant<caf::atom("probe")>;

/// True when a TCP connection to host:port opens within `timeout`; otherwise
/// false and `why` says what happened. Blocks the calling thread.
bool tcp_probe(const std::string& host, uint16_t port, time_us timeout,
               std::string& why);

/// Answers one (probe_atom, host, port, timeout_us) with (bool, why), then
/// quits. Spawn it detached: it blocks for up to the timeout.
caf::behavior probe_actor(caf::event_based_actor* self);

} // namespace logstore::net
