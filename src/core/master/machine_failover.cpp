// logstore — several masters, one active: roles, campaigns for an epoch
// that the storage nodes promise, the record replicated to the storage
// nodes, step-down (docs/protocol.md, "Master failover").
//
//   standby --no active heard for master_timeout, random back-off-->
//   candidate: epoch_req{seen+1} to every storage node it knows of
//     |  promises from a promotion quorum (promotion_quorum(): a majority
//     |  of the newest record's members and members - write_quorum + 1)
//     v
//   active: the newest record found, a new epoch, a new block of batch ids,
//     |  the record written to the storage nodes (committed at a majority),
//     |  the index rebuilt from block reports as after a restart
//     |  (machine_restart.cpp); serves once the record is committed
//     |
//     |  a storage node refuses a command (stale_epoch) or names a newer
//     |  epoch (epoch_notice), a master_info names a newer active one, or
//     |  no majority of storage nodes heard for master_timeout
//     v
//   standby (every request in progress answered not_active)
//
// With a single master (cfg.masters has at most one name) none of this
// runs: the master is active from its start, as it always was.
#include "core/master/master_machine.hpp"

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

std::string_view to_string(master_role r) {
  switch (r) {
    case master_role::active: return "active";
    case master_role::standby: return "standby";
    case master_role::candidate: return "candidate";
  }
  return "unknown";
}

namespace {

bool listed(const master_record& rec, const node_name& name,
            uint64_t incarnation) {
  for (auto& m : rec.members)
    if (m.name == name)
      return m.incarnation == 0 || incarnation == 0
             || m.incarnation == incarnation;
  return false;
}

/// Promises from members of the newest known record (with the incarnation
/// it lists: a node that lost its disk is a new incarnation whose promise
/// does not count).
size_t counted(const failover_state& fo) {
  size_t have = 0;
  for (auto& [name, ack] : fo.promises)
    have += listed(fo.known.record, name, ack.incarnation) ? 1 : 0;
  return have;
}

} // namespace

time_us master_machine::backoff() {
  auto span = static_cast<uint64_t>(st_.cfg.master_backoff);
  // After a split vote, at least half the master timeout: two standbys
  // whose back-offs ended together must not meet again (Raft randomizes
  // its election timeout for the same reason).
  if (st_.failover.split)
    span = std::max<uint64_t>(
      span, static_cast<uint64_t>(st_.cfg.effective_master_timeout() / 2));
  return span == 0 ? 0 : static_cast<time_us>(st_.rng.below(span));
}

uint64_t master_machine::request_to(const node_name& to, node_message msg,
                                    time_us timeout,
                                    outstanding_request what) {
  auto token = st_.next_token++;
  what.peer = to;
  st_.requests.emplace(token, std::move(what));
  emit(fx::request{to, std::move(msg), token, timeout});
  return token;
}

// -- start ---------------------------------------------------------------------

void master_machine::failover_start(const record_load& loaded) {
  auto& fo = st_.failover;
  fo.enabled = true;
  fo.self = opts_.name;
  fo.role = master_role::standby;
  st_.durable = true; // the record lives on the storage nodes
  if (!loaded.ok)
    log(log_level::warn, "state_damaged",
        loaded.error + "; ignored: with several masters the record lives on "
                       "the storage nodes");
  else if (loaded.record.epoch > 0) {
    fo.known.epoch = loaded.record.epoch;
    fo.known.record = loaded.record;
    fo.seen_epoch = loaded.record.epoch;
  }
  bool first = st_.cfg.masters.front() == fo.self;
  auto timeout = st_.cfg.effective_master_timeout();
  if (first && fo.seen_epoch == 0) {
    // May start a new cluster: after one round of pings finds no master
    // that knows an epoch.
    fo.active_heard = now_ - timeout;
    fo.campaign_at = now_ + st_.cfg.heartbeat_interval;
    emit(fx::timer{st_.cfg.heartbeat_interval, fx::timer_kind::campaign, 0,
                   0});
  } else {
    fo.active_heard = now_;
    fo.campaign_at = -1;
  }
  log(log_level::info, "master_standby",
      fo.self + " starts as a standby (" + std::to_string(st_.cfg.masters.size())
        + " masters; highest epoch known " + std::to_string(fo.seen_epoch)
        + ")");
  emit(fx::role{"standby", fo.seen_epoch});
}

