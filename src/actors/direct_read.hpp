// logstore — a read without the master on the data path: ask the master
// for a plan, fetch from the storage nodes in parallel, merge.
// Layer: actors. Runs inside any event-based actor (the simulator's
// workload client, `logstore read`'s reader, the benchmark); the decisions
// are core/client/read_session.hpp's, this file only sends and receives.
//
//   read_plan_req --> master --> read_plan_reply (or an error: done(code))
//   at the same time, a prefetch (fetch_req with scan_max) --> the node that
//                 served most of the previous read: its frames count for
//                 the planned batches it holds; the plan waits for it only
//                 if it lists that node
//   fetch_req --> each planned node, in parallel, each with the plan's
//                 fetch_timeout (never past the read's deadline)
//   fetch_result / failure --> read_session --> fallback fetches
//   all batches received or given up --> done(none, result); the copies a
//   node said it lacks go to the master as missing_copies (one-way)
//
// The deadline bounds the whole read: when it passes before the session is
// done, done(timeout). Reaches peers only through the node directory.
#pragma once

#include "actors/deadlines.hpp"
#include "actors/node_context.hpp"
#include "core/base/messages.hpp"

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace logstore {

/// What the reads of one actor share: the directory and resolved peers.
struct reader_env {
  caf::actor directory;
  peer_cache peers;
  /// The owning actor's request deadlines (it handles deadline_atom);
  /// null: CAF's timeout per request.
  deadlines_ptr deadlines;
  /// Where a read logs fetched frames that failed verification (event
  /// corrupt_frame); null: not logged, only counted.
  const node_context* log = nullptr;
  uint64_t corrupt_frames = 0; ///< over every read through this env
  /// Where the next read sends its prefetch (the node that served most of
  /// the previous read), and how long it waits for it (the previous
  /// plan's fetch_timeout). Empty: no prefetch.
  std::optional<plan_node> prefetch_at;
  time_us prefetch_timeout = 0;
  /// Addresses already told to the directory, by node.
  std::map<node_name, std::string> learned;
};

using reader_env_ptr = std::shared_ptr<reader_env>;

/// code == none: `result` holds the merged answer (complete or not).
/// Otherwise the read failed with `code` (`text` says why) and result is
/// null.
using read_done
  = std::function<void(errc code, const std::string& text, read_result* res)>;

/// Reads [window.from, window.to] through master `master`, finishing
/// within `timeout` (virtual or steady time: the actor clock).
void direct_read(caf::event_based_actor* self, const reader_env_ptr& env,
                 const node_name& master, time_range window, time_us timeout,
                 read_done done);

/// An actor that answers read_req with read_result (or the error) by a
/// direct_read through `master`, each within `timeout`: for callers that
/// block (`logstore read`, the benchmark). Spawn with
/// sys.spawn(reader_actor, directory, master, timeout).
caf::behavior reader_actor(caf::event_based_actor* self, caf::actor directory,
                           node_name master, time_us timeout);

} // namespace logstore
