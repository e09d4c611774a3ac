// logstore — the protocol as CAF sees it: atoms, error conversion, and the one
// function that announces every message type.
// Layer: actors (caf::core). CAF 0.17 has no type-ID blocks (they arrived in
// 0.18); register_protocol_types() is this version's single place: every
// process, simulated or real, calls it, so all nodes announce the same names.
#pragma once

#include "core/base/errors.hpp"
#include "core/base/messages.hpp"
#include "core/master/master_effects.hpp"

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <string>

namespace logstore {

// Local (never cross-node) requests and timers.
using resolve_atom = caf::atom_constant<caf::atom("resolve")>;
using learn_atom = caf::atom_constant<caf::atom("learn")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using next_op_atom = caf::atom_constant<caf::atom("nextop")>;
using final_read_atom = caf::atom_constant<caf::atom("finalrd")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using synced_atom = caf::atom_constant<caf::atom("synced")>;
using fsync_tick_atom = caf::atom_constant<caf::atom("fsynctk")>;
using backoff_atom = caf::atom_constant<caf::atom("backoff")>;
using campaign_atom = caf::atom_constant<caf::atom("campaign")>;

/// The error category of every logstore error carried in a caf::error.
constexpr caf::atom_value error_category = caf::atom("logstore");

/// Wraps an errc as a caf::error (for replies).
caf::error make_error(errc code, std::string text = {});

/// Classifies any caf::error a requester receives: our own codes map back;
/// "could not connect" maps to errc::unreachable (definite: nothing sent);
/// everything else, request_timeout included, to errc::timeout (indefinite).
errc to_errc(const caf::error& err);

/// "name: text" for a logstore error (its code's name and the text it
/// carries), `fallback` (CAF's rendering) for any other error.
std::string describe_error(const caf::error& err, std::string fallback);

/// A message of the master machine as CAF sends it: a shared store_req is
/// encoded once (its `wire` slot keeps the CAF message, so RF sends share
/// one copy of the entries), join_nudge is join_atom.
caf::message to_message(const node_message& msg);

/// Announces every protocol message type to CAF under a stable name.
void register_protocol_types(caf::actor_system_config& cfg);

} // namespace logstore