/// A record without members: no write was ever acknowledged under it (a
/// write needs members a majority recorded), so the cluster can start
/// afresh; but only the first master may, or two masters could start two.
bool master_machine::bootstrap_allowed() const {
  auto& fo = st_.failover;
  return st_.cfg.masters.front() == fo.self
         && fo.known.record.members.empty() && fo.seen_epoch <= fo.proposed;
}

// -- standing by, and answering as a standby ------------------------------------

std::string master_machine::redirect_text() const {
  auto& fo = st_.failover;
  if (!fo.active.empty() && fo.active != fo.self)
    return "not the active master; the active master is " + fo.active
           + " (epoch " + std::to_string(fo.active_epoch) + ")";
  return "not the active master, and no active master is known yet (a "
         "failover may be under way): retry shortly";
}

bool master_machine::refuse_inactive(uint64_t token) {
  auto& fo = st_.failover;
  if (!fo.enabled || fo.role == master_role::active)
    return false;
  emit(fx::reply{token, error_answer{errc::not_active, redirect_text()}});
  return true;
}

time_us master_machine::majority_echo() const {
  auto& fo = st_.failover;
  std::vector<time_us> heard;
  for (auto& m : st_.members)
    if (!m.removed) {
      auto i = fo.reached.find(m.name);
      heard.push_back(i == fo.reached.end() ? -1 : i->second);
    }
  auto need = record_quorum(heard.size());
  if (need == 0)
    return now_;
  std::nth_element(heard.begin(), heard.begin() + (need - 1), heard.end(),
                   std::greater<>{});
  return heard[need - 1];
}

bool master_machine::lease_valid() const {
  if (!st_.failover.enabled)
    return true;
  // Half the master timeout: the nodes' own lease clocks may run apart
  // from this one, and an echo arrives after the lease it renews began.
  auto echo = majority_echo();
  return echo >= 0 && now_ - echo < st_.cfg.effective_master_timeout() / 2;
}

bool master_machine::refuse_without_lease(uint64_t token) {
  if (refuse_inactive(token))
    return true;
  if (lease_valid())
    return false;
  // Paused, or cut off: a majority of storage nodes may have promised a
  // newer master meanwhile, whose acknowledged writes this one has never
  // heard of. Its index is no answer to a read (or a placement) until its
  // lease is renewed.
  emit(fx::reply{token, error_answer{errc::not_active,
                                     "this master has not heard from a "
                                     "majority of storage nodes recently; "
                                     "another master may be active: retry "
                                     "there"}});
  return true;
}

void master_machine::note_contact(const node_name& name,
                                  const std::string& address) {
  auto& fo = st_.failover;
  if (fo.contacts.size() < 4096 || fo.contacts.count(name) != 0)
    fo.contacts[name] = address;
}

master_info master_machine::make_info(const master_ping& ping) const {
  auto& fo = st_.failover;
  master_info out;
  out.name = fo.self;
  bool active = fo.role == master_role::active;
  out.role = active ? "active" : "standby";
  out.epoch = active ? st_.epoch : fo.seen_epoch;
  out.active = active ? fo.self : fo.active;
  if (active
      && std::pair{ping.record_epoch, ping.record_version}
           < std::pair{fo.known.epoch, fo.known.version}) {
    out.record_epoch = fo.known.epoch;
    out.record_version = fo.known.version;
    out.record = fo.known.record.encode();
  }
  return out;
}

void master_machine::on_master_ping(uint64_t token, const master_ping& ping,
                                    time_us now, effects& out) {
  begin(now, out);
  emit(fx::reply{token, make_info(ping)});
  end();
}

