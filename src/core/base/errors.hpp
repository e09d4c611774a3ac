// logstore — the protocol's error codes.
// Layer: core. Every code is either DEFINITE (the operation certainly did not
// take effect) or INDEFINITE (it may have). When in doubt: indefinite.
// docs/protocol.md has the same table; keep them in step.
#pragma once

#include <cstdint>
#include <string_view>

namespace logstore {

enum class errc : uint8_t {
  none = 0,
  /// Fewer live storage nodes than the write quorum. Definite: no copy sent.
  not_enough_nodes = 1,
  /// The master tried every eligible node and could not collect the write
  /// quorum. Definite: the batch is never indexed, so no read returns it and
  /// a retry of the same (client, seq) gets the same answer.
  replication_failed = 2,
  /// The request was malformed (empty batch, inverted range, ...). Definite.
  malformed_request = 3,
  /// No answer in time. Indefinite: the operation may have taken effect.
  timeout = 4,
  /// The node is not ready to serve (e.g. still starting). Definite.
  unavailable = 5,
  /// A storage node does not hold a requested batch. Definite.
  batch_not_found = 6,
  /// The peer could not be resolved or reached. Definite for a request that
  /// was never sent.
  unreachable = 7,
  /// The storage node refused to store (e.g. full). Definite.
  store_refused = 8,
  /// The sender's epoch is stale (fencing). Definite.
  stale_epoch = 9,
  /// The master cannot tell whether an earlier attempt of this (client,
  /// seq) was stored: it restarted, and a member that may hold such a copy
  /// has not reported yet (or the only known copy is not yet on
  /// write_quorum nodes). Indefinite: retry later with the same (client,
  /// seq); the answer then covers every attempt.
  in_doubt = 10,
  /// A join under a name that another live node holds (a second process
  /// with the same name or a copied data directory). Definite: nothing
  /// changed; the joining node must not serve.
  name_in_use = 11,
  /// An operator's request whose precondition does not hold (removing a
  /// member that is still up, or that holds the only copy of a batch).
  /// Definite: nothing changed; the error text says what to do first.
  precondition_failed = 12,
  /// The master asked is not the active one (a standby, or a master that
  /// stepped down because a newer epoch exists). Indefinite: a request it
  /// was working on when it stepped down may still take effect through the
  /// new active master; retry there (the text names it when known).
  not_active = 13,
  /// A batch frame failed its checksum (or did not decode) on arrival:
  /// damaged in transit or in the sender's memory. Definite: nothing was
  /// stored; the sender may send its own good copy again.
  corrupt_frame = 14,
  /// A storage node was asked to store a batch outside every placement the
  /// master granted it (a stray or forged direct write, or a grant the
  /// node forgot in a restart). Definite: nothing was stored; ask the
  /// master for a placement.
  not_granted = 15,
};

/// Stable snake_case name, used in histories, logs and reports.
std::string_view to_string(errc code);

/// An errc as it arrived from the network: a code this build does not know
/// reads as errc::timeout (indefinite: nothing is assumed about its effect).
errc errc_from_wire(uint64_t code);

/// True when the failed operation certainly had no effect.
bool is_definite(errc code);

} // namespace logstore
