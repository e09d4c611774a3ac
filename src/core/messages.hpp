// logstore — THE protocol: every message exchanged between nodes.
// Layer: core (no CAF header). Each struct's inspect() lets CAF serialize it;
// src/actors/protocol.cpp announces them all in one place. docs/protocol.md
// is the table of sender -> receiver, reply and errors; keep them in step.
//
// Rules: peers are named, never passed as actor handles; every request has a
// reply or an error, and every requester waits with a finite timeout; every
// handler is idempotent because the network may duplicate and reorder.
#pragma once

#include "core/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace logstore {

// --- membership ---------------------------------------------------------------

/// What a storage node knows about one batch it holds: enough for a master
/// that restarted to rebuild its index entry (GFS-style) and its retry
/// memory (client, seq).
struct batch_info {
  batch_id batch = 0;
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  uint32_t entries = 0;
  uint32_t bytes = 0;
  client_id client = 0;
  sequence_nr seq = 0;
};

/// storage -> master, at start and after every restart.
/// Reply: join_ack. Errors: none (a re-join replaces the old address).
struct join_req {
  node_name name;       ///< e.g. "storage-3"
  std::string address;  ///< host:port where the node listens (sim: "sim")
  std::string zone;     ///< failure domain; empty = none
  /// Block report: every batch the node holds, ascending by id (HDFS-style).
  /// The master reconciles its index with it (docs/protocol.md "Rejoin"),
  /// or rebuilds it after a master restart.
  std::vector<batch_info> holds;
};

/// master -> storage, reply to join_req.
struct join_ack {
  uint64_t epoch = 0;            ///< the master's epoch
  time_us heartbeat_interval = 0; ///< how often to send heartbeat_msg
};

/// storage -> master, every heartbeat_interval. One-way (no reply).
struct heartbeat_msg {
  node_name name;
  uint64_t batches = 0; ///< batches held
  uint64_t bytes = 0;   ///< payload bytes held
  /// Copies found damaged (checksum) since the last heartbeat, or lost in
  /// recovery: the master drops them from the index and re-replicates.
  std::vector<batch_id> lost;
};

// --- write path ---------------------------------------------------------------

/// client -> master. Reply: append_ack.
/// Errors: not_enough_nodes (definite), replication_failed (definite),
/// malformed_request (definite); the client's own timeout is indefinite.
/// A retry carries the same (client, seq) and is stored once.
struct append_req {
  client_id client = 0;
  sequence_nr seq = 0;
  std::vector<entry> entries;
};

/// master -> client: the batch is on at least write_quorum nodes.
struct append_ack {
  batch_id batch = 0;
  std::vector<node_name> replicas; ///< nodes confirmed when the ack was sent
};

/// master -> storage: keep one copy of a batch. Reply: store_ack.
/// Errors: store_refused (definite). Idempotent per batch id.
struct store_req {
  batch_id batch = 0;
  client_id client = 0;
  sequence_nr seq = 0;
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  std::vector<stored_entry> entries; ///< sorted in read order
};

/// storage -> master, reply to store_req: the copy is stored.
struct store_ack {
  batch_id batch = 0;
  node_name node;
};

// --- repair, rebalance, drain, retention --------------------------------------

/// master -> storage (the target): fetch batch `batch` from `source` and
/// keep a copy. Reply: copy_ack. Errors: unreachable / batch_not_found /
/// store_refused (definite: no copy made). Idempotent.
struct copy_req {
  batch_id batch = 0;
  node_name source;
  std::string source_address; ///< so a real-mode directory can connect
};

/// storage -> master: the copy is stored.
struct copy_ack {
  batch_id batch = 0;
  node_name node;
};

/// master -> storage: drop these copies (surplus beyond RF, moved away,
/// expired, or never acknowledged). One-way; idempotent.
struct delete_req {
  std::vector<batch_id> batches;
};

/// anyone -> storage: what do you hold? Reply: block_report.
struct block_report_req {};

/// storage -> requester: held batch ids (ascending) and a digest of their
/// contents, so replicas can be compared (replicas-converge).
struct block_report {
  node_name node;
  std::vector<batch_id> batches;
  std::vector<uint64_t> digests; ///< one per batch, same order
};

/// operator -> master: move every batch off `node`, then report it safe to
/// remove. Reply: member_status of the node (progress; repeat to poll).
/// Errors: malformed_request (unknown node, definite).
struct drain_req {
  node_name node;
};

// --- read path ----------------------------------------------------------------

/// client -> master: every entry with from <= ts <= to. Reply: read_result.
/// Errors: malformed_request (from > to, definite).
struct read_req {
  timestamp_us from = 0;
  timestamp_us to = 0;
};

/// master -> client. Entries sorted by (ts, source, client, seq, index).
/// When complete is false, `missing` names the time ranges of batches that
/// had no reachable replica; everything outside them is present.
struct read_result {
  std::vector<stored_entry> entries;
  bool complete = true;
  std::vector<time_range> missing;
  /// Retention: entries with ts < expired_before were deleted on purpose
  /// (by age or by size); a read reaching below it says so. min() = none.
  timestamp_us expired_before = INT64_MIN;
};

