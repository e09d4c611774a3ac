// logstore — the append pipeline: an event-based actor in the client process
// that keeps up to `in_flight` batches outstanding at the master, retries
// each with the SAME (client, seq), and records every operation in a
// history when asked. Retries, back-off and verdicts are the client session
// of src/core/client/append_session.hpp, which the simulator's workload
// client (src/actors/client_actor.cpp) runs too.
// Layer: app.
//
//   main thread --(batch_atom)--> driver: answered with credits, when there
//   is room (back-pressure; room = 2 x in_flight batches: in_flight at the
//   cluster and as many ready in the driver, so a completion starts the
//   next batch at once); the answer grants every free slot, and waits
//   until at least in_flight are free, so the producer thread crosses to
//   the driver once per in_flight batches, not once per batch
//   main thread --(append_req, lines)--> driver, one per credit
//                                      driver --append_req--> master link
//   ok -> done | timeout/unreachable/unavailable/in_doubt -> retry after
//   back-off (same seq)
//   | definite error or retries used up -> report the input lines
//   main thread --(drain_atom, unused credits)--> driver: answered once
//   everything finished
//   (and, writing directly, every stored batch is committed to the master),
//   with (entries acked, entries not stored, entries maybe stored)
//
// Writing directly (a directory given, and the cluster's write_path is
// direct), the attempts are those of actors/direct_write.hpp: placement,
// stores at the replicas, commits in the background.
#pragma once

#include "core/client/append_session.hpp"
#include "core/history/history.hpp"
#include "core/base/messages.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/timespan.hpp>

#include <functional>
#include <memory>
#include <tuple>

namespace logstore::app {

using batch_atom = caf::atom_constant<caf::atom("batch")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;

struct driver_options {
  caf::actor master;          ///< the master's net_link
  /// Direct writes (docs/protocol.md, "Direct writes"): the node directory
  /// and the masters by name, active first. With a directory, the driver
  /// asks the master for a placement first and stores each batch at its
  /// replicas itself; a master that says the cluster writes through it
  /// (precondition_failed) gets append_req instead, for the whole run.
  caf::actor directory;
  std::vector<std::string> masters;
  client_id client = 0;       ///< the batches' client id (direct writes)
  uint32_t in_flight = 8;     ///< batches outstanding at once
  retry_policy policy;        ///< retries and back-off per batch
  caf::timespan timeout;      ///< per attempt
  std::shared_ptr<history> hist; ///< null = do not record
  uint64_t process_base = 0;  ///< first history process id
  /// Called in the driver's thread when a batch ends (op_type::ok, fail or
  /// info = maybe stored), with the microseconds from its first attempt to
  /// that end. Empty = not called (bench/cluster_bench.cpp measures with it).
  std::function<void(sequence_nr seq, op_type result, time_us latency)>
    on_complete;
};

caf::behavior append_driver(caf::event_based_actor* self, driver_options opts);

/// The producer's side of the room protocol (a blocking actor in another
/// thread): take() before each batch it sends, drain() after the last.
class driver_room {
public:
  explicit driver_room(caf::actor driver) : driver_(std::move(driver)) {
  }
  /// Blocks until the driver has room for one more batch.
  void take(caf::scoped_actor& self);
  /// Waits until every batch sent has ended; returns (entries acked, not
  /// stored, maybe stored), all 0 if the driver is gone.
  std::tuple<uint64_t, uint64_t, uint64_t> drain(caf::scoped_actor& self);

private:
  caf::actor driver_;
  uint32_t credits_ = 0;
};

/// "3, 7-9, 12": input line numbers as ranges.
std::string line_ranges(const std::vector<uint32_t>& lines);

} // namespace logstore::app