void master_machine::on_master_info(const node_name& from,
                                    const master_info& info) {
  auto& fo = st_.failover;
  if (info.name != from)
    return; // not who we asked: ignore it
  fo.peers[from] = master_view{from, info.role, info.epoch};
  fo.peer_heard[from] = now_;
  fo.seen_epoch = std::max(fo.seen_epoch, info.epoch);
  if (info.role != "active") {
    if (from == fo.active && fo.role == master_role::standby) {
      // The master we took for active stepped down (or restarted): no
      // need to wait out the master timeout; campaign after a back-off.
      log(log_level::info, "active_gone",
          from + " is no longer active (epoch " + std::to_string(info.epoch)
            + ")");
      fo.active.clear();
      fo.active_heard = now_ - st_.cfg.effective_master_timeout();
    }
    return;
  }
  if (fo.role == master_role::active) {
    if (info.epoch > st_.epoch)
      step_down(from + " is active at epoch " + std::to_string(info.epoch),
                info.epoch, from);
    else if (info.epoch == st_.epoch)
      log(log_level::error, "two_active",
          from + " claims to be active at this master's epoch "
            + std::to_string(st_.epoch)
            + ": a promotion quorum was broken (a storage node lost its "
              "promise?)");
    return;
  }
  if (info.epoch < fo.active_epoch)
    return; // an old active master that has not heard yet
  if (fo.role == master_role::candidate && info.epoch >= fo.proposed) {
    log(log_level::info, "campaign_lost",
        from + " is active at epoch " + std::to_string(info.epoch));
    fo.role = master_role::standby;
  }
  if (fo.role == master_role::candidate)
    return; // our campaign is for a newer epoch than that active one
  if (fo.active != from || fo.active_epoch != info.epoch) {
    if (fo.active_epoch != 0 && info.epoch > fo.active_epoch)
      ++fo.failovers;
    log(log_level::info, "active_master",
        from + " is the active master (epoch " + std::to_string(info.epoch)
          + ")");
  }
  fo.active = from;
  fo.active_epoch = info.epoch;
  fo.active_heard = now_;
  fo.campaign_at = -1;
  fo.split = false;
  if (!info.record.empty()) {
    versioned_record vr;
    vr.epoch = info.record_epoch;
    vr.version = info.record_version;
    std::string err;
    if (master_record::decode(info.record, vr.record, err)
        && vr.newer_than(fo.known)) {
      fo.known = std::move(vr);
      if (opts_.durable) // warm after a restart too
        emit(fx::persist{fo.known.record});
    }
  }
}

void master_machine::ping_peers() {
  auto& fo = st_.failover;
  for (auto& name : st_.cfg.masters) {
    if (name == fo.self)
      continue;
    outstanding_request what;
    what.what = outstanding_request::kind::ping;
    request_to(name,
               master_ping{fo.self,
                           fo.role == master_role::active ? st_.epoch
                                                          : fo.seen_epoch,
                           fo.known.epoch, fo.known.version},
               st_.cfg.heartbeat_interval, std::move(what));
  }
}

// -- campaigns -------------------------------------------------------------------

void master_machine::ask_promise(const node_name& name) {
  auto& fo = st_.failover;
  if (fo.asked.count(name) != 0)
    return; // once per round
  fo.asked.insert(name);
  fo.waiting.insert(name);
  outstanding_request what;
  what.what = outstanding_request::kind::promise;
  what.epoch = fo.proposed;
  what.probe = fo.prevote;
  request_to(name, epoch_req{fo.proposed, fo.self, fo.prevote},
             st_.cfg.store_timeout, std::move(what));
}

void master_machine::campaign() {
  auto& fo = st_.failover;
  fo.role = master_role::candidate;
  fo.proposed = fo.seen_epoch + 1;
  fo.campaign_at = -1;
  // A pre-vote first (nothing changes on the storage nodes), except when
  // starting a new cluster: there is no active master to depose. A master
  // that may not start one and knows no record only pre-votes: the
  // answers bring it the record.
  fo.prevote = !(fo.known.record.members.empty() && bootstrap_allowed());
  if (!fo.prevote)
    fo.seen_epoch = fo.proposed;
  log(log_level::info, "campaign",
      "no active master heard for "
        + std::to_string((now_ - fo.active_heard) / 1000) + " ms; "
        + (fo.prevote ? "asking whether the storage nodes would promise "
                      : "asking the storage nodes to promise ")
        + "epoch " + std::to_string(fo.proposed) + " ("
        + std::to_string(promotion_quorum(fo.known.record.members.size(),
                                          st_.cfg.effective_write_quorum()))
        + " needed)");
  start_round();
}

