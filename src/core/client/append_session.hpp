// logstore — one client session for both runtimes: how an append is retried,
// when its outcome is definite, and which history events it leaves.
// Layer: core/client (no CAF, no clock: times come with the calls).
//
// The simulator's workload client (src/actors/client_actor.cpp) and the
// CLI's append pipeline (src/app/append_driver.cpp) both run their appends
// through append_attempts, so a simulated history describes exactly what
// `logstore append` does (docs/protocol.md, "From outcome to history"):
//
//   begin() -> attempt n (sent with append_req.attempt = n)
//     ok ----------------------------------------------> history ok
//     timeout / unreachable / unavailable / in_doubt,
//       retries left ------> wait backoff(n) --> begin() again, same
//                            (client, seq)
//     any other error, or retries used up:
//       definite (is_definite, and "unreachable" only if no attempt ever
//       got out) ------------------------------------> history fail
//       otherwise (it may be stored) ------------------> history info
#pragma once

#include "core/base/messages.hpp"
#include "core/history/history.hpp"

#include <cstdint>
#include <vector>

namespace logstore {

/// How a client retries an append (the same (client, seq) every time).
struct retry_policy {
  uint32_t retries = 5;               ///< attempts after the first
  time_us backoff_first = 100'000;    ///< before the first retry
  time_us backoff_max = 2'000'000;    ///< doubling stops here
};

/// Errors after which the same append is tried again: the master did not
/// answer (timeout), could not be reached (unreachable), is not taking
/// writes yet (unavailable: a restarted master rebuilding its index), or
/// cannot tell yet what became of an earlier attempt (in_doubt).
bool retryable(errc code);

/// The wait before retry number `retry` (1 = the first retry): doubling
/// from backoff_first, at most backoff_max.
time_us backoff(const retry_policy& p, uint32_t retry);

/// What a client does after a failed attempt.
struct append_decision {
  bool retry = false;
  time_us delay = 0;               ///< retry: wait this long first
  op_type outcome = op_type::fail; ///< no retry: fail (definite) or info
};

/// The attempts of one append.
class append_attempts {
public:
  explicit append_attempts(retry_policy p = {}) : policy_(p) {
  }

  /// Starts the next attempt; returns its number for append_req.attempt
  /// (0 = the first: a restarted master may answer it definitely).
  uint32_t begin() {
    return made_++;
  }

  /// The attempt just begun failed with `code`.
  append_decision on_error(errc code);

  uint32_t attempts() const {
    return made_;
  }
  /// Some attempt may have reached the master.
  bool maybe_sent() const {
    return maybe_sent_;
  }

private:
  retry_policy policy_;
  uint32_t made_ = 0;
  bool maybe_sent_ = false;
};

/// A finished read is definite (fail) when refused, indefinite (info) when
/// it timed out: a read changes nothing, but the history keeps Maelstrom's
/// split.
op_type read_outcome(errc code);

/// Logical processes for the history (Knossos' "crashed process" rule):
/// after an indefinite outcome a process's last operation is in limbo, so
/// it is never used again; after ok or fail it is free for the next
/// operation. Ids are first, first + stride, first + 2 stride, ...
class process_ids {
public:
  process_ids(uint64_t first, uint64_t stride)
    : next_(first), stride_(stride) {
  }
  uint64_t take();
  void release(uint64_t process, op_type outcome);

private:
  std::vector<uint64_t> free_;
  uint64_t next_;
  uint64_t stride_;
};

/// The history event of an append: invoke, or its completion.
history_event append_event(op_type type, const append_req& req, time_us at,
                           uint64_t process, const node_name& node,
                           batch_id batch = 0, errc code = errc::none);

/// The history event of a read's completion (`res` null unless ok).
history_event read_event(op_type type, op_fn f, time_range range, time_us at,
                         uint64_t process, const node_name& node, errc code,
                         const read_result* res);

} // namespace logstore
