// logstore — a workload client: appends batches and reads time ranges at a
// seeded rate, and records every operation (invoke and completion) in a
// history for the checker. Retries and verdicts are the client session of
// src/core/client/append_session.hpp, the same that `logstore append` uses.
// Layer: actors. The simulator runs several.
//
//   [idle] --next_op--> append: invoke --ok--> record ok ------+
//     ^                     |  ^ timeout/unreachable/unavailable/in_doubt,
//     |                     |  +-- retries left: back off, same (client, seq)
//     |                     +--definite error--> record fail --+
//     |                     +--retries used up--> record info (maybe stored)
//     +--------------- wait exp(mean gap) <--------------------+
#pragma once

#include "actors/node_context.hpp"
#include "core/history/history.hpp"

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include <vector>

namespace logstore {

struct client_options {
  uint32_t number = 1;          ///< client-N; also its client id
  uint32_t process_stride = 1;  ///< total clients: fresh process ids step by it
  /// The masters (cluster_config::masters order; one for a single master):
  /// the client sends to one and moves on to the next when it does not
  /// answer or says it is not active.
  std::vector<node_name> masters = {"master"};
  time_us start_at = 100'000;   ///< first operation (virtual/real time)
  time_us stop_at = 10'000'000; ///< no new operation after this
  time_us mean_gap = 10'000;    ///< mean pause between operations
  uint32_t batch_size = 10;
  uint32_t entry_bytes = 64;
  double read_share = 0.1;
  time_us read_window = 2'000'000;
  time_us op_timeout = 2'000'000;
  uint32_t append_retries = 3;
  timestamp_us start_ts = 1'700'000'000'000'000; ///< ts = start_ts + now
  /// Share of batches backfilled: their timestamps start at a time drawn
  /// uniformly from [start_ts, start_ts + now] (old logs sent late).
  double backfill_share = 0;
  /// Write straight to the storage nodes of a placement the master grants
  /// (cluster_config::write_path = direct; src/actors/direct_write.hpp).
  bool direct = false;
};

/// `h` may be null (no recording). It must outlive the actor.
caf::behavior client_actor(caf::event_based_actor* self, client_options opts,
                           node_context ctx, history* h);

} // namespace logstore