void master_machine::start_round() {
  auto& fo = st_.failover;
  fo.promises.clear();
  fo.asked.clear();
  fo.waiting.clear();
  fo.campaign_until
    = now_ + std::max(2 * st_.cfg.store_timeout, st_.cfg.heartbeat_interval);
  std::set<node_name> targets;
  for (auto& m : fo.known.record.members) {
    targets.insert(m.name);
    if (!m.address.empty())
      emit(fx::learn{m.name, m.address});
  }
  for (auto& [name, address] : fo.contacts) {
    targets.insert(name);
    if (!address.empty())
      emit(fx::learn{name, address});
  }
  for (auto& name : targets)
    ask_promise(name);
  maybe_promote();
}

void master_machine::on_promise(const outstanding_request& what,
                                epoch_ack& ack) {
  auto& fo = st_.failover;
  if (fo.role != master_role::candidate || what.epoch != fo.proposed
      || what.probe != fo.prevote || ack.epoch != fo.proposed
      || ack.node != what.peer)
    return;
  fo.waiting.erase(what.peer);
  if (!ack.record.empty()) {
    versioned_record vr;
    vr.epoch = ack.record_epoch;
    vr.version = ack.record_version;
    std::string err;
    if (!master_record::decode(ack.record, vr.record, err)) {
      log(log_level::warn, "record_malformed",
          ack.node + " sent a record that does not decode (" + err
            + "); its promise counts, its record does not");
    } else if (vr.newer_than(fo.known)) {
      fo.known = std::move(vr);
      // Its members may hold what this master has not asked about yet.
      for (auto& m : fo.known.record.members) {
        if (!m.address.empty())
          emit(fx::learn{m.name, m.address});
        ask_promise(m.name);
      }
    }
  }
  fo.promises[ack.node] = std::move(ack);
  maybe_promote();
}

void master_machine::on_promise_refused(const outstanding_request& what) {
  auto& fo = st_.failover;
  if (fo.role != master_role::candidate || what.epoch != fo.proposed
      || what.probe != fo.prevote)
    return;
  fo.waiting.erase(what.peer);
  maybe_promote();
}

size_t master_machine::counted_promises() const {
  return counted(st_.failover);
}

void master_machine::maybe_promote() {
  auto& fo = st_.failover;
  if (fo.role != master_role::candidate)
    return;
  auto members = fo.known.record.members.size();
  if (members == 0) {
    if (!bootstrap_allowed())
      return; // only the first master starts a cluster
    // Starting afresh: only once every node asked has answered (one of
    // them may hold a record with members) or the campaign's time is up.
    if (!fo.waiting.empty() && now_ < fo.campaign_until)
      return;
  }
  auto need = promotion_quorum(members, st_.cfg.effective_write_quorum());
  if (counted_promises() < need)
    return;
  if (fo.prevote) {
    // Enough would promise: now ask for real, for the same epoch.
    log(log_level::info, "prevote_won",
        std::to_string(counted_promises()) + " of "
          + std::to_string(members) + " storage nodes would promise epoch "
          + std::to_string(fo.proposed) + "; asking for the promises");
    fo.prevote = false;
    fo.seen_epoch = std::max(fo.seen_epoch, fo.proposed);
    start_round();
    return;
  }
  promote();
}

void master_machine::campaign_failed() {
  auto& fo = st_.failover;
  log(log_level::warn, "campaign_failed",
      "epoch " + std::to_string(fo.proposed)
        + (fo.prevote ? " (pre-vote): " : ": ")
        + std::to_string(counted_promises()) + " of "
        + std::to_string(promotion_quorum(fo.known.record.members.size(),
                                          st_.cfg.effective_write_quorum()))
        + " promises needed; trying again after a back-off");
  fo.role = master_role::standby;
  fo.promises.clear();
  fo.split = true;
  auto delay = st_.cfg.heartbeat_interval + backoff();
  fo.campaign_at = now_ + delay;
  emit(fx::timer{delay, fx::timer_kind::campaign, 0, 0});
}

