// logstore — retention at the master: delete batches by age or by size.
//
// Age is measured in entry time, not by a clock: a batch expires when its
// newest entry is older than the newest entry acknowledged so far minus
// retention_time. Size: while the cluster holds more payload bytes than
// retention_bytes (each batch counted once), the oldest batches go.
// Expired batches leave the index first, then every replica deletes its
// copy. Reads reaching below the watermark say so (read_result
// .expired_before), so an expired range is never mistaken for a lost one.
#include "core/master/master_machine.hpp"

#include <algorithm>
#include <map>

namespace logstore {

void note_acked(master_state& st, const batch_meta& meta) {
  st.newest_ts = std::max(st.newest_ts, meta.max_ts);
  st.stored_bytes += meta.bytes;
}

namespace {

/// Oldest first: (max_ts, id) of every batch.
std::vector<std::pair<timestamp_us, batch_id>>
by_age(const master_state& st) {
  std::vector<std::pair<timestamp_us, batch_id>> out;
  out.reserve(st.index.size());
  st.index.for_each([&](batch_id id, const batch_meta& meta) {
    out.emplace_back(meta.max_ts, id);
  });
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

void master_machine::retention_tick() {
  auto& cfg = st_.cfg;
  if (cfg.retention_time <= 0 && cfg.retention_bytes == 0)
    return;
  if (st_.index.size() == 0 || !record_committed())
    return; // (several masters: the last watermark is not committed yet)
  auto horizon = cfg.retention_time > 0 ? st_.newest_ts - cfg.retention_time
                                        : INT64_MIN;
  std::map<node_number, std::vector<batch_id>> deletes;
  uint64_t expired = 0;
  for (auto& [max_ts, id] : by_age(st_)) {
    bool too_old = max_ts < horizon;
    bool too_big = cfg.retention_bytes > 0
                   && st_.stored_bytes > cfg.retention_bytes;
    if (!too_old && !too_big)
      break;
    if (st_.repairs_inflight.count(id) > 0)
      continue; // let the copy finish; next tick
    auto meta = *st_.index.find(id);
    for (auto r : meta.replicas)
      deletes[r].push_back(id);
    st_.index.erase(id);
    st_.stored_bytes -= std::min<uint64_t>(st_.stored_bytes, meta.bytes);
    st_.expired_before = std::max(st_.expired_before, max_ts + 1);
    ++expired;
  }
  if (expired == 0)
    return;
  st_.expired_batches += expired;
  // The watermark goes to the durable record before any copy is deleted:
  // a master restarted after the deletes still says "expired" below it
  // instead of claiming a complete read over data it deleted on purpose.
  persist();
  if (st_.failover.enabled) // with several masters: once it is committed
    st_.failover.deferred_deletes.emplace_back(st_.failover.version,
                                               std::move(deletes));
  else
    for (auto& [n, ids] : deletes)
      send_delete(n, std::move(ids));
  log(log_level::info, "retention",
            "expired " + std::to_string(expired)
              + " batch(es); entries older than ts "
              + std::to_string(st_.expired_before)
              + " are gone by retention, and reads below it say so");
}

} // namespace logstore
