// logstore — direct writes: placements, grants and commits (docs/protocol.md,
// "Direct writes"). No entry byte reaches the master on this path.
//
//   placement_req --> ids [first, first + count), RF replicas
//        |            (the placement is open: reads consult its replicas)
//        v
//   grant_req to each replica --(grant_ack from >= W)--> placement_reply
//                                 (fewer: not_enough_nodes, placement gone)
//
//   client stores each batch at the replicas itself, acks at W store_acks
//
//   commit_req (many batches) --> index each one (dedup by (client, seq)),
//        |                        delete abandoned ones, repair short ones
//        v
//   commit_ack; a placement every id of which is committed, or that the
//   client closes (commit_req.closes), is no longer open
//
//   a placement without a commit for placement_idle (its client died, or
//   stopped without closing it) is sealed: seal_req to its replicas, which
//   stop taking stores into it and list what they hold there; once
//   replicas - W + 1 answered (any acknowledged batch is on one of them),
//   what they hold is indexed and the placement is no longer open
#include "core/master/master_machine.hpp"

#include <algorithm>
#include <limits>

namespace logstore {

namespace {

/// Open placements one client may hold at once (the one it writes into and
/// the one whose commits are still under way, with room for a retry).
constexpr size_t placements_per_client_max = 16;

/// How long a placement may go without a commit before it is sealed: well
/// past a live client's commit delay and store timeouts.
time_us placement_idle(const cluster_config& cfg) {
  return std::max<time_us>(8 * cfg.store_timeout, 4'000'000);
}

} // namespace

bool in_open_placement(const master_state& st, batch_id id) {
  auto i = st.placements.upper_bound(id);
  if (i == st.placements.begin())
    return false;
  --i;
  auto& p = i->second;
  return id < p.end() && id >= p.committed_below
         && p.committed_above.count(id) == 0;
}

open_placement* master_machine::placement_of(client_id client, batch_id id) {
  auto i = st_.placements.upper_bound(id);
  if (i == st_.placements.begin())
    return nullptr;
  --i;
  auto& p = i->second;
  if (id >= p.end() || p.client != client)
    return nullptr;
  return &p;
}

void master_machine::close_placement(client_id client, batch_id first,
                                     const char* why) {
  auto i = st_.placements.find(first);
  if (i == st_.placements.end() || i->second.client != client)
    return;
  for (auto token : i->second.tokens)
    emit(fx::reply{token, error_answer{errc::not_enough_nodes,
                                       "the placement was closed before its "
                                       "grants were confirmed"}});
  log_lazy(log_level::debug, "placement_closed", [&] {
    return "placement " + std::to_string(first) + " of client "
           + std::to_string(client) + " closed (" + why + ")";
  });
  st_.placements.erase(i);
}

void master_machine::on_placement(uint64_t token, const placement_req& req,
                                  time_us now, effects& out) {
  begin(now, out);
  if (st_.failover.enabled && st_.failover.role == master_role::active
      && req.epoch > st_.epoch)
    step_down("a client has seen epoch " + std::to_string(req.epoch),
              req.epoch, {});
  if (refuse_without_lease(token))
    return end();
  if (st_.cfg.write_path != write_path_kind::direct) {
    emit(fx::reply{token, error_answer{errc::precondition_failed,
                                       "this cluster writes through the "
                                       "master (write_path = master): send "
                                       "append_req"}});
    return end();
  }
  if (st_.rebuilding) {
    emit(fx::reply{token, error_answer{errc::unavailable,
                                       "the master restarted and is "
                                       "rebuilding its index from the storage "
                                       "nodes' reports; retry shortly"}});
    return end();
  }
  size_t held = 0;
  for (auto& [first, p] : st_.placements) {
    if (p.client != req.client)
      continue;
    if (p.request == req.request) {
      // A repeat (the reply was lost, or is still coming): the same
      // placement, never a second one.
      p.tokens.push_back(token);
      if (p.granting.empty())
        answer_placement(p);
      return end();
    }
    ++held;
  }
  if (held >= placements_per_client_max) {
    emit(fx::reply{token, error_answer{errc::unavailable,
                                       "client " + std::to_string(req.client)
                                         + " holds "
                                         + std::to_string(held)
                                         + " open placements; commit or close "
                                           "one first"}});
    return end();
  }
  auto count = st_.cfg.placement_batches;
  if (st_.failover.enabled
      && st_.next_batch + count > st_.failover.committed_reserved) {
    emit(fx::reply{token, error_answer{errc::unavailable,
                                       "the next block of batch ids is not "
                                       "yet recorded on a majority of storage "
                                       "nodes; retry shortly"}});
    return end();
  }
  std::vector<node_number> avoid;
  for (auto& name : req.avoid)
    if (auto n = st_.number_of(name))
      avoid.push_back(*n);
  auto quorum = st_.cfg.effective_write_quorum();
  auto candidates = eligible_nodes(st_, now_, avoid);
  if (candidates.size() < quorum)
    candidates = eligible_nodes(st_, now_, {});
  if (candidates.size() < quorum) {
    emit(fx::reply{token, error_answer{errc::not_enough_nodes,
                                       std::to_string(candidates.size())
                                         + " live storage nodes, write quorum "
                                         + std::to_string(quorum)}});
    return end();
  }
  open_placement p;
  p.first = take_batch_id();
  for (uint32_t i = 1; i < count; ++i)
    (void) take_batch_id();
  p.count = count;
  p.client = req.client;
  p.request = req.request;
  p.tokens.push_back(token);
  p.committed_below = p.first;
  p.opened = now_;
  p.used = now_;
  p.replicas = choose_replicas(st_.cfg.placement, candidates,
                               st_.cfg.replication_factor, st_.rng);
  p.granting = p.replicas;
  auto& stored = st_.placements.emplace(p.first, std::move(p)).first->second;
  for (auto n : stored.granting) {
    outstanding_request what;
    what.what = outstanding_request::kind::grant;
    what.batch = stored.first;
    what.node = n;
    request(n, grant_req{st_.epoch, stored.first, stored.count, req.client},
            st_.cfg.store_timeout, std::move(what));
  }
  end();
}

void master_machine::on_grant_done(batch_id first, node_number node, bool ok) {
  auto i = st_.placements.find(first);
  if (i == st_.placements.end())
    return;
  auto& p = i->second;
  if (!contains(p.granting, node))
    return;
  erase_value(p.granting, node);
  if (!ok)
    erase_value(p.replicas, node); // the client will not write there
  if (p.granting.empty() && !p.answered())
    answer_placement(p);
}

void master_machine::answer_placement(open_placement& p) {
  auto tokens = std::move(p.tokens);
  p.tokens.clear();
  auto quorum = st_.cfg.effective_write_quorum();
  if (p.replicas.size() < quorum) {
    for (auto token : tokens)
      emit(fx::reply{token, error_answer{errc::not_enough_nodes,
                                         std::to_string(p.replicas.size())
                                           + " storage nodes took the "
                                             "placement, write quorum "
                                           + std::to_string(quorum)}});
    st_.placements.erase(p.first);
    return;
  }
  placement_reply reply;
  reply.epoch = st_.epoch;
  reply.first = p.first;
  reply.count = p.count;
  reply.write_quorum = quorum;
  reply.store_timeout = st_.cfg.store_timeout;
  for (auto n : p.replicas)
    reply.replicas.push_back({st_.members[n].name, st_.members[n].address});
  log_lazy(log_level::debug, "placement_opened", [&] {
    std::string names;
    for (auto& r : reply.replicas)
      names += (names.empty() ? "" : ", ") + r.name;
    return "batch ids " + std::to_string(p.first) + " to "
           + std::to_string(p.end() - 1) + " for client "
           + std::to_string(p.client) + " on " + names;
  });
  for (auto token : tokens)
    emit(fx::reply{token, reply});
}

void master_machine::note_committed(open_placement* p, batch_id id) {
  if (p == nullptr)
    return;
  p->used = now_;
  if (id != p->committed_below) {
    p->committed_above.insert(id);
    return;
  }
  ++p->committed_below;
  while (!p->committed_above.empty()
         && *p->committed_above.begin() == p->committed_below) {
    p->committed_above.erase(p->committed_above.begin());
    ++p->committed_below;
  }
  if (p->committed_below == p->end())
    close_placement(p->client, p->first, "every id committed");
}

/// One committed batch; returns the id its (client, seq) is indexed under
/// (0: not indexed).
batch_id master_machine::commit_one(const commit_req& req,
                                    const committed_batch& cb) {
  auto* p = placement_of(req.client, cb.batch);
  // Nodes named by the client that are members (network input: others
  // are ignored); an abandoned copy may be on any replica of its
  // placement.
  replica_list confirmed;
  for (auto& name : cb.replicas)
    if (auto n = st_.number_of(name); n && !st_.members[*n].removed)
      confirmed.add(*n);
  auto drop_copies = [&] {
    std::vector<node_number> holders(confirmed.begin(), confirmed.end());
    if (p != nullptr)
      for (auto n : p->replicas)
        if (!contains(holders, n))
          holders.push_back(n);
    for (auto n : holders)
      st_.pending_deletes[n].push_back(cb.batch);
  };
  if (cb.batch == 0 || cb.entries == 0 || cb.min_ts > cb.max_ts
      || cb.entries > st_.cfg.batch_entries_max)
    return 0;
  if (st_.index.find(cb.batch) != nullptr) {
    // Committed before (a retried commit), or adopted from a report: the
    // index already knows its holders (reports and lost copies applied
    // since); a confirmation from the time of the write adds nothing.
    note_committed(p, cb.batch);
    return cb.batch;
  }
  if (p == nullptr && cb.batch >= st_.epoch_first_batch) {
    // Not a placement of this client in this epoch: a stray or forged
    // commit. Nothing is indexed on its word.
    log(log_level::warn, "commit_refused",
        "client " + std::to_string(req.client) + " committed batch "
          + std::to_string(cb.batch)
          + ", which lies in no placement it holds; ignored");
    return 0;
  }
  if (cb.abandoned || confirmed.count == 0) {
    drop_copies();
    note_committed(p, cb.batch);
    return cb.replaced_by;
  }
  if (auto* seen = find_outcome(st_, req.client, cb.seq);
      seen != nullptr && seen->st == dedup_table::state::acked
      && seen->batch != cb.batch && st_.index.find(seen->batch) != nullptr) {
    // A twin: the same (client, seq) is indexed under another id, adopted
    // from a block report after a restart. Of two, the higher id stays
    // (the client's newer copy, the one its ack names).
    if (seen->batch > cb.batch) {
      drop_copies();
      note_committed(p, cb.batch);
      return seen->batch;
    }
    replace_twin(req.client, cb.seq, seen->batch, cb.batch);
  }
  if (st_.failed.count(cb.batch) != 0) {
    // Dropped already (a twin of a newer copy): its copies are deleted.
    note_committed(p, cb.batch);
    return 0;
  }
  // A confirmation is as old as the write: a replica that reported the
  // copy lost since does not hold it, and one that joined again since the
  // placement opened may have lost it in a restart; the latter is asked.
  std::vector<node_number> doubtful;
  for (auto n : std::vector<node_number>(confirmed.begin(), confirmed.end())) {
    if (p != nullptr && p->lost.count({cb.batch, n}) != 0) {
      confirmed.remove(n);
      continue;
    }
    if (p == nullptr || st_.members[n].joined_at > p->opened)
      doubtful.push_back(n);
  }
  if (confirmed.count == 0) {
    drop_copies();
    note_committed(p, cb.batch);
    return 0;
  }
  for (auto n : doubtful)
    verify_[n].push_back(cb.batch);
  batch_meta meta;
  meta.min_ts = cb.min_ts;
  meta.max_ts = cb.max_ts;
  meta.entries = cb.entries;
  meta.bytes = cb.bytes;
  meta.replicas = confirmed;
  if (!remember_outcome(st_, req.client, cb.seq,
                        {dedup_table::state::acked, cb.batch, errc::none},
                        false)) {
    drop_copies();
    note_committed(p, cb.batch);
    return 0;
  }
  st_.index.insert(cb.batch, meta);
  note_acked(st_, meta);
  for (auto n : confirmed) {
    listed_again(st_, n, cb.batch);
    st_.members[n].bytes += meta.bytes;
  }
  if (meta.replicas.count < st_.cfg.replication_factor) {
    log(log_level::warn, "under_replicated",
        "batch " + std::to_string(cb.batch) + " was committed with "
          + std::to_string(meta.replicas.count) + " of "
          + std::to_string(st_.cfg.replication_factor)
          + " copies; queued for repair");
    enqueue_repair(st_, cb.batch);
  }
  if (st_.failover.enabled)
    emit(fx::acked{st_.epoch});
  log_lazy(log_level::debug, "batch_committed", [&] {
    return "batch " + std::to_string(cb.batch) + " of client "
           + std::to_string(req.client) + " committed with "
           + std::to_string(meta.replicas.count) + " confirmed copies";
  });
  note_committed(p, cb.batch);
  return cb.batch;
}

void master_machine::seal_tick() {
  if (st_.rebuilding)
    return;
  for (auto& [first, p] : st_.placements) {
    if (!p.answered() || now_ - p.used < placement_idle(st_.cfg))
      continue;
    if (!p.sealing)
      log(log_level::info, "placement_sealing",
          "placement " + std::to_string(first) + " of client "
            + std::to_string(p.client) + " had no commit for "
            + std::to_string((now_ - p.used) / 1000)
            + " ms; sealing it (its replicas take no more stores there and "
              "report what they hold)");
    p.sealing = true;
    for (auto n : p.replicas) {
      if (p.sealed.count(n) != 0 || p.seal_asked.count(n) != 0
          || st_.detector.state(n, now_) == node_state::dead)
        continue;
      p.seal_asked.insert(n);
      outstanding_request what;
      what.what = outstanding_request::kind::seal;
      what.batch = first;
      what.node = n;
      request(n, seal_req{st_.epoch, first, p.count}, st_.cfg.store_timeout,
              std::move(what));
    }
  }
}

void master_machine::on_sealed(batch_id first, node_number node,
                               const seal_ack* ack) {
  auto i = st_.placements.find(first);
  if (i == st_.placements.end())
    return;
  auto& p = i->second;
  p.seal_asked.erase(node);
  if (ack == nullptr)
    return; // asked again next tick
  auto& held = p.sealed[node];
  for (auto& info : ack->holds)
    if (info.batch >= p.first && info.batch < p.end())
      held.push_back(info);
  auto quorum = st_.cfg.effective_write_quorum();
  auto need = p.replicas.size() >= quorum ? p.replicas.size() - quorum + 1 : 1;
  if (p.sealed.size() < need)
    return;
  // Every batch acknowledged in the placement is on one of the answering
  // replicas: index what they hold and not yet committed, as a block
  // report would (twins and failed ids handled there).
  uint64_t adopted = 0;
  for (auto& [n, infos] : p.sealed)
    for (auto& info : infos) {
      if (info.min_ts > info.max_ts || info.entries == 0
          || st_.failed.count(info.batch) != 0)
        continue;
      if (auto* meta = st_.index.find(info.batch)) {
        if (meta->replicas.add(n))
          listed_again(st_, n, info.batch);
        continue;
      }
      if (adopt_or_twin(n, info)) {
        enqueue_repair(st_, info.batch);
        ++adopted;
      } else {
        st_.pending_deletes[n].push_back(info.batch);
      }
    }
  log(log_level::info, "placement_sealed",
      "placement " + std::to_string(first) + " sealed: "
        + std::to_string(p.sealed.size()) + " replica(s) reported, "
        + std::to_string(adopted) + " uncommitted batch(es) indexed");
  auto client = p.client;
  close_placement(client, first, "sealed");
  flush_deletes();
}

void master_machine::on_commit(uint64_t token, const commit_req& req,
                               time_us now, effects& out) {
  begin(now, out);
  if (refuse_without_lease(token))
    return end();
  if (st_.rebuilding) {
    emit(fx::reply{token, error_answer{errc::unavailable,
                                       "the master restarted and is "
                                       "rebuilding its index; commit again "
                                       "shortly"}});
    return end();
  }
  commit_ack ack;
  ack.batches.reserve(req.batches.size());
  // The batches kept first, then the abandoned ones: a kept batch that
  // replaces an adopted twin must find it still indexed.
  ack.batches.assign(req.batches.size(), 0);
  for (size_t i = 0; i < req.batches.size(); ++i)
    if (!req.batches[i].abandoned)
      ack.batches[i] = commit_one(req, req.batches[i]);
  for (size_t i = 0; i < req.batches.size(); ++i)
    if (req.batches[i].abandoned)
      ack.batches[i] = commit_one(req, req.batches[i]);
  // Holders in doubt are asked, as for a reader's missing_copies hint
  // (machine_read.cpp): what a node does not hold leaves the index.
  constexpr auto hi = std::numeric_limits<timestamp_us>::max();
  constexpr auto lo = std::numeric_limits<timestamp_us>::min();
  for (auto& [n, ids] : verify_) {
    outstanding_request what;
    what.what = outstanding_request::kind::check_copies;
    what.node = n;
    what.ids = ids;
    request(n, fetch_req{std::move(ids), hi, lo}, st_.cfg.fetch_timeout,
            std::move(what));
  }
  verify_.clear();
  for (auto first : req.closes)
    close_placement(req.client, first, "the client is done with it");
  flush_deletes();
  emit(fx::reply{token, std::move(ack)});
  end();
}

} // namespace logstore