void master_machine::promote() {
  // The quorum rule of docs/protocol.md, "Master failover": asserted, not
  // hoped for.
  LOGSTORE_ASSERT(counted(st_.failover)
                  >= promotion_quorum(st_.failover.known.record.members.size(),
                                      st_.cfg.effective_write_quorum()));
  fresh_state();
  auto& f = st_.failover;
  f.role = master_role::active;
  f.split = false;
  f.active = f.self;
  f.active_epoch = f.proposed;
  ++f.failovers;
  f.quorum_heard = now_;
  f.reached.clear();
  // A promise starts the node's lease of this master (as an echo does).
  for (auto& [name, ack] : f.promises)
    f.reached[name] = now_;
  record_load from;
  from.record = f.known.record;
  from.record.epoch = f.proposed - 1; // start_from_record adds one
  log(log_level::info, "promoted",
      f.self + " is the active master at epoch " + std::to_string(f.proposed)
        + " with " + std::to_string(f.promises.size())
        + " promise(s); record of epoch " + std::to_string(f.known.epoch)
        + " version " + std::to_string(f.known.version));
  emit(fx::role{"active", f.proposed});
  auto promised = std::move(f.promises);
  f.promisers.clear();
  for (auto& [name, ack] : promised)
    f.promisers.insert(name);
  start_from_record(from); // epoch, ids, members, persist (replicate)
  f.promoted_version = f.version;
  // A promise is a sign of life: CheckQuorum counts the promising nodes
  // from now (they join again at the nudge below).
  for (auto& [name, ack] : promised)
    if (auto n = st_.number_of(name))
      st_.detector.heard_from(*n, now_);
  if (!record_committed())
    st_.rebuilding = true; // maybe_end_rebuild() waits for the commit
  for (size_t n = 0; n < st_.members.size(); ++n)
    send(static_cast<node_number>(n), join_nudge{},
         st_.cfg.heartbeat_interval);
}

/// Drops the whole state but the failover part and the generator: a
/// promotion starts from the record, a step-down from nothing. What the
/// failover part held for the last epoch (replies waiting for a commit,
/// deletes, the record in flight) goes too.
void master_machine::fresh_state() {
  auto fo = std::move(st_.failover);
  auto cfg = st_.cfg;
  auto rng = st_.rng;
  st_ = master_state{cfg, rng};
  st_.log_min = opts_.log_min;
  st_.durable = true;
  fo.version = 0;
  fo.committed = 0;
  fo.sent.reset();
  fo.held.clear();
  fo.deferred_deletes.clear();
  fo.committed_names.clear();
  fo.committed_reserved = 1;
  st_.failover = std::move(fo);
}

// -- the record on the storage nodes ------------------------------------------------

void master_machine::replicate(const master_record& rec) {
  auto& fo = st_.failover;
  if (fo.role != master_role::active)
    return;
  auto version = ++fo.version;
  fo.known.epoch = st_.epoch;
  fo.known.version = version;
  fo.known.record = rec;
  fo.known.record.epoch = st_.epoch;
  fo.sent.emplace();
  fo.sent->version = version;
  fo.sent->record = fo.known.record;
  fo.sent->text = fo.known.record.encode();
  if (rec.members.empty()) {
    commit(version);
    return;
  }
  for (auto& m : rec.members)
    send_record(m.name);
}

void master_machine::send_record(const node_name& name) {
  auto& fo = st_.failover;
  outstanding_request what;
  what.what = outstanding_request::kind::record;
  what.version = fo.sent->version;
  request_to(name, record_req{st_.epoch, fo.sent->version, fo.sent->text},
             st_.cfg.store_timeout, std::move(what));
}

void master_machine::on_record_ack(const outstanding_request& what,
                                   const record_ack& ack) {
  auto& fo = st_.failover;
  if (fo.role != master_role::active || !fo.sent
      || what.version != fo.sent->version || ack.version != what.version
      || ack.epoch != st_.epoch)
    return;
  fo.sent->holders.insert(what.peer);
  size_t holders = 0;
  for (auto& m : fo.sent->record.members)
    holders += fo.sent->holders.count(m.name);
  if (holders >= record_quorum(fo.sent->record.members.size()))
    commit(fo.sent->version);
}

