// logstore — THE protocol: every message exchanged between nodes.
// Layer: core (no CAF header). Each struct's inspect() lets CAF serialize it;
// src/actors/protocol.cpp announces them all in one place. docs/protocol.md
// is the table of sender -> receiver, reply and errors; keep them in step.
//
// Rules: peers are named, never passed as actor handles; every request has a
// reply or an error, and every requester waits with a finite timeout; every
// handler is idempotent because the network may duplicate and reorder.
#pragma once

#include "core/base/types.hpp"

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
  /// Identifies the node's data: created once with its data directory and
  /// kept across restarts (a memory-only node draws a new one at every
  /// start). The master refuses a join under a name that a live node with
  /// another address holds (name_in_use), see docs/protocol.md "Rejoin".
  uint64_t incarnation = 0;
  /// This process (drawn at every start) and the number of delete_req it
  /// had applied when it built `holds`: lets the master tell a report that
  /// predates a delete it sent from one that follows it (delete_ack).
  uint64_t boot = 0;
  uint64_t version = 0;
  /// Block report: every batch the node holds, ascending by id (HDFS-style).
  /// The master reconciles its index with it (docs/protocol.md "Rejoin"),
  /// or rebuilds it after a master restart.
  std::vector<batch_info> holds;
};

/// master -> storage, reply to join_req.
struct join_ack {
  uint64_t epoch = 0;            ///< the master's epoch
  time_us heartbeat_interval = 0; ///< how often to send heartbeat_msg
  /// Clients write directly (cluster_config::write_path): a store_req is
  /// accepted only inside a placement granted by grant_req.
  bool grants_required = false;
};

/// storage -> master, every heartbeat_interval. One-way (no reply).
struct heartbeat_msg {
  node_name name;
  uint64_t batches = 0; ///< batches held
  uint64_t bytes = 0;   ///< payload bytes held
  /// Copies found damaged (checksum) or lost in recovery, and not yet
  /// acknowledged by a lost_ack: repeated in every heartbeat until then
  /// (a heartbeat may be lost). The master drops them from the index and
  /// re-replicates; a repeat finds them dropped already.
  std::vector<batch_id> lost;
};

/// master -> storage, one-way, in answer to a heartbeat with `lost`: these
/// reports are processed; stop repeating them.
struct lost_ack {
  std::vector<batch_id> batches;
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
  /// 0 for the first send of this (client, seq), 1, 2, ... for retries. A
  /// master that restarted can answer a first attempt definitely (nothing
  /// of it can exist), but not a retry whose earlier attempt may be stored
  /// on a member that has not reported yet (in_doubt).
  uint32_t attempt = 0;
  /// The newest master epoch this client has seen (from append_ack.epoch;
  /// 0 = none). A master of an older epoch is not active any more: it
  /// steps down and answers not_active (a client fences it too).
  uint64_t epoch = 0;
};

/// master -> client: the batch is on at least write_quorum nodes.
struct append_ack {
  batch_id batch = 0;
  std::vector<node_name> replicas; ///< nodes confirmed when the ack was sent
  uint64_t epoch = 0; ///< the acknowledging master's epoch
};

/// master -> storage: keep one copy of a batch. Reply: store_ack.
/// Errors: corrupt_frame (the frame failed its checksum on arrival: nothing
/// stored; send it again), store_refused, malformed_request, stale_epoch
/// (all definite). Idempotent per batch id.
struct store_req {
  /// The sending master's epoch. A storage node that joined a newer epoch
  /// refuses it (stale_epoch): a store from a master that crashed, still in
  /// flight, must not land after the node reported to the new master.
  uint64_t epoch = 0;
  batch_id batch = 0; ///< must equal the frame's own batch id
  /// One batch frame exactly as the node keeps it on disk
  /// (core/base/frame.hpp): header, entries in read order, CRC32C. Encoded
  /// once by the sender; the node verifies it and stores these bytes.
  std::string frame;
};

/// storage -> master, reply to store_req: the copy is stored.
struct store_ack {
  batch_id batch = 0;
  node_name node;
};

/// client -> storage: the direct stores queued for one node while its
/// previous message was still in flight, in one message (Nagle's rule:
/// a store goes out at once when nothing is in flight to that node; the
/// ones behind it share the next message). Each is checked, stored and
/// answered exactly as the same store_req sent alone would be.
struct store_many_req {
  std::vector<store_req> stores;
};

