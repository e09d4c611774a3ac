// logstore — the on-disk batch frame: encode and verify-decode.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// A segment file is a sequence of frames. Layout (little-endian; offsets
// in bytes; docs/storage.md, "The frame", explains each field):
//
//   off  size  field
//    0    4    magic    "LGB1"
//    4    4    crc      masked crc32c of bytes [8, end): all after this field
//    8    4    length   bytes after this field; 12 + length = frame size
//   12    1    version  1
//   13    1    type     0 = batch, 1 = tombstone (the batch was deleted)
//   14    2    reserved 0
//   16    8    batch id
//   24    8    client   (every entry of a batch has the same client, seq)
//   32    8    seq
//   40    8    min_ts   i64
//   48    8    max_ts   i64
//   56    4    count    entries (0 for a tombstone)
//   60    4    hcrc     masked crc32c of bytes [8, 60): the fixed header
//   64    ...  count x { ts - min_ts: zigzag varint | source: varint length
//                        + bytes | payload: varint length + bytes |
//                        index: varint }
//
// Why a header CRC besides the frame CRC: a torn write (a crash mid-append)
// leaves a PREFIX of a frame, so either the fixed header is incomplete or it
// is intact and the body is short. A complete header that fails hcrc, or a
// complete frame that fails crc, cannot come from a torn append: it is
// corruption. That is how recovery tells the two apart (segment_scan.hpp),
// and why the batch id of a damaged frame can still be reported.
#pragma once

#include "core/base/types.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logstore {

enum class frame_type : uint8_t { batch = 0, tombstone = 1 };

constexpr size_t frame_header_bytes = 64;
constexpr uint8_t frame_version = 1;
constexpr char frame_magic[4] = {'L', 'G', 'B', '1'};

/// The fixed header of a frame, plus what the decoder learned about it.
struct frame_header {
  frame_type type = frame_type::batch;
  batch_id id = 0;
  client_id client = 0;
  sequence_nr seq = 0;
  timestamp_us min_ts = 0;
  timestamp_us max_ts = 0;
  uint32_t count = 0;
  uint32_t crc = 0;          ///< the frame CRC, unmasked
  uint32_t frame_bytes = 0;  ///< total size: 12 + length
  uint64_t entry_bytes = 0;  ///< sum of source + payload sizes (ok only)
};

enum class decode_status : uint8_t {
  ok,      ///< a whole, verified frame
  torn,    ///< the bytes end before the frame does (could be a prefix)
  corrupt, ///< bad magic, length, checksum or contents
};

struct decode_result {
  decode_status status = decode_status::corrupt;
  /// ok: the frame size. Otherwise 0.
  size_t consumed = 0;
  /// torn: how many bytes the frame needs in total, as far as known (at
  /// least frame_header_bytes). Never above frame_bytes_max.
  size_t bytes_needed = 0;
  /// The fixed header is complete and its hcrc verified, so `header`'s
  /// fields (id, type, times, frame_bytes) are trustworthy even when the
  /// body is not.
  bool header_valid = false;
  /// The first bytes are not the magic (then nothing else was looked at).
  bool magic_mismatch = false;
  /// Static text saying what was wrong ("" when ok).
  const char* what = "";
};

/// Appends a batch frame to `out`. REQUIRES: entries non-empty, sorted in
/// read order, entries.front().ts == min_ts, entries.back().ts == max_ts,
/// every entry has the given client and seq.
void encode_batch_frame(batch_id id, client_id client, sequence_nr seq,
                        timestamp_us min_ts, timestamp_us max_ts,
                        const std::vector<stored_entry>& entries,
                        std::string& out);

/// Appends a tombstone frame: batch `id` (spanning [min_ts, max_ts]) was
/// deleted. REQUIRES: min_ts <= max_ts.
void encode_tombstone_frame(batch_id id, timestamp_us min_ts,
                            timestamp_us max_ts, std::string& out);

/// Decodes and verifies the frame at the start of `bytes`. The declared
/// size is checked against `frame_bytes_max` before anything depends on
/// it; nothing is allocated from an unverified field. When `entries` is
/// non-null and the frame is an ok batch, its entries are appended there;
/// with nullptr the entries are still fully validated, just not copied.
/// Never reads outside `bytes`, whatever they contain. Canonical: a frame
/// that decodes ok re-encodes to exactly the same bytes (fuzz-checked).
decode_result decode_frame(std::string_view bytes, uint32_t frame_bytes_max,
                           frame_header& header,
                           std::vector<stored_entry>* entries);

/// Moves the entries of a decoded batch (sorted in read order) with
/// r.from <= ts <= r.to to the end of `out` (two binary searches).
void slice_entries(std::vector<stored_entry>&& entries, time_range r,
                   std::vector<stored_entry>& out);

} // namespace logstore
