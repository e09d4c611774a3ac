// logstore — the master's durable record and the index rebuild after a
// restart (GFS-style: chunk locations are not persisted, they are asked
// for; docs/protocol.md, "Master restart").
//
//   start --load record--> epoch+1, next id = reserved_until, persist
//     |                    members known? --no--> serve at once
//     | yes
//     v
//   [rebuilding] appends -> unavailable (first attempts, definite) or
//     |  in_doubt (retries, indefinite); reads -> incomplete
//     |  every join brings a block report (batch_info per held batch):
//     |  unknown batches are adopted into the index, (client, seq) into the
//     |  retry memory; batches recorded as failed are deleted instead
//     v
//   all known members reported, or dead_after heartbeats passed --> serving
//     |  members still unreported keep reads incomplete and retries in
//     v  doubt (machine_doubt.cpp) until they join or are removed
//   every recorded member reported --> the index is whole again
#include "core/master/master_machine.hpp"

#include <algorithm>

namespace logstore {

void master_machine::persist() {
  if (!st_.durable)
    return;
  auto& rec = st_.record;
  rec.epoch = st_.epoch;
  rec.expired_before = st_.expired_before;
  rec.members.clear();
  for (auto& m : st_.members)
    if (!m.removed)
      rec.members.push_back({m.name, m.address, m.zone, m.incarnation,
                             m.draining, m.redundant});
  rec.failed.assign(st_.failed.begin(), st_.failed.end());
  std::sort(rec.failed.begin(), rec.failed.end());
  if (opts_.durable)
    emit(fx::persist{rec});
  if (st_.failover.enabled)
    replicate(rec); // to the storage nodes, committed at a majority
}

void master_machine::start_from_record(const record_load& loaded) {
  if (!st_.durable) {
    log(log_level::warn, "no_state_dir",
        "the master keeps no durable record (no --data-dir): after a "
        "restart it forgets members, failed batches and used batch ids. "
        "Fine for a test; not for data you keep.");
    return;
  }
  if (!loaded.ok) {
    log(log_level::error, "state_damaged",
        loaded.error + "; refusing to guess: starting a NEW cluster identity "
                       "would lose track of existing data. Fix or move the "
                       "file, then restart.");
    emit(fx::stop{errc::unavailable, loaded.error});
    return;
  }
  st_.record = loaded.record;
  auto& rec = st_.record;
  st_.epoch = rec.epoch + 1;
  st_.next_batch = std::max<batch_id>(1, rec.reserved_until);
  st_.epoch_first_batch = st_.next_batch;
  // Retention already deleted what lies below the watermark: reads there
  // say so from the first moment, and reported copies of it are garbage.
  st_.expired_before = rec.expired_before;
  rec.reserved_until = st_.next_batch + master_state::id_block;
  st_.failed.insert(rec.failed.begin(), rec.failed.end());
  for (auto& m : rec.members) {
    member fresh;
    fresh.name = m.name;
    fresh.address = m.address;
    fresh.zone = m.zone;
    fresh.incarnation = m.incarnation;
    fresh.draining = m.draining;
    fresh.redundant = m.redundant;
    st_.add_member(std::move(fresh));
    // A redundant member (dead or drained, every batch it held also on an
    // up member) holds nothing only it knows: no need to wait for it.
    if (!m.redundant)
      st_.unreported.insert(m.name);
    if (!m.address.empty())
      emit(fx::learn{m.name, m.address});
  }
  st_.joined.assign(st_.members.size(), false);
  st_.rebuilding = st_.uncertain();
  st_.rebuild_until = now_
                      + st_.cfg.heartbeat_interval
                          * (st_.cfg.dead_after_misses + 1);
  persist();
  log(log_level::info, "master_started",
      "epoch " + std::to_string(st_.epoch) + ", batch ids from "
        + std::to_string(st_.next_batch) + "; "
        + (st_.rebuilding
             ? "waiting for " + std::to_string(st_.unreported.size())
                 + " known member(s) to report what they hold"
             : std::string{"a new cluster"})
        + (st_.expired_before > INT64_MIN
             ? "; retention watermark ts " + std::to_string(st_.expired_before)
             : std::string{}));
}

/// With several masters: every storage node whose promise made this master
/// active has joined it since (docs/protocol.md, "Master failover": then
/// the index holds every acknowledged batch).
bool master_machine::promisers_reported() const {
  auto& fo = st_.failover;
  if (!fo.enabled || fo.promisers.empty())
    return false;
  for (auto& name : fo.promisers)
    if (st_.unreported.count(name) != 0)
      return false;
  return true;
}

void master_machine::maybe_end_rebuild() {
  if (!st_.rebuilding)
    return;
  if (st_.uncertain() && now_ < st_.rebuild_until && !promisers_reported())
    return;
  // A promoted master serves once a majority holds its record (its epoch
  // and its block of batch ids).
  if (st_.failover.enabled
      && st_.failover.committed < st_.failover.promoted_version)
    return;
  st_.rebuilding = false;
  log(log_level::info, "index_rebuilt",
      "index rebuilt from block reports: " + std::to_string(st_.index.size())
        + " batch(es); "
        + (!st_.uncertain()
             ? std::string{"every member reported"}
             : "still unreported: " + unreported_names(st_)
                 + " (they may hold batches the index lacks: reads stay "
                   "incomplete and retried appends in doubt until they "
                   "report, or an operator removes them)"));
}

} // namespace logstore