void master_machine::commit(uint64_t version) {
  auto& fo = st_.failover;
  if (version <= fo.committed)
    return;
  fo.committed = version;
  if (fo.sent && fo.sent->version == version) {
    fo.committed_reserved = fo.sent->record.reserved_until;
    fo.committed_names.clear();
    for (auto& m : fo.sent->record.members)
      fo.committed_names.insert(m.name);
    fo.sent.reset();
  }
  // Replies that report durable decisions go out now.
  auto held = std::move(fo.held);
  fo.held.clear();
  for (auto& [v, r] : held) {
    if (v <= fo.committed)
      emit(std::move(r));
    else
      fo.held.emplace_back(v, std::move(r));
  }
  auto deletes = std::move(fo.deferred_deletes);
  fo.deferred_deletes.clear();
  for (auto& [v, per_node] : deletes) {
    if (v > fo.committed) {
      fo.deferred_deletes.emplace_back(v, std::move(per_node));
      continue;
    }
    for (auto& [n, ids] : per_node)
      send_delete(n, std::move(ids));
  }
  maybe_end_rebuild();
}

bool master_machine::record_committed() const {
  auto& fo = st_.failover;
  return !fo.enabled || fo.committed >= fo.version;
}

void master_machine::reply_durable(uint64_t token, answer value) {
  auto& fo = st_.failover;
  if (fo.enabled && fo.committed < fo.version)
    fo.held.emplace_back(fo.version, fx::reply{token, std::move(value)});
  else
    emit(fx::reply{token, std::move(value)});
}

// -- the active master's tick --------------------------------------------------------

void master_machine::active_tick() {
  auto& fo = st_.failover;
  // Leases: "the active master at this epoch is alive" (a storage node
  // refuses to promise a newer epoch while it hears them).
  for (size_t n = 0; n < st_.members.size(); ++n)
    if (!st_.members[n].removed)
      send(static_cast<node_number>(n),
           epoch_notice{fo.self, st_.epoch, fo.self},
           st_.cfg.heartbeat_interval);
  // The newest record again to those that have not confirmed it.
  if (fo.sent)
    for (auto& m : fo.sent->record.members)
      if (fo.sent->holders.count(m.name) == 0)
        send_record(m.name);
  // CheckQuorum: an active master cut off from most storage nodes cannot
  // know whether another one took over; it steps down once a majority has
  // not echoed its lease for the master timeout (as long as their leases
  // last, no storage node promises a newer epoch). Echoes, not heartbeats:
  // behind a one-way partition the heartbeats still come in.
  size_t members = 0;
  for (auto& m : st_.members)
    members += m.removed ? 0 : 1;
  auto need = record_quorum(members);
  if (need == 0) {
    fo.quorum_heard = now_;
    return;
  }
  fo.quorum_heard = std::max(fo.quorum_heard, majority_echo());
  if (now_ - fo.quorum_heard > st_.cfg.effective_master_timeout())
    step_down("has not heard from " + std::to_string(need) + " of "
                + std::to_string(members)
                + " storage nodes for longer than the master timeout",
              0, {});
}

bool master_machine::failover_tick() {
  auto& fo = st_.failover;
  ping_peers();
  if (fo.role == master_role::active) {
    active_tick();
    return fo.role != master_role::active;
  }
  if (fo.role == master_role::candidate) {
    if (now_ >= fo.campaign_until) {
      maybe_promote(); // a new cluster may start once its time is up
      if (fo.role == master_role::candidate)
        campaign_failed();
    }
    return fo.role != master_role::active;
  }
  auto timeout = st_.cfg.effective_master_timeout();
  if (now_ - fo.active_heard < timeout) {
    fo.campaign_at = -1;
    return true;
  }
  if (fo.campaign_at < 0) {
    // Its own timer, not the next tick: two standbys' back-offs rarely
    // end within one round trip of each other.
    auto delay = backoff();
    fo.campaign_at = now_ + delay;
    emit(fx::timer{delay, fx::timer_kind::campaign, 0, 0});
  }
  return true;
}

