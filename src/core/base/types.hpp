// logstore — core vocabulary types.
// Layer: core (pure C++17, no CAF, no clocks, no I/O). Everything above uses
// these names; nothing here depends on anything but the standard library.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace logstore {

/// Microseconds since the Unix epoch: the timestamp of a log entry.
using timestamp_us = int64_t;

/// A duration or point in (virtual or real) cluster time, in microseconds.
/// Actor code gets it from the actor clock, never from a wall clock.
using time_us = int64_t;

/// Identifies a client session (the writer of a batch).
using client_id = uint64_t;

/// Per-client batch sequence number; (client_id, seq) names a batch so that a
/// retried append is stored once.
using sequence_nr = uint64_t;

/// Assigned by the master, dense and increasing, never reused.
using batch_id = uint64_t;

/// Logical node name, e.g. "master", "storage-3", "client-2". Nodes are found
/// by name through the node directory, never by port or actor handle.
using node_name = std::string;

/// One log entry as a producer hands it over.
struct entry {
  timestamp_us ts = 0;
  std::string source;  ///< the server that produced it
  std::string payload; ///< opaque bytes
};

inline bool operator==(const entry& x, const entry& y) {
  return x.ts == y.ts && x.source == y.source && x.payload == y.payload;
}

/// An entry as stored and read back: it carries its identity (client, seq,
/// index within the batch), which makes the read order total and lets the
/// checker recognise every entry.
struct stored_entry {
  timestamp_us ts = 0;
  std::string source;
  std::string payload;
  client_id client = 0;
  sequence_nr seq = 0;
  uint32_t index = 0;
};

inline bool operator==(const stored_entry& x, const stored_entry& y) {
  return x.ts == y.ts && x.source == y.source && x.payload == y.payload
         && x.client == y.client && x.seq == y.seq && x.index == y.index;
}

/// The read order: (timestamp, source, sequence), where the sequence is the
/// entry's identity (client, seq, index). Total and deterministic.
inline bool read_order_less(const stored_entry& x, const stored_entry& y) {
  return std::tie(x.ts, x.source, x.client, x.seq, x.index)
         < std::tie(y.ts, y.source, y.client, y.seq, y.index);
}

/// An inclusive time range [from, to].
struct time_range {
  timestamp_us from = 0;
  timestamp_us to = 0;
};

inline bool operator==(const time_range& x, const time_range& y) {
  return x.from == y.from && x.to == y.to;
}

inline bool overlaps(const time_range& x, const time_range& y) {
  return x.from <= y.to && y.from <= x.to;
}

/// Size in bytes that an entry counts for (source + payload).
inline uint64_t entry_bytes(const stored_entry& x) {
  return x.source.size() + x.payload.size();
}

} // namespace logstore
