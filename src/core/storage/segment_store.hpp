// logstore — the durable storage engine: a storage node's batches in
// append-only segment files, with an in-memory index.
// Layer: core (standard library only; files only through `disk`, so the
// same code runs on posix_disk and, in the simulator, on sim_disk). Its API
// mirrors entry_store (put / contains / slice / overlapping / erase / ids).
//
// Files: seg-000001.log, seg-000002.log, ... Each is a sequence of frames
// (frame.hpp). Only the highest-numbered segment, the ACTIVE one, is ever
// appended to; when the next frame would take it past segment_bytes_max it
// is synced and sealed, and the next number starts. Sealing syncs, so every
// segment but the last is durable in full: damage there is never a torn
// write.
//
// Durability: put() only appends. sync() makes every put before it durable.
// The caller does group commit: several puts, one sync(), then the acks.
// See fsync_policy for the three ways a caller may drive it.
//
// Recovery rule (recover(); segment_scan.hpp classifies the bytes):
//  R1. Every frame of every segment is verified (hcrc, crc, contents).
//  R2. A TORN TAIL (first bad frame is a prefix of a frame or zeros, and no
//      verified frame follows) in the LAST segment is truncated away and
//      reported. That is a crash mid-append of unsynced data.
//  R3. Anything else is CORRUPTION: a bad frame followed by good frames, a
//      complete frame failing its CRC, or any bad frame in a sealed segment.
//  R4. A corrupt segment is QUARANTINED: renamed to *.corrupt, never
//      deleted, never appended to again (writes go to a new segment).
//  R5. Frames BEFORE the first bad offset of a quarantined segment stay
//      readable: each passed its CRC at recovery and is verified again on
//      every read (slice), so bad bytes are never served. Frames AFTER it
//      are not served even when they verify: after unexplained damage a
//      valid-looking frame may be a stale or misdirected copy, and the
//      tombstones around it may be gone. Their ids are reported instead.
//  R6. recover() returns `affected`: ids seen in damaged regions (torn
//      frames with a verified header, frames after a bad offset) that the
//      store does not hold afterwards. It is a lower bound (an id inside a
//      destroyed header cannot be read); the node sends it to the master,
//      which re-replicates, and the block report (ids()) is the truth.
//  R7. Tombstones are replayed in file order; a batch written again after
//      its tombstone is live again.
//
// Space: a sealed, unquarantined segment with no live batch is removed when
// no segment that its tombstones point into still exists (otherwise the
// deleted batches would come back at the next recovery).
//
// Invariants:
//  1. batches_.size() == by_time_.size(); every indexed batch lies in a
//     segment in segments_ and before that segment's size.
//  2. bytes_ == sum of entry_bytes over indexed batches.
//  3. the active segment, if any, is the highest-numbered segment, is not
//     quarantined and is not sealed.
//  4. unsynced_bytes_ == 0 when there is no active segment.
#pragma once

#include "core/base/disk.hpp"
#include "core/base/interval_index.hpp"
#include "core/storage/segment_scan.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logstore {

/// How the CALLER (the storage node) drives sync(). The store itself never
/// syncs except when sealing a segment.
enum class fsync_policy : uint8_t {
  /// sync() after every group of puts, before acknowledging any of them.
  /// No acknowledged batch is lost by a crash. Default.
  always,
  /// Acknowledge at once; sync() from a timer every fsync interval. A crash
  /// loses at most the last interval of acknowledged batches.
  interval,
  /// Never sync (the OS writes back when it likes). Fast; a crash may lose
  /// any acknowledged batch. For tests and throwaway data.
  never,
};

struct segment_store_options {
  /// Seal the active segment when the next frame would take it past this.
  /// Unit: bytes. Default: 64 MiB.
  uint64_t segment_bytes_max = uint64_t{64} << 20;
  /// Largest frame written or believed on read (checked before any
  /// allocation). Unit: bytes. Default: 16 MiB.
  uint32_t frame_bytes_max = uint32_t{16} << 20;
};

class segment_store {
public:
  enum class put_result : uint8_t {
    stored,
    duplicate, ///< already held: nothing written
    invalid,   ///< entries disagree on (client, seq): nothing written
    corrupt,   ///< put_frame: the frame failed verification: nothing written
    too_large, ///< the frame exceeds frame_bytes_max: nothing written
    no_space,  ///< disk full: nothing kept, reads still work
    io_error,  ///< write failed, or the store stopped writing (failed())
  };

  enum class read_result : uint8_t {
    ok,
    not_found, ///< not held (never, erased, or dropped as corrupt)
    corrupt,   ///< failed verification: dropped from the index, reported
    io_error,
  };

  struct erase_result {
    bool erased = false;                ///< it was held and now is not
    disk_status tombstone = disk_status::ok; ///< writing the tombstone
  };

  struct recovery_issue {
    enum class kind : uint8_t {
      torn_tail_truncated, ///< R2
      segment_quarantined, ///< R4, this recovery renamed it
      quarantined_found,   ///< a *.corrupt file from before: prefix served
      quarantine_failed,   ///< rename failed: kept under its name, unused
      unknown_file,        ///< not a segment file; left alone
    };
    kind what;
    std::string file;
    uint64_t offset = 0; ///< first bad offset
    uint64_t bytes = 0;  ///< bytes truncated, or bytes from the bad offset
    std::string detail;  ///< the decoder's reason
  };

