// logstore — the master's durable record and the index rebuild after a
// restart (GFS-style: chunk locations are not persisted, they are asked for).
//
//   start --load record--> epoch+1, next id = reserved_until, save
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
//     v  doubt (master_doubt.cpp) until they join or are removed
//   every recorded member reported --> the index is whole again
#include "actors/master_state.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace logstore {

void save_record(caf::event_based_actor* self, const master_ptr& st) {
  if (st->state_disk == nullptr)
    return;
  auto& rec = st->record;
  rec.epoch = st->epoch;
  rec.expired_before = st->expired_before;
  rec.members.clear();
  for (auto& m : st->members)
    if (!m.removed)
      rec.members.push_back({m.name, m.address, m.zone, m.incarnation,
                             m.draining, m.redundant});
  rec.failed.assign(st->failed.begin(), st->failed.end());
  std::sort(rec.failed.begin(), rec.failed.end());
  if (auto status = save_master_record(*st->state_disk, rec);
      status != disk_status::ok)
    log_event(self, st->ctx, log_level::error, "state_save_failed",
              "could not write master-state (" + std::string{to_string(status)}
                + "); a restart may forget recent members or failures");
}

batch_id take_batch_id(caf::event_based_actor* self, const master_ptr& st) {
  auto id = st->next_batch++;
  if (st->state_disk != nullptr && st->next_batch >= st->record.reserved_until) {
    // Reserve the next block durably before any of it is handed out.
    st->record.reserved_until = st->next_batch + master_state::id_block;
    save_record(self, st);
  }
  return id;
}

void start_from_record(caf::event_based_actor* self, const master_ptr& st) {
  if (st->state_disk == nullptr) {
    log_event(self, st->ctx, log_level::warn, "no_state_dir",
              "the master keeps no durable record (no --data-dir): after a "
              "restart it forgets members, failed batches and used batch "
              "ids. Fine for a test; not for data you keep.");
    return;
  }
  std::string err;
  if (!load_master_record(*st->state_disk, st->record, err)) {
    log_event(self, st->ctx, log_level::error, "state_damaged",
              err + "; refusing to guess: starting a NEW cluster identity "
                    "would lose track of existing data. Fix or move the "
                    "file, then restart.");
    self->quit(make_error(errc::unavailable, err));
    return;
  }
  auto& rec = st->record;
  st->epoch = rec.epoch + 1;
  st->next_batch = std::max<batch_id>(1, rec.reserved_until);
  st->epoch_first_batch = st->next_batch;
  // Retention already deleted what lies below the watermark: reads there
  // say so from the first moment, and reported copies of it are garbage.
  st->expired_before = rec.expired_before;
  rec.reserved_until = st->next_batch + master_state::id_block;
  st->failed.insert(rec.failed.begin(), rec.failed.end());
  for (auto& m : rec.members) {
    auto n = static_cast<node_number>(st->members.size());
    member fresh;
    fresh.name = m.name;
    fresh.address = m.address;
    fresh.zone = m.zone;
    fresh.incarnation = m.incarnation;
    fresh.draining = m.draining;
    fresh.redundant = m.redundant;
    st->members.push_back(std::move(fresh));
    st->member_numbers.emplace(m.name, n);
    // A redundant member (dead or drained, every batch it held also on an
    // up member) holds nothing only it knows: no need to wait for it.
    if (!m.redundant)
      st->unreported.insert(m.name);
    if (st->ctx.directory && !m.address.empty())
      self->send(st->ctx.directory, learn_atom::value, m.name, m.address);
  }
  st->joined.assign(st->members.size(), false);
  st->rebuilding = st->uncertain();
  st->rebuild_until = now_us(self)
                      + st->cfg.heartbeat_interval
                          * (st->cfg.dead_after_misses + 1);
  save_record(self, st);
  log_event(self, st->ctx, log_level::info, "master_started",
            "epoch " + std::to_string(st->epoch) + ", batch ids from "
              + std::to_string(st->next_batch) + "; "
              + (st->rebuilding
                   ? "waiting for " + std::to_string(st->unreported.size())
                       + " known member(s) to report what they hold"
                   : std::string{"a new cluster"})
              + (st->expired_before > INT64_MIN
                   ? "; retention watermark ts "
                       + std::to_string(st->expired_before)
                   : std::string{}));
}

void maybe_end_rebuild(caf::event_based_actor* self, const master_ptr& st) {
  if (!st->rebuilding)
    return;
  auto now = now_us(self);
  if (st->uncertain() && now < st->rebuild_until)
    return;
  st->rebuilding = false;
  log_event(self, st->ctx, log_level::info, "index_rebuilt",
            "index rebuilt from block reports: "
              + std::to_string(st->index.size()) + " batch(es); "
              + (!st->uncertain()
                   ? std::string{"every member reported"}
                   : "still unreported: " + unreported_names(*st)
                       + " (they may hold batches the index lacks: reads "
                         "stay incomplete and retried appends in doubt "
                         "until they report, or an operator removes them)"));
}

} // namespace logstore
