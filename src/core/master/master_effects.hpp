// logstore — what the master machine asks its world to do (effects), and
// the messages it exchanges with storage nodes.
// Layer: core/master (no CAF). The actor shell (src/actors/master_actor.cpp)
// or a test harness (tests/core/master_harness.hpp) carries the effects
// out, in order: their order is part of the behaviour (a forgotten peer
// before the next send to it, a reply after the sends of its step).
//
// Inputs name requests by tokens: `answer` effects reply to a request the
// master received (the token its caller gave it); `request` effects carry a
// token the machine chose, and the world reports the reply or the failure
// of that request with the same token (master_machine::on_reply / on_failure).
#pragma once

#include "core/base/errors.hpp"
#include "core/base/event_log.hpp"
#include "core/base/messages.hpp"
#include "core/base/replica_list.hpp"
#include "core/base/types.hpp"
#include "core/master/master_record.hpp"

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace logstore {

/// A store_req built once and shared by every send of it. `wire` is the
/// world's to fill (the actor keeps the encoded CAF message there, so RF
/// sends share one copy of the entries); the machine never looks at it.
struct shared_store {
  store_req req;
  mutable std::any wire;
};

/// "Join again, with your block report" (the storage node's join_atom).
struct join_nudge {};

/// What the master sends a storage node.
/// What the master sends a storage node, or (master_ping) another master.
using node_message
  = std::variant<std::shared_ptr<const shared_store>, copy_req, fetch_req,
                 delete_req, lost_ack, join_nudge, epoch_req, record_req,
                 master_ping, epoch_notice, grant_req, seal_req>;

/// A storage node's (or, master_info, another master's) reply to one of
/// the master's requests.
using node_reply = std::variant<store_ack, copy_ack, fetch_result, delete_ack,
                                epoch_ack, record_ack, master_info, grant_ack,
                                seal_ack>;

/// A definite or indefinite refusal, as an answer.
struct error_answer {
  errc code = errc::none;
  std::string text;
};

/// What the master answers to a request it received.
using answer = std::variant<join_ack, append_ack, read_plan_reply, status_reply,
                            member_status, error_answer, master_info,
                            placement_reply, commit_ack>;

namespace fx {

/// A request to node `to`: reply or failure come back with `token`.
struct request {
  node_name to;
  node_message msg;
  uint64_t token = 0;
  time_us timeout = 0;
};

/// A one-way message to node `to` (resolving it may take `timeout`).
struct send {
  node_name to;
  node_message msg;
  time_us timeout = 0;
};

/// A one-way message to whoever sent the input being handled.
struct to_sender {
  node_message msg;
};

/// The answer to an earlier request the master received.
struct reply {
  uint64_t token = 0;
  answer value;
};

enum class timer_kind : uint8_t {
  tick,        ///< on_tick()
  retry_store, ///< on_retry_store(batch, node)
  campaign,    ///< on_campaign_timer() (several masters)
};

/// Call back after `delay` (0: as the next message, not through a clock).
struct timer {
  time_us delay = 0;
  timer_kind kind = timer_kind::tick;
  batch_id batch = 0;
  node_number node = 0;
};

/// The cached handle of `name` is stale (it timed out): look it up again.
struct forget_peer {
  node_name name;
};

/// Tell the node directory where `name` listens.
struct learn {
  node_name name;
  std::string address;
};

/// Write the durable record (atomically) before anything that follows.
struct persist {
  master_record record;
};

/// A structured node event (the world stamps it with its time and name).
struct event {
  log_level level = log_level::info;
  std::string name;
  std::string text;
};

/// The failure detector's verdict on member `subject` changed to `state`
/// ("up", "suspect", "dead"): structured, for whoever judges verdicts (the
/// simulator's oracle), whatever the log level.
struct verdict {
  node_name subject;
  std::string state;
};

/// This master became active at `epoch`, or stepped down from it
/// ("active" / "standby"): structured, for the simulator's oracle
/// (single-active-master).
struct role {
  std::string name;
  uint64_t epoch = 0;
};

/// This master acknowledged a write under `epoch` (only with several
/// masters): for the oracle's single-active-master check.
struct acked {
  uint64_t epoch = 0;
};

/// The master cannot go on (its record is damaged): stop with this error.
struct stop {
  errc code = errc::none;
  std::string text;
};

} // namespace fx

using effect = std::variant<fx::request, fx::send, fx::to_sender, fx::reply,
                            fx::timer, fx::forget_peer, fx::learn, fx::persist,
                            fx::event, fx::verdict, fx::role, fx::acked,
                            fx::stop>;

/// The effects of one step, in the order they must happen.
using effects = std::vector<effect>;

} // namespace logstore