/// The most stores one store_many_req may hold (a node refuses more).
constexpr size_t store_many_max = 256;

/// One store's outcome in a store_many_reply: code 0 (errc::none) when the
/// copy is stored, else the errc a lone store_req would have failed with,
/// and its text. Read with outcome_code(): the code arrives from the
/// network and is not trusted to name a known errc.
struct store_outcome {
  uint8_t code = 0;
  std::string what;
};

/// storage -> client, reply to store_many_req: one outcome per store, in
/// the request's order.
struct store_many_reply {
  std::vector<store_outcome> outcomes;
};

// --- repair, rebalance, drain, retention --------------------------------------

/// master -> storage (the target): fetch batch `batch` from `source` and
/// keep a copy. Reply: copy_ack. Errors: unreachable / batch_not_found /
/// store_refused (definite: no copy made). Idempotent.
struct copy_req {
  uint64_t epoch = 0; ///< the sending master's (fenced as store_req)
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
/// expired, never acknowledged, or twins). Reply: delete_ack; the master
/// sends it again until it hears one. Idempotent.
struct delete_req {
  uint64_t epoch = 0; ///< the sending master's (fenced as store_req)
  std::vector<batch_id> batches;
};

/// storage -> master, reply to delete_req: the copies are gone as of the
/// node's `version` (delete_reqs applied since `boot`). A block report
/// built at a lower version of the same boot predates the delete.
struct delete_ack {
  uint64_t boot = 0;
  uint64_t version = 0;
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

/// operator -> master: forget member `node` for good (`logstore remove`).
/// Reply: member_status of the member as it was, state "removed".
/// Errors: malformed_request (unknown node), precondition_failed (it is up
/// or suspect; or it holds the only copy of some batch, or has not reported
/// since a master restart, unless `force`). Definite either way.
struct remove_req {
  node_name node;
  /// Remove even if copies are lost with it: batches whose only copies it
  /// held stay in the index with no replica (reads name them missing).
  bool force = false;
};

// --- read path ----------------------------------------------------------------

/// A read of every entry with from <= ts <= to, as a caller asks a reader
/// (actors/direct_read.hpp: `logstore read`, the benchmark). It no longer
/// goes to the master: the reader asks for a read_plan_req and fetches
/// from the storage nodes. Reply: read_result. Errors: malformed_request
/// (from > to, definite).
struct read_req {
  timestamp_us from = 0;
  timestamp_us to = 0;
};

/// A reader's merged answer (read_session::finish()). Entries sorted by
/// (ts, source, client, seq, index).
/// When complete is false, `missing` names the time ranges of batches that
/// had no reachable replica; everything outside them is present.
struct read_result {
  std::vector<stored_entry> entries;
  bool complete = true;
  std::vector<time_range> missing;
  /// Retention: entries with ts < expired_before were deleted on purpose
  /// (by age or by size); a read reaching below it says so. min() = none.
  timestamp_us expired_before = INT64_MIN;
  /// Members the master has not heard from since it restarted: they may
  /// hold batches it does not know, so the read is incomplete (`missing`
  /// covers the whole window) until they report or are removed.
  std::vector<node_name> unreported;
};

/// client -> master: where is what of [from, to]? Reply: read_plan_reply.
/// Errors: malformed_request (from > to, definite), not_active. The master
/// answers from its index alone: no entry crosses it (docs/protocol.md,
/// "Read path").
struct read_plan_req {
  timestamp_us from = 0;
  timestamp_us to = 0;
};

/// A node a read plan names, and where it listens (so a real-mode
/// directory that does not know it yet can connect; "sim" in the
/// simulator).
struct plan_node {
  node_name name;
  std::string address;
};

/// One batch a read must fetch, and which plan nodes hold a copy.
struct planned_batch {
  batch_id batch = 0;
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  /// Indices into read_plan_reply::nodes: the replicas the master does not
  /// think dead (suspect ones included: they often answer). Empty: no
  /// copy can be read, the batch's range is missing.
  std::vector<uint32_t> replicas;
};

/// Ids [first, first + count) of an open placement: a batch stored there
/// and acknowledged is on at least write_quorum of its `granted` replicas,
/// so any `need` = granted - write_quorum + 1 of them hold every one.
struct open_span {
  batch_id first = 0;
  uint32_t count = 0;
  /// Indices into read_plan_reply::nodes, as planned_batch::replicas.
  std::vector<uint32_t> replicas;
  uint32_t need = 1;
};

/// master -> client: every indexed batch that overlaps the window, with
/// its replicas. The client fetches from the storage nodes itself, merges,
/// and judges completeness (core/client/read_session.hpp).
struct read_plan_reply {
  uint64_t epoch = 0; ///< the answering master's
  std::vector<plan_node> nodes;
  std::vector<planned_batch> batches;
  /// As read_result::expired_before: entries below it were deleted on
  /// purpose (retention). min() = none.
  timestamp_us expired_before = INT64_MIN;
  /// Members not heard from since a master restart: the plan may lack
  /// their batches anywhere in time, so the read is incomplete.
  std::vector<node_name> unreported;
  /// How long the client waits for one fetch_result (the cluster's
  /// fetch_timeout) before it asks another replica.
  time_us fetch_timeout = 0;
  /// Open placements (direct writes): ids a client may have stored and
  /// not committed yet, anywhere in time. The reader asks `need` of each
  /// span's replicas for the batches of that id range in the window.
  std::vector<open_span> open;
};

/// client -> master, one-way: `node` answered a fetch without these
/// batches the plan placed on it. A hint, not a verdict: the master asks
/// the node itself before it drops a copy from its index and repairs it.
struct missing_copies {
  node_name node;
  std::vector<batch_id> batches;
};

/// Batch ids [first, first + count) (one open placement's, or part of it).
struct id_span {
  batch_id first = 0;
  uint32_t count = 0;
};

/// client or master -> storage: the entries of these batches within [from, to].
/// Reply: fetch_result (batches the node lacks are listed, not an error).
struct fetch_req {
  std::vector<batch_id> batches;
  timestamp_us from = 0;
  timestamp_us to = 0;
  /// A prefetch (docs/protocol.md, "Read path"): besides `batches`, send
  /// the frames of up to this many other held batches that overlap
  /// [from, to], earliest first, whether any index lists them or not (the
  /// reader keeps only the planned ones). 0 = none. Held batches beyond it
  /// are left out without a word, and so are those past 4 MiB of frames:
  /// this is not a block report.
  uint32_t scan_max = 0;
  /// Open placements' spans (direct writes): also every held batch with an
  /// id in one of them that overlaps [from, to], without a byte limit (the
  /// read's completeness rests on it). At most 64 spans are served.
  std::vector<id_span> spans = {};
};

/// The part of one batch that falls into a read window, decoded by the
/// reader from a fetched frame (core/client/read_session.cpp). Not sent.
struct batch_slice {
  batch_id batch = 0;
  std::vector<stored_entry> entries; ///< sorted in read order
};

/// storage -> requester, reply to fetch_req: each held batch that overlaps
/// [from, to], as one whole frame (the bytes the node stores, verified by
/// it before sending; the reader verifies them again and keeps the entries
/// inside the window). Held batches outside the window are left out.
struct fetch_result {
  std::vector<std::string> frames;
  std::vector<batch_id> not_found;
};

// --- direct writes (docs/protocol.md, "Direct writes") ---------------------------

/// client -> master: a placement to write into (cluster_config::write_path
/// = direct). Reply: placement_reply. Errors: not_enough_nodes (definite),
/// unavailable (definite: a restarted master rebuilding its index, or ids
/// not yet recorded), not_active (a standby).
struct placement_req {
  client_id client = 0;
  /// The newest master epoch this client has seen (as append_req.epoch).
  uint64_t epoch = 0;
  /// Storage nodes that failed this client's last writes: left out while
  /// enough others are eligible.
  std::vector<node_name> avoid;
  /// This client's number for the request, the same when it asks again
  /// after no answer came: the master answers a repeat with the placement
  /// it opened for the first (a lost reply leaves nothing open for good).
  uint64_t request = 0;
};

/// master -> client: ids [first, first + count) are the client's to write,
/// each to every node of `replicas`, which were told of them (grant_req)
/// before this reply.
struct placement_reply {
  uint64_t epoch = 0;
  batch_id first = 0;
  uint32_t count = 0;
  std::vector<plan_node> replicas;
  uint32_t write_quorum = 0; ///< confirmations that make an append ok
  time_us store_timeout = 0; ///< how long to wait for one store_ack
};

/// master -> storage: accept store_req for ids [first, first + count) from
/// `client`, at this epoch. Reply: grant_ack. Errors: stale_epoch (D: a
/// newer master holds the node's promise).
struct grant_req {
  uint64_t epoch = 0;
  batch_id first = 0;
  uint32_t count = 0;
  client_id client = 0;
};

struct grant_ack {
  node_name node;
};

/// master -> storage: placement [first, first + count) is sealed (its
/// client went silent): accept no more stores into it, and say which of
/// its batches you hold. Reply: seal_ack. Errors: stale_epoch (D).
struct seal_req {
  uint64_t epoch = 0;
  batch_id first = 0;
  uint32_t count = 0;
};

struct seal_ack {
  node_name node;
  std::vector<batch_info> holds; ///< held batches with an id in the range
};

/// One batch a client stored itself, as the master indexes it.
struct committed_batch {
  batch_id batch = 0;
  sequence_nr seq = 0;
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  uint32_t entries = 0;
  uint32_t bytes = 0;
  /// The nodes that confirmed it (store_ack). Empty together with
  /// `abandoned`: no node confirmed, some may hold it.
  std::vector<node_name> replicas;
  /// Not to be indexed: the same (client, seq) is stored again under
  /// `replaced_by`, or nowhere; copies of it are deleted.
  bool abandoned = false;
  batch_id replaced_by = 0;
};

/// client -> master: batches stored at their replicas (many per message,
/// sent in the background, never before the store_acks they name).
/// Reply: commit_ack. Errors: unavailable (D: rebuilding; send again),
/// not_active.
struct commit_req {
  client_id client = 0;
  uint64_t epoch = 0; ///< the newest epoch the client has seen
  std::vector<committed_batch> batches;
  /// Placements (by first id) the client is done with: every batch it
  /// stored there is committed, in this request or before.
  std::vector<batch_id> closes;
};

/// master -> client: for each committed batch, in order, the id under which
/// its (client, seq) is indexed (the batch's own, or an earlier copy's).
struct commit_ack {
  std::vector<batch_id> batches;
};

// --- master failover (docs/protocol.md, "Master failover") -------------------

/// candidate master -> storage: promise `epoch` to `candidate`. Reply:
/// epoch_ack, sent only once the promise is durable. Errors: stale_epoch
/// (the node promised this epoch or a newer one, or it still hears from
/// the active master: see "Master failover"; an epoch_notice follows).
struct epoch_req {
  uint64_t epoch = 0;
  node_name candidate;
  /// A pre-vote (etcd/raft's PreVote): "would you promise?" The node
  /// answers as it would, and changes nothing. A candidate asks for real
  /// only after a promotion quorum said yes, so a standby that lost sight
  /// of a healthy active master cannot depose it.
  bool probe = false;
};

/// storage -> candidate: the promise, and the newest master record this
/// node accepted (master_record::encode(); empty = none).
struct epoch_ack {
  node_name node;
  uint64_t incarnation = 0;
  uint64_t epoch = 0; ///< the epoch promised
  uint64_t record_epoch = 0;
  uint64_t record_version = 0;
  std::string record;
};

/// active master -> storage: keep this master record (the node syncs it
/// before it answers). Reply: record_ack. Errors: stale_epoch.
struct record_req {
  uint64_t epoch = 0;
  uint64_t version = 0;
  std::string record;
};

/// storage -> master, reply to record_req.
struct record_ack {
  node_name node;
  uint64_t epoch = 0;
  uint64_t version = 0;
};

/// storage -> a master whose command it refused (one-way): it promised
/// `epoch` to `master`, so the sender is not the active master any more.
struct epoch_notice {
  node_name node;
  uint64_t epoch = 0;
  node_name master;
};

/// master -> master, every heartbeat interval. Reply: master_info.
struct master_ping {
  node_name from;
  uint64_t epoch = 0; ///< the highest epoch the sender knows
  /// The (epoch, version) of the record the sender holds: an active
  /// master answers with its own when that is newer.
  uint64_t record_epoch = 0;
  uint64_t record_version = 0;
};

/// One master as another sees it (master_info, status_reply.masters).
struct master_view {
  node_name name;
  std::string role; ///< "active", "standby", or "unreachable"
  uint64_t epoch = 0;
};

/// master -> master, reply to master_ping: who it is and whom it believes
/// active; an active master adds its record when the ping's is older.
struct master_info {
  node_name name;
  std::string role; ///< "active" or "standby"
  uint64_t epoch = 0;
  node_name active; ///< "" = none known
  uint64_t record_epoch = 0;
  uint64_t record_version = 0;
  std::string record;
};

// --- status -------------------------------------------------------------------

/// One member as the master sees it.
struct member_status {
  node_name name;
  std::string address;
  std::string zone;
  /// "up", "suspect" or "dead"; "unreported" for a recorded member not
  /// heard from since the master restarted; "removed" in a remove reply.
  std::string state;
  uint64_t batches = 0; ///< batches the index places on this node
  uint64_t bytes = 0;
  bool draining = false;
  /// Removing the node now loses no copy and costs no repair: every batch
  /// the index lists on it has RF verified copies elsewhere (drained, or
  /// repaired after it died, or it never held any).
  bool safe_to_remove = false;
  /// Batches that would be below RF verified copies without it.
  uint64_t needed = 0;
  /// Batches with no copy on another member that is up: their only
  /// reachable copy is (or was) here.
  uint64_t sole = 0;
};

/// anyone -> master. Reply: status_reply.
struct status_req {};

struct status_reply {
  uint64_t epoch = 0;
  uint32_t replication_factor = 0;
  uint32_t write_quorum = 0;
  uint64_t batches = 0;
  uint64_t under_replicated = 0; ///< batches with fewer live copies than RF
  /// Batches with no copy anywhere (never acknowledged: their only stored
  /// copy was lost before a quorum confirmed). Reads name their ranges
  /// missing; only a block report that lists one brings it back.
  uint64_t lost_batches = 0;
  uint64_t repairs_done = 0;     ///< copies made by re-replication
  uint64_t repairs_pending = 0;  ///< queued + in flight
  std::vector<member_status> members;
  uint64_t moves_done = 0;       ///< rebalance moves finished
  /// Retention watermark: entries with ts below it were deleted on purpose
  /// (as read_result.expired_before); min() = nothing expired.
  timestamp_us expired_before = INT64_MIN;
  /// Every master of the cluster as the answering master sees it (one row
  /// per name in --masters; empty for a single master).
  std::vector<master_view> masters;
  /// The answering master: "active" or "standby" ("active" for a single
  /// master); `active` names the master it believes active ("" = none).
  std::string role = "active";
  node_name active;
  uint64_t failovers = 0; ///< promotions this master has seen or made
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
  return f(x.name, x.address, x.zone, x.incarnation, x.boot, x.version,
           x.holds);
}
template <class Inspector>
auto inspect(Inspector& f, copy_req& x) {
  return f(x.epoch, x.batch, x.source, x.source_address);
}
template <class Inspector>
auto inspect(Inspector& f, copy_ack& x) {
  return f(x.batch, x.node);
}
template <class Inspector>
auto inspect(Inspector& f, delete_req& x) {
  return f(x.epoch, x.batches);
}
template <class Inspector>
auto inspect(Inspector& f, delete_ack& x) {
  return f(x.boot, x.version);
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
  return f(x.epoch, x.heartbeat_interval, x.grants_required);
}
template <class Inspector>
auto inspect(Inspector& f, heartbeat_msg& x) {
  return f(x.name, x.batches, x.bytes, x.lost);
}
template <class Inspector>
auto inspect(Inspector& f, lost_ack& x) {
  return f(x.batches);
}
template <class Inspector>
auto inspect(Inspector& f, remove_req& x) {
  return f(x.node, x.force);
}
template <class Inspector>
auto inspect(Inspector& f, append_req& x) {
  return f(x.client, x.seq, x.entries, x.attempt, x.epoch);
}
template <class Inspector>
auto inspect(Inspector& f, append_ack& x) {
  return f(x.batch, x.replicas, x.epoch);
}
template <class Inspector>
auto inspect(Inspector& f, store_req& x) {
  return f(x.epoch, x.batch, x.frame);
}
template <class Inspector>
auto inspect(Inspector& f, store_ack& x) {
  return f(x.batch, x.node);
}
template <class Inspector>
auto inspect(Inspector& f, store_many_req& x) {
  return f(x.stores);
}
template <class Inspector>
auto inspect(Inspector& f, store_outcome& x) {
  return f(x.code, x.what);
}
template <class Inspector>
auto inspect(Inspector& f, store_many_reply& x) {
  return f(x.outcomes);
}
template <class Inspector>
auto inspect(Inspector& f, read_req& x) {
  return f(x.from, x.to);
}
template <class Inspector>
auto inspect(Inspector& f, read_result& x) {
  return f(x.entries, x.complete, x.missing, x.expired_before,
           x.unreported);
}
template <class Inspector>
auto inspect(Inspector& f, read_plan_req& x) {
  return f(x.from, x.to);
}
template <class Inspector>
auto inspect(Inspector& f, plan_node& x) {
  return f(x.name, x.address);
}
template <class Inspector>
auto inspect(Inspector& f, planned_batch& x) {
  return f(x.batch, x.min_ts, x.max_ts, x.replicas);
}
template <class Inspector>
auto inspect(Inspector& f, read_plan_reply& x) {
  return f(x.epoch, x.nodes, x.batches, x.expired_before, x.unreported,
           x.fetch_timeout, x.open);
}
template <class Inspector>
auto inspect(Inspector& f, open_span& x) {
  return f(x.first, x.count, x.replicas, x.need);
}
template <class Inspector>
auto inspect(Inspector& f, missing_copies& x) {
  return f(x.node, x.batches);
}
template <class Inspector>
auto inspect(Inspector& f, fetch_req& x) {
  return f(x.batches, x.from, x.to, x.scan_max, x.spans);
}
template <class Inspector>
auto inspect(Inspector& f, id_span& x) {
  return f(x.first, x.count);
}
template <class Inspector>
auto inspect(Inspector& f, placement_req& x) {
  return f(x.client, x.epoch, x.avoid, x.request);
}
template <class Inspector>
auto inspect(Inspector& f, placement_reply& x) {
  return f(x.epoch, x.first, x.count, x.replicas, x.write_quorum,
           x.store_timeout);
}
template <class Inspector>
auto inspect(Inspector& f, grant_req& x) {
  return f(x.epoch, x.first, x.count, x.client);
}
template <class Inspector>
auto inspect(Inspector& f, grant_ack& x) {
  return f(x.node);
}
template <class Inspector>
auto inspect(Inspector& f, seal_req& x) {
  return f(x.epoch, x.first, x.count);
}
template <class Inspector>
auto inspect(Inspector& f, seal_ack& x) {
  return f(x.node, x.holds);
}
template <class Inspector>
auto inspect(Inspector& f, committed_batch& x) {
  return f(x.batch, x.seq, x.min_ts, x.max_ts, x.entries, x.bytes,
           x.replicas, x.abandoned, x.replaced_by);
}
template <class Inspector>
auto inspect(Inspector& f, commit_req& x) {
  return f(x.client, x.epoch, x.batches, x.closes);
}
template <class Inspector>
auto inspect(Inspector& f, commit_ack& x) {
  return f(x.batches);
}
template <class Inspector>
auto inspect(Inspector& f, fetch_result& x) {
  return f(x.frames, x.not_found);
}
template <class Inspector>
auto inspect(Inspector& f, member_status& x) {
  return f(x.name, x.address, x.zone, x.state, x.batches, x.bytes,
           x.draining, x.safe_to_remove, x.needed, x.sole);
}
template <class Inspector>
auto inspect(Inspector& f, status_req&) {
  return f();
}
template <class Inspector>
auto inspect(Inspector& f, status_reply& x) {
  return f(x.epoch, x.replication_factor, x.write_quorum, x.batches,
           x.under_replicated, x.lost_batches, x.repairs_done, x.repairs_pending, x.members,
           x.moves_done, x.expired_before, x.masters, x.role, x.active,
           x.failovers);
}
template <class Inspector>
auto inspect(Inspector& f, epoch_req& x) {
  return f(x.epoch, x.candidate, x.probe);
}
template <class Inspector>
auto inspect(Inspector& f, epoch_ack& x) {
  return f(x.node, x.incarnation, x.epoch, x.record_epoch, x.record_version,
           x.record);
}
template <class Inspector>
auto inspect(Inspector& f, record_req& x) {
  return f(x.epoch, x.version, x.record);
}
template <class Inspector>
auto inspect(Inspector& f, record_ack& x) {
  return f(x.node, x.epoch, x.version);
}
template <class Inspector>
auto inspect(Inspector& f, epoch_notice& x) {
  return f(x.node, x.epoch, x.master);
}
template <class Inspector>
auto inspect(Inspector& f, master_ping& x) {
  return f(x.from, x.epoch, x.record_epoch, x.record_version);
}
template <class Inspector>
auto inspect(Inspector& f, master_view& x) {
  return f(x.name, x.role, x.epoch);
}
template <class Inspector>
auto inspect(Inspector& f, master_info& x) {
  return f(x.name, x.role, x.epoch, x.active, x.record_epoch,
           x.record_version, x.record);
}

} // namespace logstore
