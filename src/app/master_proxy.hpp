// logstore — the client's way to the active master when there are several
// (`--master A,B,C`): an actor that sends each append to the master it
// takes for active and, when that one does not answer or says it is not
// active (not_active), takes the next one in the list for the following
// attempt, as the simulator's client does (src/actors/client_actor.cpp).
// The append session's retry policy (core/client/append_session.hpp)
// retries with the same (client, seq), so a retry after a failover is
// stored once. Layer: app.
#pragma once

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include <string>
#include <vector>

namespace logstore::app {

/// Handles append_req (answered with append_ack or the master's error).
/// `names`: the masters in --master order; `directory` resolves them.
caf::behavior master_proxy(caf::event_based_actor* self, caf::actor directory,
                           std::vector<std::string> names,
                           caf::timespan timeout);

} // namespace logstore::app