void master_machine::on_campaign_timer(time_us now, effects& out) {
  begin(now, out);
  auto& fo = st_.failover;
  if (fo.enabled && fo.role == master_role::standby && fo.campaign_at >= 0
      && now_ >= fo.campaign_at
      && now_ - fo.active_heard >= st_.cfg.effective_master_timeout())
    campaign();
  end();
}

// -- status -----------------------------------------------------------------------

void describe_masters(const master_state& st, time_us now,
                      status_reply& out) {
  auto& fo = st.failover;
  bool active = fo.role == master_role::active;
  out.role = active ? "active" : "standby";
  out.active = active ? fo.self : fo.active;
  out.failovers = fo.failovers;
  if (!active)
    out.epoch = fo.seen_epoch;
  for (auto& name : st.cfg.masters) {
    if (name == fo.self) {
      out.masters.push_back({name, out.role, active ? st.epoch : fo.seen_epoch});
      continue;
    }
    auto v = fo.peers.find(name);
    auto heard = fo.peer_heard.find(name);
    bool fresh = heard != fo.peer_heard.end()
                 && now - heard->second <= 3 * st.cfg.heartbeat_interval;
    if (v == fo.peers.end())
      out.masters.push_back({name, "unreachable", 0});
    else
      out.masters.push_back(
        {name, fresh ? v->second.role : "unreachable", v->second.epoch});
  }
}

// -- stepping down ---------------------------------------------------------------------

void master_machine::step_down(const std::string& why, uint64_t epoch,
                               const node_name& active) {
  auto& fo = st_.failover;
  fo.seen_epoch = std::max(fo.seen_epoch, epoch);
  if (fo.role == master_role::candidate) {
    if (epoch >= fo.proposed) {
      log(log_level::info, "campaign_lost", why);
      fo.split = true;
      fo.role = master_role::standby;
      fo.campaign_at = -1;
      fo.active_heard = now_;
    }
    return;
  }
  if (fo.role != master_role::active)
    return;
  auto text = "this master stepped down (" + why + ")";
  if (!active.empty() && active != fo.self)
    text += "; the active master is " + active;
  error_answer gone{errc::not_active, text + ": retry there"};
  for (auto& [id, pw] : st_.pending_writes)
    for (auto token : pw.waiters)
      emit(fx::reply{token, gone});
  for (auto& [v, r] : fo.held)
    emit(fx::reply{r.token, gone});
  for (auto& [first, p] : st_.placements)
    for (auto token : p.tokens)
      emit(fx::reply{token, gone});
  log(log_level::warn, "stepped_down",
      "epoch " + std::to_string(st_.epoch) + ": " + why);
  auto old_epoch = st_.epoch;
  fresh_state();
  auto& f = st_.failover;
  f.role = master_role::standby;
  f.seen_epoch = std::max(f.seen_epoch, old_epoch);
  f.promises.clear();
  f.active = active != f.self ? active : node_name{};
  f.active_epoch = active.empty() ? 0 : epoch;
  f.active_heard = now_;
  f.campaign_at = -1;
  emit(fx::role{"standby", old_epoch});
}

void master_machine::on_epoch_notice(const epoch_notice& notice, time_us now,
                                     effects& out) {
  begin(now, out);
  auto& fo = st_.failover;
  if (fo.enabled && notice.master == fo.self
      && fo.role == master_role::active && notice.epoch == st_.epoch)
    fo.reached[notice.node] = now_; // our lease, echoed: a round trip
  if (fo.enabled && notice.master != fo.self) {
    auto mine = fo.role == master_role::active ? st_.epoch : fo.proposed;
    if (notice.epoch > mine || (fo.role != master_role::active
                                && notice.epoch >= mine))
      step_down(notice.node + " promised epoch " + std::to_string(notice.epoch)
                  + " to " + notice.master,
                notice.epoch, {});
    fo.seen_epoch = std::max(fo.seen_epoch, notice.epoch);
  }
  end();
}

} // namespace logstore
