// logstore — a storage node's copies of batches, in memory.
// Layer: core. Each copy is kept as the batch frame it arrived in
// (frame.hpp): the bytes a durable node would write, with their CRC32C, so
// both engines store and serve the same bytes, and damage in memory is
// caught by the same check as damage on disk.
//
// Invariants:
//  1. each held frame verified when stored; it is verified again on every
//     read, and one that fails is dropped and reported (take_corruptions).
//  2. a batch id is stored at most once (put is idempotent).
//  3. bytes() == sum of payload+source sizes of held batches.
#pragma once

#include "core/base/interval_index.hpp"
#include "core/base/messages.hpp"
#include "core/base/types.hpp"
#include "core/base/frame.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace logstore {

class entry_store {
public:
  enum class put_result { stored, duplicate, corrupt };
  enum class read_result { ok, not_found, corrupt };

  /// Encodes and stores a copy. REQUIRES: entries non-empty, sorted in read
  /// order, one (client, seq); min_ts/max_ts their first/last timestamps.
  put_result put(batch_id id, timestamp_us min_ts, timestamp_us max_ts,
                 const std::vector<stored_entry>& entries);

  /// Stores a frame as received, after verifying it whole (header, CRC,
  /// every entry); corrupt: nothing kept. `frame_bytes_max` bounds it.
  put_result put_frame(std::string frame,
                       uint32_t frame_bytes_max = uint32_t{16} << 20);

  bool contains(batch_id id) const;

  /// The held frame of `id`, verified again before it is handed out.
  read_result frame(batch_id id, std::string& out);

  /// Appends the entries of `id` with r.from <= ts <= r.to to `out`.
  read_result slice(batch_id id, time_range r, std::vector<stored_entry>& out);

  /// True when `id` is held and its time range meets `r`.
  bool overlaps(batch_id id, time_range r) const;

  /// Ids of held batches overlapping r (node-local range query).
  std::vector<batch_id> overlapping(time_range r) const;

  bool erase(batch_id id);

  uint64_t batches() const {
    return batches_.size();
  }
  uint64_t bytes() const {
    return bytes_;
  }

  /// All held batch ids, ascending (for block reports).
  std::vector<batch_id> ids() const;

  /// XXH64 over the batch's entries (identity, ts, source, payload), so two
  /// replicas can be compared.
  read_result digest(batch_id id, uint64_t& out);

  /// Metadata from the verified header (no decoding). False if not held.
  bool info(batch_id id, batch_info& out) const;

  /// Batches dropped because a read found them damaged, since the last call.
  std::vector<batch_id> take_corruptions();

  /// Test hook: the held bytes of `id` (nullptr when not held), so a test
  /// can damage a copy in memory.
  std::string* bytes_of(batch_id id);

private:
  struct stored_batch {
    frame_header header;
    std::string frame;
  };
  void drop_corrupt(batch_id id);

  std::unordered_map<batch_id, stored_batch> batches_;
  interval_index by_time_;
  uint64_t bytes_ = 0;
  uint32_t frame_bytes_max_ = uint32_t{16} << 20;
  std::vector<batch_id> corruptions_;
};

/// Content digest of a batch's entries (see entry_store::digest).
uint64_t digest_of(const std::vector<stored_entry>& entries);

} // namespace logstore
