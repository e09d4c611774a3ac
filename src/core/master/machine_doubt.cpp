// logstore — what a restarted master can vouch for, and what it cannot.
//
// A master that restarts from its record knows its members but not what
// they hold: the index comes back with their block reports. Until every
// recorded member has joined again, a member that has not ("unreported")
// may hold batches the index does not know. Three promises depend on it:
//
//  - Reads are complete only over what the master can vouch for: while a
//    member is unreported, every read says incomplete, names the whole
//    window as missing and lists the unreported members (master_read.cpp).
//  - A definite failure is only honest if no earlier attempt of the same
//    (client, seq) can still turn up. A first attempt (append_req.attempt
//    == 0) has none. A retry's earlier attempt may sit on an unreported
//    member, so while one exists a retry is answered in_doubt
//    (indefinite) instead of unavailable, not_enough_nodes or
//    replication_failed.
//  - One (client, seq), one batch. A retry stored in this epoch as batch X
//    and an earlier attempt's batch Y, reported later, are twins: the
//    outcome this epoch has for the pair wins (X acked or in progress, or a
//    definite failure the client was told), Y's id joins the durable
//    `failed` set (never adopted, by any later epoch either) and its copy
//    is deleted. Only an outcome that was itself in doubt gives way: then Y
//    is adopted and becomes the pair's answer.
//
// restart_pairs keeps the pairs that can have twins (adopted batches and
// retries) without the dedup window's limit, until no member is unreported.
#include "core/master/master_machine.hpp"

namespace logstore {

namespace {

using state = dedup_table::state;

std::string pair_text(client_id client, sequence_nr seq) {
  return "(client " + std::to_string(client) + ", seq " + std::to_string(seq)
         + ")";
}

std::string describe(const dedup_table::outcome& x) {
  switch (x.st) {
    case state::in_progress:
      return "batch " + std::to_string(x.batch) + ", still being written";
    case state::acked:
      return "batch " + std::to_string(x.batch) + ", acknowledged";
    case state::failed:
      return "a definite " + std::string{to_string(x.error)} + " answer";
  }
  return "?";
}

} // namespace

const dedup_table::outcome* find_outcome(const master_state& st,
                                         client_id client, sequence_nr seq) {
  if (auto* x = st.dedup.find(client, seq))
    return x;
  auto i = st.restart_pairs.find({client, seq});
  return i == st.restart_pairs.end() ? nullptr : &i->second;
}

bool remember_outcome(master_state& st, client_id client, sequence_nr seq,
                      dedup_table::outcome x, bool track) {
  auto key = std::make_pair(client, seq);
  auto tracked = st.restart_pairs.find(key);
  if (tracked != st.restart_pairs.end() && tracked->second.st == state::acked
      && (x.st != state::acked || x.batch != tracked->second.batch))
    return false; // invariant 5: one pair, one batch
  if (!st.dedup.record(client, seq, x))
    return false;
  if (tracked != st.restart_pairs.end())
    tracked->second = x;
  else if (track && st.uncertain())
    st.restart_pairs.emplace(key, x);
  return true;
}

bool definite_allowed(const master_state& st, uint32_t attempt) {
  return attempt == 0 || !st.uncertain();
}

std::string unreported_names(const master_state& st) {
  std::string out;
  for (auto& name : st.unreported)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

void master_machine::member_reported(const node_name& name) {
  if (st_.unreported.erase(name) == 0 || st_.uncertain())
    return;
  log(log_level::info, "index_whole",
            "every recorded member has reported since the restart or was "
            "removed (the last: " + name + "): the index holds every batch "
            "again, reads can be complete, and retries get definite answers "
            "again ("
              + std::to_string(st_.restart_pairs.size())
              + " remembered (client, seq) pairs released)");
  st_.restart_pairs.clear();
  st_.restart_retries = 0;
}

void master_machine::replace_twin(client_id client, sequence_nr seq,
                                  batch_id twin, batch_id kept) {
  if (auto* old = st_.index.find(twin)) {
    auto meta = *old;
    for (auto r : meta.replicas)
      forget_copy(meta, twin, r);
    st_.index.erase(twin);
    st_.stored_bytes -= std::min<uint64_t>(st_.stored_bytes, meta.bytes);
  }
  st_.failed.insert(twin); // never adopted again
  persist();
  log(log_level::warn, "twin_replaced",
      "batch " + std::to_string(kept) + " and batch " + std::to_string(twin)
        + " both hold " + pair_text(client, seq) + "; batch "
        + std::to_string(kept) + " (the client's newer copy) is kept, the "
        + "other's copies are deleted");
  st_.dedup.replace(client, seq, {state::failed, twin, errc::in_doubt});
  if (auto i = st_.restart_pairs.find({client, seq});
      i != st_.restart_pairs.end())
    st_.restart_pairs.erase(i);
}

bool master_machine::adopt_or_twin(node_number n, const batch_info& info) {
  auto id = info.batch;
  if (st_.durable && id >= st_.next_batch) {
    // With a durable record, every id ever handed out lies below the
    // reservation this master started from: this one came from nowhere
    // (another cluster's data, or damage). Neither indexed nor deleted.
    log(log_level::error, "unknown_batch_id",
              st_.members[n].name + " holds batch " + std::to_string(id)
                + ", an id no master of this cluster handed out (ids so far "
                  "are below " + std::to_string(st_.next_batch)
                + "); ignored, left on the node");
    return true;
  }
  auto* known = find_outcome(st_, info.client, info.seq);
  if (st_.cfg.write_path == write_path_kind::direct && known != nullptr
      && known->st == state::acked && known->batch < id
      && st_.index.find(known->batch) != nullptr) {
    // Direct writes: a client stores an append again only under a newer
    // id, and its ack names the newest copy (direct_writer.hpp). Of two
    // twins, the higher id stays, whichever reported first.
    replace_twin(info.client, info.seq, known->batch, id);
    known = find_outcome(st_, info.client, info.seq);
  }
  bool gives_way = known == nullptr
                   || (known->st == state::failed
                       && !is_definite(known->error));
  if (gives_way
      && remember_outcome(st_, info.client, info.seq,
                          {state::acked, id, errc::none}, true)) {
    batch_meta fresh;
    fresh.min_ts = info.min_ts;
    fresh.max_ts = info.max_ts;
    fresh.entries = info.entries;
    fresh.bytes = info.bytes;
    fresh.replicas.add(n);
    listed_again(st_, n, id);
    st_.index.insert(id, fresh);
    note_acked(st_, fresh);
    st_.next_batch = std::max(st_.next_batch, id + 1);
    return true;
  }
  // Keep exactly one batch per (client, seq): the one this epoch answered
  // (or is writing) for it. Durably, so no later epoch adopts it either.
  known = find_outcome(st_, info.client, info.seq);
  st_.failed.insert(id);
  log(log_level::warn, "twin_dropped",
            st_.members[n].name + " holds batch " + std::to_string(id)
              + " for " + pair_text(info.client, info.seq)
              + ", an attempt made before the master restarted; this epoch "
                "already has "
              + (known ? describe(*known) : std::string{"an answer"})
              + " for that pair, so batch " + std::to_string(id)
              + " is never indexed and its copies are deleted (the entries "
                "are stored once)");
  return false;
}

} // namespace logstore