  struct recovery_report {
    disk_status status = disk_status::ok; ///< not ok: writes refused
    uint32_t segments = 0;
    uint64_t frames = 0;
    uint64_t truncated_bytes = 0;
    std::vector<std::string> quarantined; ///< renamed by this recovery
    std::vector<batch_id> affected;       ///< R6, ascending, unique
    std::vector<recovery_issue> issues;
  };

  struct segment_summary {
    std::string file;
    uint64_t bytes = 0;
    uint64_t live_batches = 0;
    bool has_batches = false; ///< min_ts/max_ts are meaningful
    timestamp_us min_ts = 0;  ///< over every batch framed in it
    timestamp_us max_ts = 0;
    bool active = false;
    bool quarantined = false;
  };

  segment_store(disk& d, segment_store_options opts);

  /// Scans the directory and rebuilds the index (recovery rule above).
  /// REQUIRES: called once, before any other member function.
  recovery_report recover();

  /// Appends a copy. REQUIRES: entries non-empty, sorted in read order,
  /// min_ts/max_ts their first/last timestamps. Durable after sync().
  put_result put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 const std::vector<stored_entry>& entries);

  /// Appends one batch frame as received (from the network), after
  /// verifying it whole: header, CRC and every entry. Durable after sync().
  put_result put_frame(std::string_view frame);
  /// The stored frame of `id`, read back and verified (CRC, id, and the CRC
  /// the index expects); a frame failing that is dropped and reported as
  /// slice() does.
  read_result frame(batch_id id, std::string& out);
  /// True when `id` is held and its time range meets `r` (index only).
  bool overlaps(batch_id id, time_range r) const;
  bool contains(batch_id id) const {
    return batches_.count(id) != 0;
  }

  /// Appends the entries of `id` with r.from <= ts <= r.to to `out`, read
  /// back from disk and verified (CRC, id, and the CRC the index expects,
  /// which catches a misdirected write). On `corrupt` nothing is appended,
  /// the batch leaves the index and is queued for take_read_corruptions().
  read_result slice(batch_id id, time_range r, std::vector<stored_entry>& out);

  /// Ids of held batches overlapping r (in-memory; no disk access).
  std::vector<batch_id> overlapping(time_range r) const {
    return by_time_.overlapping(r);
  }

  /// Drops `id` and appends a tombstone (durable after sync()). The batch
  /// leaves the index even when the tombstone cannot be written; it may
  /// then come back after a restart, and the master deletes it again.
  erase_result erase(batch_id id);

  /// Makes all previous puts and erases durable (fdatasync of the active
  /// segment). A failed sync stops all further writes (failed()): after
  /// a failed fsync the kernel may have dropped the dirty pages, so only a
  /// restart and recover() can tell what is on disk.
  disk_status sync();

  uint64_t batches() const {
    return batches_.size();
  }
  uint64_t bytes() const {
    return bytes_;
  }
  /// All held batch ids, ascending (for block reports).
  std::vector<batch_id> ids() const;
  /// batch_store::ids_after, without copying every id.
  std::vector<batch_id> ids_after(batch_id cursor, size_t n) const;

  /// Bytes appended since the last successful sync.
  uint64_t unsynced_bytes() const {
    return unsynced_bytes_;
  }
  /// True once a write failed in a way only a restart can repair.
  bool failed() const {
    return failed_;
  }
  /// Batches found corrupt by slice() since the last call.
  std::vector<batch_id> take_read_corruptions();

  std::vector<segment_summary> segments() const;

  const segment_store_options& options() const {
    return opts_;
  }

private:
  struct location {
    uint32_t segment = 0;
    uint64_t offset = 0;
    uint32_t frame_bytes = 0;
    uint32_t crc = 0; ///< what the frame must carry (parent checksum)
    timestamp_us min_ts = 0;
    timestamp_us max_ts = 0;
    uint64_t entry_bytes = 0;
  };

  struct segment {
    std::string file;
    uint64_t size = 0;
    uint64_t live = 0;
    bool has_batches = false;
    timestamp_us min_ts = 0;
    timestamp_us max_ts = 0;
    bool quarantined = false;
    /// Segments holding batches this segment's tombstones deleted.
    std::vector<uint32_t> tombstone_targets;
  };

  // segment_recovery.cpp
  void recover_segment(uint32_t number, segment& seg, bool last,
                       recovery_report& report);
  void replay(uint32_t number, const scanned_frame& frame);
  void choose_active();

  // segment_store.cpp
  void index_batch(batch_id id, const location& loc);
  /// Removes `id` from the index; returns its location.
  location unindex_batch(batch_id id);
  /// Records that a tombstone in `number` deleted a batch in `target`.
  void note_tombstone(uint32_t number, uint32_t target);
  disk_status prepare_active(size_t frame_bytes);
  disk_status append_frame(std::string_view bytes);
  void reclaim();
  bool removable(uint32_t number, const segment& seg) const;

  disk& disk_;
  segment_store_options opts_;
  bool recovered_ = false;
  bool failed_ = false;
  std::map<uint32_t, segment> segments_;
  std::optional<uint32_t> active_;
  uint32_t next_number_ = 1;
  /// Ordered, so ids() (every block report, every scrub round) is a walk,
  /// not a sort of every id the node holds.
  std::map<batch_id, location> batches_;
  interval_index by_time_;
  uint64_t bytes_ = 0;
  uint64_t unsynced_bytes_ = 0;
  std::vector<batch_id> read_corruptions_;
  std::string scratch_; ///< frame encoding buffer, reused
};

std::string_view to_string(segment_store::put_result x);
std::string_view to_string(segment_store::read_result x);
std::string_view to_string(segment_store::recovery_issue::kind x);

} // namespace logstore
