// logstore — direct writes carried out by an actor: the CAF side of
// core/client/direct_writer.hpp (which decides everything).
// Layer: actors. Runs inside any event-based actor (the simulator's
// workload client, `logstore append`'s driver, the benchmark):
//
//   placement_req --> master --> placement_reply / error
//   store_req     --> each replica of the placement, in parallel, the same
//                     encoded message for all of them, each with the
//                     placement's store_timeout; while a message to a node
//                     is in flight, the stores for it wait and go together
//                     in one store_many_req (Nagle's rule: nothing waits
//                     when nothing is in flight, so one batch at a time
//                     pays no delay)
//   commit_req    --> master, one at a time, the batches stored within
//                     commit_delay together; after a failure, again after
//                     commit_delay (a commit_retry_atom to the actor, which
//                     calls writer_commit_retry)
//
// Every request's timeout is kept by the owner's deadline_wheel
// (deadlines.hpp), not by one CAF timer each.
//
// Reaches peers only through the node directory (it tells the directory
// the replicas' addresses from the placement, as reads do).
#pragma once

#include "actors/deadlines.hpp"
#include "actors/node_context.hpp"
#include "core/client/direct_writer.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace logstore {

using commit_retry_atom = caf::atom_constant<caf::atom("cmtretry")>;

struct writer_env {
  explicit writer_env(client_id client) : writer(client) {
  }
  direct_writer writer;
  caf::actor directory;
  peer_cache peers;
  /// The owning actor's request deadlines (it handles deadline_atom);
  /// null: CAF's timeout per request.
  deadlines_ptr deadlines;
  std::map<node_name, std::string> learned;
  /// A store waiting for its node (see `outboxes`).
  struct queued_store {
    uint64_t op = 0;
    time_us timeout = 0;
    std::shared_ptr<const store_req> req;
    caf::message msg; ///< req encoded once, shared by every replica
  };
  struct outbox {
    std::vector<queued_store> queued;
    uint32_t in_flight = 0; ///< messages sent and not yet answered
  };
  /// Per storage node: the stores queued behind the messages in flight.
  std::map<node_name, outbox> outboxes;
  /// Messages in flight per node before stores wait for one to return.
  /// (Measured with bench/cluster_bench.cpp, K=1 with 8 in flight: 1
  /// gave 7,135 appends/s, 2 gave 5,915, 8 gave 5,334.)
  uint32_t store_messages_in_flight = 1;
  /// The master to ask now, and what to do when it failed (forget it, go
  /// to the next one).
  std::function<node_name()> master;
  std::function<void(errc)> master_failed;
  time_us request_timeout = 1'000'000; ///< placement_req and commit_req
  /// How long stored batches wait to share a commit_req (and a failed
  /// commit waits before it goes again).
  time_us commit_delay = 5'000;
  /// Called for every attempt that ended (the caller decides retries and
  /// then calls writer_finish).
  std::function<void(const direct_writer::attempt_end&)> on_end;
  /// Called after every input the writer handled (a caller waiting for
  /// idle() looks again).
  std::function<void()> on_progress;
};

using writer_env_ptr = std::shared_ptr<writer_env>;

/// An attempt of append `op` (see direct_writer::begin).
void writer_begin(caf::event_based_actor* self, writer_env_ptr env,
                  uint64_t op, const append_req& req);
/// Append `op` is over: commit what it stored.
void writer_finish(caf::event_based_actor* self, writer_env_ptr env,
                   uint64_t op);
/// The actor got commit_retry_atom.
void writer_commit_retry(caf::event_based_actor* self,
                         writer_env_ptr env);
/// No more appends: close the placements once their commits are in.
void writer_close(caf::event_based_actor* self, writer_env_ptr env);

} // namespace logstore
