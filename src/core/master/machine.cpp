// logstore — master_machine: the step frame, effect helpers, membership,
// heartbeats, status and the tick. See master_machine.hpp.
#include "core/master/master_machine.hpp"

#include "core/base/assert.hpp"
#include "core/base/node_names.hpp"

#include <algorithm>
#include <utility>

namespace logstore {

namespace {

/// Names, zones and addresses end up in the durable record and in logs: a
/// join that carries anything else is refused before it changes anything.
std::string check_join(const cluster_config& cfg, const join_req& req) {
  if (!valid_node_name(req.name))
    return "a node name is 1 to 64 letters, digits, '-', '_' or '.'";
  if (req.name == "master")
    return "the name master is reserved for the master";
  for (auto& m : cfg.masters)
    if (req.name == m)
      return "the name " + m + " is a master's";
  if (!req.zone.empty() && !valid_node_name(req.zone))
    return "a zone is at most 64 letters, digits, '-', '_' or '.'";
  bool plain_address
    = !req.address.empty() && req.address.size() <= 255
      && std::all_of(req.address.begin(), req.address.end(), [](char c) {
           return c > ' ' && c < 127 && c != '\t';
         });
  if (!plain_address)
    return "an address is HOST:PORT";
  return {};
}

/// A join under a name that a live member holds at another address is a
/// second process with the same identity (a copied data directory, or two
/// nodes started with one --name): refused, nothing changes. The same
/// address is the same node restarted (two processes cannot listen on one
/// address), whatever its incarnation.
std::string name_conflict(const master_state& st, const join_req& req,
                          time_us now) {
  auto n = st.number_of(req.name);
  if (!n)
    return {};
  auto& m = st.members[*n];
  if (m.address == req.address
      || st.detector.state(*n, now) == node_state::dead
      || st.joined.size() <= *n || !st.joined[*n])
    return {};
  return req.name + " is a live member at " + m.address + " (incarnation "
         + std::to_string(m.incarnation) + "); a node at " + req.address
         + " (incarnation " + std::to_string(req.incarnation)
         + ") cannot join under the same name";
}

} // namespace

master_machine::master_machine(cluster_config cfg, prng rng,
                               master_options opts)
  : st_(cfg, rng), opts_(opts) {
  st_.log_min = opts.log_min;
  st_.durable = opts.durable;
}

// -- the step frame and effects ----------------------------------------------

void master_machine::begin(time_us now, effects& out) {
  LOGSTORE_ASSERT_MSG(out_ == nullptr, "one step at a time");
  LOGSTORE_ASSERT_MSG(now >= now_, "time never runs backwards");
  now_ = now;
  out_ = &out;
}

void master_machine::end() {
  LOGSTORE_ASSERT(out_ != nullptr);
  out_ = nullptr;
  if (opts_.check_invariants) {
    auto broken = check_invariants(st_);
    LOGSTORE_ASSERT_MSG(broken.empty(), broken.c_str());
  }
}

void master_machine::emit(effect e) {
  LOGSTORE_ASSERT(out_ != nullptr);
  out_->push_back(std::move(e));
}

void master_machine::log(log_level level, std::string_view event,
                         std::string text) {
  if (level >= st_.log_min)
    emit(fx::event{level, std::string{event}, std::move(text)});
}

uint64_t master_machine::request(node_number n, node_message msg,
                                 time_us timeout, outstanding_request what) {
  auto token = st_.next_token++;
  st_.requests.emplace(token, std::move(what));
  emit(fx::request{st_.members[n].name, std::move(msg), token, timeout});
  return token;
}

void master_machine::send(node_number n, node_message msg, time_us timeout) {
  emit(fx::send{st_.members[n].name, std::move(msg), timeout});
}

// -- inputs ------------------------------------------------------------------

void master_machine::start(const record_load& loaded, time_us now,
                           effects& out) {
  begin(now, out);
  if (st_.cfg.multi_master())
    failover_start(loaded);
  else
    start_from_record(loaded);
  emit(fx::timer{0, fx::timer_kind::tick, 0, 0});
  end();
}

node_number master_machine::add_or_update_member(const join_req& req) {
  if (auto n = st_.number_of(req.name)) {
    auto& m = st_.members[*n];
    m.address = req.address;
    m.zone = req.zone;
    m.incarnation = req.incarnation;
    m.joined_at = now_;
    // A re-join may be a new incarnation: resolve it afresh.
    emit(fx::forget_peer{req.name});
    log(log_level::info, "member_rejoined",
        req.name + " joined again from " + req.address);
    return *n;
  }
  member fresh;
  fresh.name = req.name;
  fresh.address = req.address;
  fresh.zone = req.zone;
  fresh.incarnation = req.incarnation;
  fresh.joined_at = now_;
  auto n = st_.add_member(std::move(fresh));
  log(log_level::info, "member_joined",
      req.name + " joined from " + req.address
        + (req.zone.empty() ? "" : " (zone " + req.zone + ")"));
  return n;
}

void master_machine::on_join(uint64_t token, const join_req& req, time_us now,
                             effects& out) {
  begin(now, out);
  if (auto bad = check_join(st_.cfg, req); !bad.empty()) {
    emit(fx::reply{token, error_answer{errc::malformed_request, bad}});
    return end();
  }
  if (st_.failover.enabled && st_.failover.role != master_role::active)
    note_contact(req.name, req.address);
  if (refuse_inactive(token))
    return end();
  if (auto clash = name_conflict(st_, req, now_); !clash.empty()) {
    log(log_level::error, "join_refused", clash);
    emit(fx::reply{token, error_answer{errc::name_in_use, clash}});
    return end();
  }
  auto before = st_.members.size();
  auto n = add_or_update_member(req);
  st_.detector.heard_from(n, now_);
  st_.members[n].heartbeat_seen = false; // until its first heartbeat
  reconcile_member(n, req);
  st_.joined.resize(st_.members.size(), false);
  st_.joined[n] = true;
  member_reported(req.name);
  if (st_.members.size() != before || !st_.record.members.empty())
    persist(); // membership is part of the durable record
  maybe_end_rebuild();
  emit(fx::learn{req.name, req.address});
  emit(fx::reply{token, join_ack{st_.epoch, st_.cfg.heartbeat_interval,
                                 st_.cfg.write_path == write_path_kind::direct}});
  end();
}

void master_machine::on_heartbeat(const heartbeat_msg& hb, time_us now,
                                  effects& out) {
  begin(now, out);
  if (st_.failover.enabled && st_.failover.role != master_role::active) {
    // It takes this master for the active one: join again, and hear
    // not_active, and look further.
    note_contact(hb.name, {});
    emit(fx::to_sender{join_nudge{}});
    return end();
  }
  auto n = st_.number_of(hb.name);
  if (!n || *n >= st_.joined.size() || !st_.joined[*n]) {
    // A node this incarnation has not heard join (the master restarted,
    // or its join was lost): ask it to join again, with its report.
    emit(fx::to_sender{join_nudge{}});
    return end();
  }
  st_.detector.heard_from(*n, now_);
  st_.members[*n].heartbeat_seen = true;
  st_.members[*n].batches = hb.batches;
  st_.members[*n].bytes = hb.bytes;
  if (!hb.lost.empty()) {
    forget_lost_copies(*n, hb.lost);
    // The node repeats these until it hears that they were processed.
    emit(fx::to_sender{lost_ack{hb.lost}});
  }
  end();
}

void master_machine::on_status(uint64_t token, time_us now, effects& out) {
  begin(now, out);
  auto status = make_status(st_, now_);
  if (st_.failover.enabled)
    describe_masters(st_, now_, status);
  emit(fx::reply{token, std::move(status)});
  end();
}

void master_machine::on_drain(uint64_t token, const drain_req& req,
                              time_us now, effects& out) {
  begin(now, out);
  if (refuse_inactive(token))
    return end();
  auto n = st_.number_of(req.node);
  if (!n)
    emit(fx::reply{token, error_answer{errc::malformed_request,
                                       "no member named " + req.node}});
  else
    emit(fx::reply{token, handle_drain(*n)});
  end();
}

void master_machine::on_remove(uint64_t token, const remove_req& req,
                               time_us now, effects& out) {
  begin(now, out);
  if (refuse_inactive(token))
    return end();
  reply_durable(token, handle_remove(req));
  end();
}

void master_machine::on_retry_store(batch_id id, node_number node,
                                    time_us now, effects& out) {
  begin(now, out);
  auto i = st_.pending_writes.find(id);
  if (i != st_.pending_writes.end()) {
    auto& pw = i->second;
    auto& xs = pw.outstanding;
    if (std::find(xs.begin(), xs.end(), node) != xs.end()) {
      xs.erase(std::remove(xs.begin(), xs.end(), node), xs.end());
      if (st_.detector.state(node, now_) == node_state::dead)
        finish_or_fail(pw);
      else
        send_store(pw, node);
    }
  }
  end();
}

void master_machine::on_reply(uint64_t token, node_reply& reply, time_us now,
                              effects& out) {
  begin(now, out);
  auto i = st_.requests.find(token);
  if (i == st_.requests.end())
    return end(); // a duplicate, or one given up on
  auto what = std::move(i->second);
  st_.requests.erase(i);
  using kind = outstanding_request::kind;
  switch (what.what) {
    case kind::store:
      if (std::holds_alternative<store_ack>(reply))
        on_store_ack(what.batch, what.node);
      else
        on_store_failure(what.batch, what.node, errc::timeout);
      break;
    case kind::copy:
      on_copy_done(what.batch, what.source, what.target,
                   std::holds_alternative<copy_ack>(reply) ? errc::none
                                                           : errc::timeout);
      break;
    case kind::check_copies:
      if (auto* result = std::get_if<fetch_result>(&reply))
        on_check_result(what.node, what.ids, *result);
      break; // a wrong reply proves nothing: the copies stay listed
    case kind::remove_copies:
      if (auto* ack = std::get_if<delete_ack>(&reply))
        on_delete_ack(what.node, what.ids, *ack);
      break; // a wrong reply leaves the delete pending: it goes again
    case kind::promise:
      if (auto* ack = std::get_if<epoch_ack>(&reply))
        on_promise(what, *ack);
      else
        on_promise_refused(what);
      break;
    case kind::record:
      if (auto* ack = std::get_if<record_ack>(&reply))
        on_record_ack(what, *ack);
      break;
    case kind::ping:
      if (auto* info = std::get_if<master_info>(&reply))
        on_master_info(what.peer, *info);
      break;
    case kind::grant:
      on_grant_done(what.batch, what.node,
                    std::holds_alternative<grant_ack>(reply));
      break;
    case kind::seal:
      on_sealed(what.batch, what.node, std::get_if<seal_ack>(&reply));
      break;
  }
  end();
}

void master_machine::on_failure(uint64_t token, errc code, time_us now,
                                effects& out) {
  begin(now, out);
  auto i = st_.requests.find(token);
  if (i == st_.requests.end())
    return end();
  auto what = std::move(i->second);
  st_.requests.erase(i);
  using kind = outstanding_request::kind;
  if (code == errc::stale_epoch && st_.failover.enabled
      && what.what != kind::promise && what.what != kind::ping) {
    // A storage node promised a newer epoch: another master took over.
    auto who = what.peer;
    if (who.empty() && what.node < st_.members.size())
      who = st_.members[what.node].name;
    step_down(who + " refused this master's epoch "
                + std::to_string(st_.epoch),
              st_.epoch + 1, {});
    return end();
  }
  switch (what.what) {
    case kind::store:
      on_store_failure(what.batch, what.node, code);
      break;
    case kind::copy:
      on_copy_done(what.batch, what.source, what.target, code);
      break;
    case kind::check_copies:
      break; // no answer proves nothing: the copies stay listed
    case kind::remove_copies:
      break; // still pending: resend_deletes() tries again
    case kind::promise:
      on_promise_refused(what); // counts only when given
      break;
    case kind::record:
    case kind::ping:
      break; // records go again; pings every tick
    case kind::grant:
      on_grant_done(what.batch, what.node, false);
      if (code == errc::timeout)
        emit(fx::forget_peer{st_.members[what.node].name});
      break;
    case kind::seal:
      on_sealed(what.batch, what.node, nullptr);
      if (code == errc::timeout)
        emit(fx::forget_peer{st_.members[what.node].name});
      break;
  }
  // A peer that did not answer may have restarted (a new actor): look it
  // up afresh next time.
  switch (what.what) {
    case kind::promise:
    case kind::record:
    case kind::ping:
      if (code == errc::timeout || code == errc::unreachable)
        emit(fx::forget_peer{what.peer});
      break;
    default:
      break;
  }
  end();
}

// -- the tick ----------------------------------------------------------------

/// A member that joined but has not heartbeated since may have lost our
/// join_ack: until it hears one it sends no heartbeats and only retries its
/// join after a timeout and back-off, so two lost messages would look like
/// a dead node. While it is silent, ask it every tick to join again.
void master_machine::nudge_silent_joiners() {
  for (size_t n = 0; n < st_.members.size(); ++n) {
    auto& m = st_.members[n];
    if (m.removed || m.heartbeat_seen
        || st_.detector.state(static_cast<node_number>(n), now_)
             == node_state::up)
      continue;
    send(static_cast<node_number>(n), join_nudge{},
         st_.cfg.heartbeat_interval);
  }
}

void master_machine::detector_tick() {
  for (auto& [n, state] : st_.detector.tick(now_)) {
    auto level = state == node_state::up ? log_level::info : log_level::warn;
    auto& m = st_.members[n];
    if (m.removed)
      continue;
    std::string why;
    if (state == node_state::dead) {
      m.dead_since = now_;
      m.dead_scanned = false;
      why = "; its batches are re-replicated if it stays dead for "
            + std::to_string(st_.cfg.repair_grace / 1000) + " ms";
    } else if (state == node_state::up) {
      if (m.dead_since >= 0)
        why = m.dead_scanned
                ? "; it was dead past the grace period, so its batches were "
                  "queued for repair (copies still needed are made, the "
                  "rest are cancelled)"
                : "; it was dead for "
                    + std::to_string((now_ - m.dead_since) / 1000)
                    + " ms, within the grace period: nothing is copied";
      if (m.dead_scanned)
        member_returned(st_, n);
      m.dead_since = -1;
      m.dead_scanned = false;
    }
    log(level, "member_" + std::string{to_string(state)},
        m.name + " is now " + std::string{to_string(state)} + why);
    emit(fx::verdict{m.name, std::string{to_string(state)}});
  }
}

/// A tick that runs much later than it was due means this master itself
/// did not run (it was paused, or its clock jumped forward): the silence of
/// the others during that gap says nothing about them. Every member's
/// silence, and the standby's or CheckQuorum's, shrinks by the gap, so that
/// a master does not suspect everyone, or step down, only because it
/// stalled. Detection after a stall is late by up to the gap; a failure
/// during it is still seen one detector window later.
void master_machine::own_stall_check() {
  auto interval = st_.cfg.heartbeat_interval;
  auto last = std::exchange(st_.last_tick, now_);
  if (last < 0 || now_ - last <= 3 * interval)
    return;
  auto gap = now_ - last - interval;
  st_.detector.forgive(gap, now_);
  auto& fo = st_.failover;
  fo.quorum_heard = std::min(fo.quorum_heard + gap, now_);
  fo.active_heard = std::min(fo.active_heard + gap, now_);
  log(log_level::warn, "own_stall",
      "this master did not run for " + std::to_string(gap / 1000)
        + " ms (paused, or its clock jumped): silence in that time is not "
          "held against the storage nodes or the active master");
}

void master_machine::on_tick(time_us now, effects& out) {
  begin(now, out);
  own_stall_check();
  if (st_.failover.enabled && failover_tick()) {
    emit(fx::timer{st_.cfg.heartbeat_interval, fx::timer_kind::tick, 0, 0});
    return end();
  }
  nudge_silent_joiners();
  detector_tick();
  maybe_end_rebuild();
  repair_tick();
  seal_tick();
  if (st_.ticks % 4 == 0)
    resend_deletes();
  // Rebalancing, drain and retention scan the whole index: every 10th
  // tick, and rebalancing every tick while a round of moves is under way.
  if (++st_.ticks % 10 == 0 && !st_.rebuilding) {
    drain_tick();
    rebalance_tick();
    retention_tick();
  } else if (st_.rebalancing && !st_.rebuilding) {
    rebalance_tick();
  }
  emit(fx::timer{st_.cfg.heartbeat_interval, fx::timer_kind::tick, 0, 0});
  end();
}

// -- status --------------------------------------------------------------------

status_reply make_status(const master_state& st, time_us now) {
  status_reply out;
  out.epoch = st.epoch;
  out.replication_factor = st.cfg.replication_factor;
  out.write_quorum = st.cfg.effective_write_quorum();
  out.batches = st.index.size();
  out.under_replicated = count_under_replicated(st, now);
  out.lost_batches = count_lost(st);
  out.repairs_done = st.repairs_done;
  out.repairs_pending = st.repair_queue.size() + st.repairs_inflight.size();
  out.moves_done = st.moves_done;
  out.expired_before = st.expired_before;
  out.members = describe_members(st, now);
  return out;
}

} // namespace logstore