/// master -> storage: the entries of these batches within [from, to].
/// Reply: fetch_result (batches the node lacks are listed, not an error).
struct fetch_req {
  std::vector<batch_id> batches;
  timestamp_us from = 0;
  timestamp_us to = 0;
};

/// The part of one batch that falls into a fetch range.
struct batch_slice {
  batch_id batch = 0;
  std::vector<stored_entry> entries; ///< sorted in read order
};

/// storage -> master, reply to fetch_req.
struct fetch_result {
  std::vector<batch_slice> slices;
  std::vector<batch_id> not_found;
};

// --- status -------------------------------------------------------------------

/// One member as the master sees it.
struct member_status {
  node_name name;
  std::string address;
  std::string zone;
  std::string state; ///< "up", "suspect" or "dead"
  uint64_t batches = 0; ///< batches the index places on this node
  uint64_t bytes = 0;
  bool draining = false;
  /// Removing the node now loses no copy: it holds no batch the index
  /// needs (drained, or it never held any).
  bool safe_to_remove = false;
};

/// anyone -> master. Reply: status_reply.
struct status_req {};

struct status_reply {
  uint64_t epoch = 0;
  uint32_t replication_factor = 0;
  uint32_t write_quorum = 0;
  uint64_t batches = 0;
  uint64_t under_replicated = 0; ///< batches with fewer live copies than RF
  uint64_t repairs_done = 0;     ///< copies made by re-replication
  uint64_t repairs_pending = 0;  ///< queued + in flight
  std::vector<member_status> members;
  uint64_t moves_done = 0;       ///< rebalance moves finished
  /// Retention watermark: entries with ts below it were deleted on purpose
  /// (as read_result.expired_before); min() = nothing expired.
  timestamp_us expired_before = INT64_MIN;
};

// --- serialization (CAF's inspect protocol, written without CAF headers) -------

template <class Inspector>
auto inspect(Inspector& f, entry& x) {
  return f(x.ts, x.source, x.payload);
}
template <class Inspector>
auto inspect(Inspector& f, stored_entry& x) {
  return f(x.ts, x.source, x.payload, x.client, x.seq, x.index);
}
template <class Inspector>
auto inspect(Inspector& f, time_range& x) {
  return f(x.from, x.to);
}
template <class Inspector>
auto inspect(Inspector& f, batch_info& x) {
  return f(x.batch, x.min_ts, x.max_ts, x.entries, x.bytes, x.client, x.seq);
}
template <class Inspector>
auto inspect(Inspector& f, join_req& x) {
  return f(x.name, x.address, x.zone, x.holds);
}
template <class Inspector>
auto inspect(Inspector& f, copy_req& x) {
  return f(x.batch, x.source, x.source_address);
}
template <class Inspector>
auto inspect(Inspector& f, copy_ack& x) {
  return f(x.batch, x.node);
}
template <class Inspector>
auto inspect(Inspector& f, delete_req& x) {
  return f(x.batches);
}
template <class Inspector>
auto inspect(Inspector& f, drain_req& x) {
  return f(x.node);
}
template <class Inspector>
auto inspect(Inspector& f, block_report_req&) {
  return f();
}
template <class Inspector>
auto inspect(Inspector& f, block_report& x) {
  return f(x.node, x.batches, x.digests);
}
template <class Inspector>
auto inspect(Inspector& f, join_ack& x) {
  return f(x.epoch, x.heartbeat_interval);
}
template <class Inspector>
auto inspect(Inspector& f, heartbeat_msg& x) {
  return f(x.name, x.batches, x.bytes, x.lost);
}
template <class Inspector>
auto inspect(Inspector& f, append_req& x) {
  return f(x.client, x.seq, x.entries);
}
template <class Inspector>
auto inspect(Inspector& f, append_ack& x) {
  return f(x.batch, x.replicas);
}
template <class Inspector>
auto inspect(Inspector& f, store_req& x) {
  return f(x.batch, x.client, x.seq, x.min_ts, x.max_ts, x.entries);
}
template <class Inspector>
auto inspect(Inspector& f, store_ack& x) {
  return f(x.batch, x.node);
}
template <class Inspector>
auto inspect(Inspector& f, read_req& x) {
  return f(x.from, x.to);
}
template <class Inspector>
auto inspect(Inspector& f, read_result& x) {
  return f(x.entries, x.complete, x.missing, x.expired_before);
}
template <class Inspector>
auto inspect(Inspector& f, fetch_req& x) {
  return f(x.batches, x.from, x.to);
}
template <class Inspector>
auto inspect(Inspector& f, batch_slice& x) {
  return f(x.batch, x.entries);
}
template <class Inspector>
auto inspect(Inspector& f, fetch_result& x) {
  return f(x.slices, x.not_found);
}
template <class Inspector>
auto inspect(Inspector& f, member_status& x) {
  return f(x.name, x.address, x.zone, x.state, x.batches, x.bytes,
           x.draining, x.safe_to_remove);
}
template <class Inspector>
auto inspect(Inspector& f, status_req&) {
  return f();
}
template <class Inspector>
auto inspect(Inspector& f, status_reply& x) {
  return f(x.epoch, x.replication_factor, x.write_quorum, x.batches,
           x.under_replicated, x.repairs_done, x.repairs_pending, x.members,
           x.moves_done, x.expired_before);
}

} // namespace logstore
