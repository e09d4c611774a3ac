// logstore — what a storage node keeps its copies in: one interface, two
// engines. `memory` is entry_store (lost with the process); `durable` is
// segment_store on a disk (posix files, or the simulator's sim_disk).
// Layer: core. The storage actor sees only this interface, so it runs the
// same with either engine, in the simulator and on a real machine.
#pragma once

#include "core/base/disk.hpp"
#include "core/base/messages.hpp"
#include "core/storage/segment_store.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace logstore {

class batch_store {
public:
  enum class put_status : uint8_t {
    stored,
    duplicate, ///< already held (idempotent: confirm again)
    full,      ///< no space: refused, nothing kept; reads still work
    failed,    ///< invalid or an I/O error: refused
    corrupt,   ///< put_frame: the frame failed verification: refused
  };

  enum class slice_status : uint8_t {
    ok,
    not_found,
    corrupt, ///< failed its checksum: never served, reported as lost
  };

  virtual ~batch_store() = default;

  /// REQUIRES: entries sorted in read order; min/max their first/last ts.
  virtual put_status put(batch_id id, timestamp_us min_ts,
                         timestamp_us max_ts,
                         std::vector<stored_entry> entries)
    = 0;
  /// Stores one batch frame (frame.hpp) as received from the network,
  /// after verifying it whole; corrupt: nothing kept.
  virtual put_status put_frame(std::string frame) = 0;
  virtual bool contains(batch_id id) const = 0;
  /// True when `id` is held and its time range meets `r` (index only).
  virtual bool overlaps(batch_id id, time_range r) const = 0;
  /// Ids of held batches whose time range meets `r`, ordered by min_ts
  /// (index only).
  virtual std::vector<batch_id> overlapping(time_range r) const = 0;
  /// The stored frame of `id`, verified before it is handed out; a copy
  /// failing that is never served and is reported by take_lost().
  virtual slice_status frame(batch_id id, std::string& out) = 0;
  virtual slice_status slice(batch_id id, time_range r,
                             std::vector<stored_entry>& out)
    = 0;
  virtual bool erase(batch_id id) = 0;
  virtual std::vector<batch_id> ids() const = 0;
  /// Up to `n` held ids, ascending from the first above `cursor` and
  /// wrapping around to the smallest; none twice (a scrub round's share).
  virtual std::vector<batch_id> ids_after(batch_id cursor, size_t n) const;
  /// Metadata of a held batch (time range, sizes, writer); false when not
  /// held or unreadable.
  virtual bool info(batch_id id, batch_info& out) = 0;
  /// Content digest (digest_of over the entries); false when not held.
  virtual bool digest(batch_id id, uint64_t& out) = 0;
  virtual uint64_t batches() const = 0;
  virtual uint64_t bytes() const = 0;

  /// True when puts since the last sync() are not yet durable.
  virtual bool unsynced() const = 0;
  /// Makes every put so far durable. False on an I/O error.
  virtual bool sync() = 0;
  /// Batches found damaged since the last call (to report to the master).
  virtual std::vector<batch_id> take_lost() = 0;
  /// "memory" or "durable".
  virtual std::string_view kind() const = 0;
};

std::unique_ptr<batch_store> make_memory_store();

/// Opens (and recovers) a durable store on `d`. `report` receives what
/// recovery found (torn tails truncated, segments quarantined, batches
/// affected); its `affected` ids are also returned by the first take_lost().
std::unique_ptr<batch_store>
make_durable_store(disk& d, segment_store_options opts,
                   segment_store::recovery_report& report);

} // namespace logstore
