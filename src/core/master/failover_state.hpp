// logstore — what a master keeps for failover: its role, the epochs it
// knows of, the campaign it runs, and the replication of its record to
// the storage nodes (docs/protocol.md, "Master failover").
// Layer: core/master (no CAF, no clock, no I/O). Part of master_state; it
// survives a step-down (the rest of the state is dropped then).
#pragma once

#include "core/base/messages.hpp"
#include "core/base/types.hpp"
#include "core/master/master_effects.hpp"
#include "core/master/master_record.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace logstore {

enum class master_role : uint8_t {
  active,    ///< serves; its epoch is promised by a promotion quorum
  standby,   ///< answers not_active; watches the active master
  candidate, ///< collecting promises for `proposed`
};

std::string_view to_string(master_role r);

/// A record with its place in the order of records: (epoch, version).
struct versioned_record {
  uint64_t epoch = 0;   ///< the epoch of the master that wrote it; 0 = none
  uint64_t version = 0; ///< counts the writes within that epoch
  master_record record;

  bool newer_than(const versioned_record& other) const {
    return std::pair{epoch, version} > std::pair{other.epoch, other.version};
  }
};

struct failover_state {
  bool enabled = false; ///< cluster_config::multi_master()
  node_name self;       ///< this master's name (one of cfg.masters)
  master_role role = master_role::active;
  /// The highest epoch this master has heard of (its own included).
  uint64_t seen_epoch = 0;
  node_name active;          ///< believed active ("" = none known)
  uint64_t active_epoch = 0; ///< the epoch it is active at
  time_us active_heard = 0;  ///< last sign of life from it (standby)
  time_us campaign_at = -1;  ///< when to campaign (-1: not scheduled)
  /// The newest record this master knows (pushed by the active master,
  /// found in promises, or its own while active).
  versioned_record known;

  // -- a campaign (candidate) --
  uint64_t proposed = 0;
  bool prevote = false; ///< asking "would you promise?" first
  /// The last campaign lost against another candidate (a split vote): the
  /// next back-off is drawn from a wider range (randomized_backoff()).
  bool split = false;
  time_us campaign_until = 0;
  std::map<node_name, epoch_ack> promises;
  std::set<node_name> asked;   ///< in this campaign
  std::set<node_name> waiting; ///< asked, no answer yet

  // -- the record's replication (active) --
  uint64_t version = 0;   ///< the newest version sent
  uint64_t committed = 0; ///< the newest version a majority holds
  /// The newest version sent and not yet committed: the record, its
  /// encoding, and who holds it (a newer version replaces it; committing
  /// it commits every older one).
  struct in_flight {
    uint64_t version = 0;
    master_record record;
    std::string text;
    std::set<node_name> holders;
  };
  std::optional<in_flight> sent;
  uint64_t promoted_version = 0; ///< written at promotion: serve after it
  /// The storage nodes whose promises made this master active: every
  /// acknowledged batch has a copy on one of them, so once they all have
  /// reported, the index holds every acknowledged batch (the others stay
  /// unreported: reads incomplete, retries in doubt, as after a restart).
  std::set<node_name> promisers;
  batch_id committed_reserved = 1; ///< reserved_until a majority holds
  /// The members of the newest committed record: only they get copies.
  std::set<node_name> committed_names;
  time_us quorum_heard = 0;        ///< CheckQuorum: a majority was up then
  /// CheckQuorum counts round trips, not inbound messages: when each
  /// storage node last echoed this master's lease (a one-way partition
  /// lets their heartbeats in while nothing of ours gets out).
  std::map<node_name, time_us> reached;
  /// Replies that report durable decisions (a definite failure, a remove):
  /// sent once the record version holding the decision is committed.
  std::vector<std::pair<uint64_t, fx::reply>> held;
  /// Retention deletes, sent once the record with their watermark is
  /// committed (by version).
  std::vector<std::pair<uint64_t, std::map<node_number, std::vector<batch_id>>>>
    deferred_deletes;

  /// Storage nodes that tried to join or heartbeat this master while it
  /// was not active (name -> address): asked for promises too, so that a
  /// standby that never received a record can still find the cluster.
  std::map<node_name, std::string> contacts;

  uint64_t failovers = 0; ///< promotions seen (own or another's)
  /// The other masters as last seen (status_reply.masters).
  std::map<node_name, master_view> peers;
  std::map<node_name, time_us> peer_heard;
};

/// How many explicit promises a promotion needs among `members` storage
/// nodes with write quorum `w`: a majority (so the newest committed record
/// is among them) and at least members - w + 1 (so every batch that got w
/// confirmations is on one of them, and no older master can collect w
/// confirmations any more). 0 members: 0 (a new cluster).
inline size_t promotion_quorum(size_t members, uint32_t w) {
  if (members == 0)
    return 0;
  size_t majority = members / 2 + 1;
  size_t coverage = w >= members ? 1 : members - w + 1;
  return majority > coverage ? majority : coverage;
}

/// A majority of `members` (0 for none).
inline size_t record_quorum(size_t members) {
  return members == 0 ? 0 : members / 2 + 1;
}

} // namespace logstore
