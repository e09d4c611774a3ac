// logstore — the master's memory of recent appends per client, so that a
// retried (client, seq) is stored once and answered consistently.
// Layer: core. Bounded: a window of outcomes per client, not per batch
// forever. A seq older than the window is answered "unknown" (the caller
// treats it as a new append only if it was never seen, see docs/protocol.md).
//
// Invariants:
//  1. every client's map holds at most window_ outcomes; when over, the
//     smallest seq is evicted.
//  2. an acked outcome is never replaced by a different one: the client was
//     told "batch b", and a retry must hear the same. record() refuses such
//     a change (returns false) rather than assert: a twin batch reported by
//     a storage node is remote input (see master_doubt.cpp).
//  3. failed outcomes carry an error; the others carry errc::none.
#pragma once

#include "core/base/errors.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <map>
#include <unordered_map>

namespace logstore {

class dedup_table {
public:
  enum class state : uint8_t { in_progress, acked, failed };

  struct outcome {
    state st = state::in_progress;
    batch_id batch = 0;
    errc error = errc::none;
  };

  explicit dedup_table(uint32_t window_per_client)
    : window_(window_per_client) {
  }

  /// nullptr when (client, seq) is not remembered.
  const outcome* find(client_id client, sequence_nr seq) const;

  /// Records or overwrites the outcome; evicts the client's oldest entry when
  /// the window is full. Returns false, changing nothing, when the pair is
  /// acked with another batch (invariant 2).
  /// REQUIRES: only failures carry an error.
  [[nodiscard]] bool record(client_id client, sequence_nr seq, outcome x);

  /// Records `x` even over an acked outcome with another batch: for a
  /// direct write, the client's own ack names the batch (a twin the master
  /// adopted gives way to it, machine_placement.cpp).
  void replace(client_id client, sequence_nr seq, outcome x);

  /// Whether the outcome may be recorded (see record()).
  bool may_record(client_id client, sequence_nr seq, const outcome& x) const;

  size_t clients() const {
    return per_client_.size();
  }

private:
  uint32_t window_;
  std::unordered_map<client_id, std::map<sequence_nr, outcome>> per_client_;
};

} // namespace logstore
