// logstore — an in-memory world for the master machine's unit tests, in the
// manner of etcd/raft's `network` test helper: the master
// (src/core/master/master_machine.hpp) with fake storage nodes that answer
// its requests at once, a virtual clock, and the controls a test needs:
// deliver, drop, cut, crash, advance time. No CAF, no threads.
//
//   test --join/append/read/status/drain/remove--> master_machine
//   (a read: the plan from the master, fetches to the fake nodes directly)
//                                                     | effects
//             outbox (requests and sends to nodes) <--+--> answers by token,
//             timers, persisted records, events
//   deliver(): each message reaches its fake node, which answers at once
//   advance(): timers fire, live nodes heartbeat, late requests time out
//
// By default every step delivers the outbox until it is empty
// (auto_deliver); a test that wants to look at, drop or hold messages
// turns it off.
#pragma once

#include "core/base/assert.hpp"
#include "core/base/frame.hpp"
#include "core/client/read_session.hpp"
#include "core/master/master_machine.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace logstore::test {

/// A storage node as far as the master can tell: what it holds, whether it
/// is up and reachable.
struct fake_node {
  node_name name;
  bool up = true;       ///< false: crashed (drops everything, no heartbeat)
  bool cut = false;     ///< true: unreachable both ways, but running
  bool refuse = false;  ///< true: answers store_req/copy_req store_refused
  bool silent = false;  ///< true: receives, never answers (a slow node)
  /// Stores to answer corrupt_frame (a frame damaged on the way), then ok.
  int corrupt_next = 0;
  std::map<batch_id, store_req> held;
  uint64_t boot = 1;
  uint64_t version = 0;          ///< delete_reqs applied since boot
  std::vector<batch_id> lost;    ///< repeated in heartbeats until lost_ack
  uint32_t nudged = 0;           ///< join_nudges received
  uint32_t deletes = 0;          ///< delete_reqs received
  // Epochs (several masters), as the storage actor keeps them.
  uint64_t promised = 0;
  node_name promised_to;
  uint64_t record_epoch = 0;
  uint64_t record_version = 0;
  std::string record;
  bool lease_fresh = false; ///< true: refuses epoch_req (hears the active)
  uint64_t incarnation = 7;
  std::vector<grant_req> grants; ///< direct writes: placements granted

  /// The verified header and entries of a held store_req's frame.
  static std::vector<stored_entry> decoded(const store_req& r,
                                           frame_header& h) {
    std::vector<stored_entry> entries;
    auto res = decode_frame(r.frame, uint32_t{16} << 20, h, &entries);
    LOGSTORE_ASSERT(res.status == decode_status::ok);
    return entries;
  }

  std::vector<batch_info> report() const {
    std::vector<batch_info> out;
    for (auto& [id, r] : held) {
      frame_header h;
      auto entries = decoded(r, h);
      batch_info b;
      b.batch = id;
      b.min_ts = h.min_ts;
      b.max_ts = h.max_ts;
      b.entries = static_cast<uint32_t>(entries.size());
      uint32_t bytes = 0;
      for (auto& e : entries)
        bytes += static_cast<uint32_t>(e.payload.size());
      b.bytes = bytes;
      b.client = h.client;
      b.seq = h.seq;
      out.push_back(b);
    }
    return out;
  }
};

/// One master -> node message in flight.
struct in_flight {
  node_name to;
  node_message msg;
  bool is_request = false;
  uint64_t token = 0;
  time_us deadline = 0;

  bool is_store() const {
    return msg.index() == 0;
  }
  bool is_copy() const {
    return std::holds_alternative<copy_req>(msg);
  }
  bool is_fetch() const {
    return std::holds_alternative<fetch_req>(msg);
  }
  bool is_delete() const {
    return std::holds_alternative<delete_req>(msg);
  }
};

/// Another master, as the machine under test sees it through master_ping.
struct fake_master {
  bool up = true;
  std::string role = "standby";
  uint64_t epoch = 0;
  node_name active;
};

class master_harness {
public:
  explicit master_harness(cluster_config cfg = small_config(),
                          uint64_t seed = 1, bool durable = false,
                          node_name name = "master")
    : cfg_(cfg),
      name_(name),
      machine_(cfg, prng{seed},
               master_options{durable, std::move(name), log_level::debug,
                              true}) {
  }

  /// Started, with storage-1 .. storage-`nodes` joined and heartbeating.
  explicit master_harness(int nodes, cluster_config cfg = small_config())
    : master_harness(cfg) {
    start();
    join_nodes(nodes);
  }

  /// RF 3, quick timers, no rebalancing (tests turn on what they need).
  static cluster_config small_config() {
    cluster_config c;
    c.replication_factor = 3;
    c.heartbeat_interval = 100'000;
    c.store_timeout = 50'000;
    c.fetch_timeout = 50'000;
    c.copy_timeout = 200'000;
    c.repair_grace = 1'000'000;
    c.rebalance_threshold = 0;
    // Most tests write through the master (append, fill): its write path
    // stays the compared-with option; master_machine_direct_test.cpp sets
    // write_path = direct (the cluster default) itself.
    c.write_path = write_path_kind::via_master;
    return c;
  }

  bool auto_deliver = true;
  bool auto_heartbeat = true;
  /// A node that gets a join_nudge joins again (as the storage actor does);
  /// off by default: many tests count nudges and join by hand.
  bool rejoin_on_nudge = false;

  // -- the world -------------------------------------------------------------

  void start(const record_load& loaded = {}) {
    step([&](effects& out) { machine_.start(loaded, now_, out); });
  }

  fake_node& node(const node_name& name) {
    auto& n = nodes_[name];
    n.name = name;
    return n;
  }

  /// `name` joins with its block report; returns the join's answer.
  answer join(const node_name& name, const std::string& zone = {},
              const std::string& address = {}) {
    auto& n = node(name);
    n.up = true;
    join_req req;
    req.name = name;
    req.address = address.empty() ? name + ":1" : address;
    req.zone = zone;
    req.incarnation = n.incarnation;
    req.boot = n.boot;
    req.version = n.version;
    req.holds = n.report();
    auto token = next_token_++;
    step([&](effects& out) { machine_.on_join(token, req, now_, out); });
    auto a = answer_of(token).value();
    if (auto* ack = std::get_if<join_ack>(&a); ack && ack->epoch > n.promised) {
      n.promised = ack->epoch; // as the storage actor does
      n.promised_to = name_;
    }
    return a;
  }

  /// Joins storage-1 .. storage-k and lets them heartbeat once.
  void join_nodes(int k) {
    for (int i = 1; i <= k; ++i)
      join("storage-" + std::to_string(i));
    advance(cfg_.heartbeat_interval);
  }

  void heartbeat(const node_name& name) {
    auto& n = node(name);
    heartbeat_msg hb;
    hb.name = name;
    hb.batches = n.held.size();
    hb.lost = n.lost;
    sender_ = name;
    step([&](effects& out) { machine_.on_heartbeat(hb, now_, out); });
    sender_.clear();
  }

  /// A client's append of `count` entries at ts base, base + 1, ...; returns
  /// the request's token (answer_of(token) once answered).
  uint64_t append(client_id client, sequence_nr seq, int count = 3,
                  timestamp_us base = 1000, uint32_t attempt = 0,
                  uint64_t epoch = 0) {
    append_req req;
    req.client = client;
    req.seq = seq;
    req.attempt = attempt;
    req.epoch = epoch;
    for (int i = 0; i < count; ++i)
      req.entries.push_back(entry{base + i, "app", "payload"});
    auto token = next_token_++;
    step([&](effects& out) { machine_.on_append(token, req, now_, out); });
    return token;
  }

  /// Direct writes: a client's placement_req; returns its token.
  uint64_t place(client_id client, uint64_t request = 1,
                 std::vector<node_name> avoid = {}) {
    placement_req req;
    req.client = client;
    req.request = request;
    req.avoid = std::move(avoid);
    auto token = next_token_++;
    step([&](effects& out) { machine_.on_placement(token, req, now_, out); });
    return token;
  }

  /// Direct writes: what a client stored itself, as the storage actor would
  /// hold it (fake nodes keep a store_req per batch).
  void store_directly(const node_name& name, batch_id id, client_id client,
                      sequence_nr seq, timestamp_us ts) {
    store_req r;
    r.batch = id;
    std::vector<stored_entry> e{{ts, "app", "payload", client, seq, 0}};
    encode_batch_frame(id, client, seq, ts, ts, e, r.frame);
    node(name).held[id] = r;
  }

  /// Direct writes: a client's commit_req; returns its token.
  uint64_t commit(client_id client, std::vector<committed_batch> batches,
                  std::vector<batch_id> closes = {}) {
    commit_req req;
    req.client = client;
    req.batches = std::move(batches);
    req.closes = std::move(closes);
    auto token = next_token_++;
    step([&](effects& out) { machine_.on_commit(token, req, now_, out); });
    return token;
  }

  /// Appends seq 1..count of `client`, two entries each at seq x spacing.
  void fill(sequence_nr count, timestamp_us spacing = 1000,
            client_id client = 1) {
    for (sequence_nr seq = 1; seq <= count; ++seq)
      append(client, seq, 2, spacing * static_cast<timestamp_us>(seq));
  }

  /// A client's read as core/client/read_session.hpp runs it: a plan from
  /// the master, fetches straight to the fake nodes (one that is down, cut
  /// or silent fails its fetch), the missing-copy hints back to the master.
  /// The outcome is read_answer_of(token).
  uint64_t read(timestamp_us from, timestamp_us to) {
    auto token = next_token_++;
    step([&](effects& out) {
      machine_.on_read_plan(token, read_plan_req{from, to}, now_, out);
    });
    auto a = answer_of(token);
    if (!a)
      return token; // never answered (the harness holds the reply)
    if (auto* e = std::get_if<error_answer>(&*a)) {
      reads_[token] = *e;
      return token;
    }
    read_session session{{from, to}, std::get<read_plan_reply>(*a)};
    if (!session.error().empty()) {
      reads_[token] = error_answer{errc::malformed_request, session.error()};
      return token;
    }
    ++plans_;
    std::deque<read_session::fetch_to> todo;
    for (auto& f : session.start())
      todo.push_back(std::move(f));
    while (!todo.empty()) {
      auto f = std::move(todo.front());
      todo.pop_front();
      ++client_fetches_;
      auto& n = node(f.node);
      std::vector<read_session::fetch_to> more;
      if (!n.up || n.cut || n.silent) {
        more = session.on_failure(f.id);
      } else {
        auto res = serve_fetch(n, f.req);
        more = session.on_result(f.id, res);
      }
      for (auto& x : more)
        todo.push_back(std::move(x));
    }
    reads_[token] = session.finish();
    for (auto& hint : session.hints())
      step([&](effects& out) {
        machine_.on_missing_copies(hint, now_, out);
      });
    return token;
  }

  /// A client's missing_copies hint (network input, one-way).
  void hint(const node_name& node, std::vector<batch_id> ids) {
    step([&](effects& out) {
      machine_.on_missing_copies(missing_copies{node, std::move(ids)}, now_,
                                 out);
    });
  }

  using read_answer = std::variant<read_result, error_answer>;
  std::optional<read_answer> read_answer_of(uint64_t token) const {
    auto i = reads_.find(token);
    if (i == reads_.end())
      return std::nullopt;
    return i->second;
  }
  /// Fetches clients sent to storage nodes (none go through the master).
  uint64_t client_fetches() const {
    return client_fetches_;
  }

  status_reply status() {
    auto token = next_token_++;
    step([&](effects& out) { machine_.on_status(token, now_, out); });
    return std::get<status_reply>(answer_of(token).value());
  }

  answer drain(const node_name& name) {
    auto token = next_token_++;
    step([&](effects& out) {
      machine_.on_drain(token, drain_req{name}, now_, out);
    });
    return answer_of(token).value();
  }

  answer remove(const node_name& name, bool force = false) {
    auto token = next_token_++;
    step([&](effects& out) {
      machine_.on_remove(token, remove_req{name, force}, now_, out);
    });
    return answer_of(token).value();
  }

  /// Another master: answers master_ping as `m` says.
  fake_master& peer(const node_name& name) {
    return masters_[name];
  }

  /// A storage node's epoch_notice (a lease, or a fencing notice).
  void notice(const node_name& from, uint64_t epoch, const node_name& master) {
    step([&](effects& out) {
      machine_.on_epoch_notice(epoch_notice{from, epoch, master}, now_, out);
    });
  }

  std::optional<answer> answer_of(uint64_t token) const {
    auto i = answers_.find(token);
    if (i == answers_.end())
      return std::nullopt;
    return i->second;
  }

  // -- faults ------------------------------------------------------------------

  /// Unreachable both ways (messages to it are lost, it sends nothing).
  void cut(const node_name& name) {
    node(name).cut = true;
  }
  void heal(const node_name& name) {
    node(name).cut = false;
  }
  /// etcd/raft's name for the same: the node is alone.
  void isolate(const node_name& name) {
    cut(name);
  }
  /// Down: loses what is in flight to it; keeps its copies (a durable
  /// node) unless `wipe`.
  void crash(const node_name& name, bool wipe = false) {
    auto& n = node(name);
    n.up = false;
    if (wipe)
      n.held.clear();
  }
  /// Back up: a new boot; it joins again with its block report.
  answer restart(const node_name& name) {
    auto& n = node(name);
    n.up = true;
    ++n.boot;
    n.version = 0;
    return join(name);
  }

  /// Loses the messages in flight that match `pred` (their requests time
  /// out at their deadline).
  size_t drop(const std::function<bool(const in_flight&)>& pred) {
    size_t before = outbox_.size();
    std::deque<in_flight> keep;
    for (auto& m : outbox_)
      if (pred(m)) {
        if (m.is_request)
          lost_.push_back(m);
      } else {
        keep.push_back(std::move(m));
      }
    outbox_ = std::move(keep);
    return before - outbox_.size();
  }

  /// From now on, messages matching `pred` are lost when delivered (their
  /// requests time out); an empty function delivers everything again.
  void lose_if(std::function<bool(const in_flight&)> pred) {
    lose_ = std::move(pred);
  }

  // -- time and delivery ---------------------------------------------------

  /// Delivers every message in flight (and what the answers cause), until
  /// nothing is left.
  void deliver_all() {
    while (!outbox_.empty()) {
      auto m = std::move(outbox_.front());
      outbox_.pop_front();
      deliver(m);
    }
  }

  /// Moves time forward by `dt`, in steps of at most a tenth of a heartbeat:
  /// due timers fire, live nodes heartbeat every heartbeat_interval, and
  /// requests that are lost or unanswered fail with `timeout` at their
  /// deadline.
  void advance(time_us dt) {
    auto until = now_ + dt;
    auto quantum = std::max<time_us>(cfg_.heartbeat_interval / 10, 1);
    while (now_ < until) {
      now_ = std::min(until, now_ + quantum);
      if (auto_heartbeat && now_ >= next_heartbeat_) {
        next_heartbeat_ = now_ + cfg_.heartbeat_interval;
        for (auto& [name, n] : nodes_)
          if (n.up && !n.cut && joined_.count(name) > 0)
            heartbeat(name);
      }
      fire_timers();
      expire_requests();
      if (auto_deliver)
        deliver_all();
    }
  }

  // -- what happened -----------------------------------------------------------

  const std::deque<in_flight>& outbox() const {
    return outbox_;
  }
  /// Requests and sends ever emitted, in order.
  const std::vector<in_flight>& sent() const {
    return sent_;
  }
  size_t count_sent(const std::function<bool(const in_flight&)>& pred) const {
    return static_cast<size_t>(std::count_if(sent_.begin(), sent_.end(), pred));
  }
  const std::vector<fx::event>& events() const {
    return events_;
  }
  bool has_event(const std::string& name) const {
    return std::any_of(events_.begin(), events_.end(),
                       [&](const fx::event& e) { return e.name == name; });
  }
  const std::vector<master_record>& persisted() const {
    return persisted_;
  }
  const master_state& state() const {
    return machine_.state();
  }
  /// The failure detector's verdicts, in order.
  const std::vector<fx::verdict>& verdicts() const {
    return verdicts_;
  }
  /// The code of a stop effect, if the machine asked to stop.
  std::optional<errc> stopped() const {
    return stopped_;
  }
  time_us now() const {
    return now_;
  }
  /// The nodes that hold a copy of `id`.
  std::set<node_name> holders(batch_id id) const {
    std::set<node_name> out;
    for (auto& [name, n] : nodes_)
      if (n.held.count(id) > 0)
        out.insert(name);
    return out;
  }

private:
  template <class Input>
  void step(Input input) {
    effects out;
    input(out);
    run(out);
    if (auto_deliver)
      deliver_all();
    while (!to_rejoin_.empty()) {
      auto name = *to_rejoin_.begin();
      to_rejoin_.erase(to_rejoin_.begin());
      join(name);
    }
  }

  void run(effects& out) {
    for (auto& e : out)
      std::visit([&](auto& x) { perform(x); }, e);
  }

  void perform(fx::request& r) {
    in_flight m{r.to, r.msg, true, r.token, now_ + r.timeout};
    sent_.push_back(m);
    outbox_.push_back(std::move(m));
  }
  void perform(fx::send& s) {
    in_flight m{s.to, s.msg, false, 0, now_ + s.timeout};
    sent_.push_back(m);
    outbox_.push_back(std::move(m));
  }
  void perform(fx::to_sender& s) {
    if (sender_.empty())
      return;
    in_flight m{sender_, s.msg, false, 0, now_};
    sent_.push_back(m);
    outbox_.push_back(std::move(m));
  }
  void perform(fx::reply& r) {
    answers_[r.token] = r.value;
  }
  void perform(fx::timer& t) {
    timers_.emplace(now_ + t.delay, t);
  }
  void perform(fx::forget_peer&) {
  }
  void perform(fx::learn& l) {
    joined_.insert(l.name);
  }
  void perform(fx::persist& p) {
    persisted_.push_back(p.record);
  }
  void perform(fx::event& e) {
    events_.push_back(e);
  }
  void perform(fx::verdict& v) {
    verdicts_.push_back(v);
  }
  void perform(fx::stop& s) {
    stopped_ = s.code;
  }
  void perform(fx::role& r) {
    roles_.push_back(r);
  }
  void perform(fx::acked& a) {
    acked_epochs_.push_back(a.epoch);
  }

public:
  /// Role changes ("active" / "standby" at an epoch), in order.
  const std::vector<fx::role>& roles() const {
    return roles_;
  }
  /// The epoch of every write acknowledged (several masters only).
  const std::vector<uint64_t>& acked_epochs() const {
    return acked_epochs_;
  }

private:

  void fire_timers() {
    while (!timers_.empty() && timers_.begin()->first <= now_) {
      auto t = timers_.begin()->second;
      timers_.erase(timers_.begin());
      effects out;
      if (t.kind == fx::timer_kind::tick)
        machine_.on_tick(now_, out);
      else if (t.kind == fx::timer_kind::campaign)
        machine_.on_campaign_timer(now_, out);
      else
        machine_.on_retry_store(t.batch, t.node, now_, out);
      run(out);
    }
  }

  void expire_requests() {
    std::vector<in_flight> due;
    std::vector<in_flight> keep;
    for (auto& m : lost_)
      (m.deadline <= now_ ? due : keep).push_back(m);
    lost_ = std::move(keep);
    for (auto& m : due) {
      effects out;
      machine_.on_failure(m.token, errc::timeout, now_, out);
      run(out);
    }
  }

  void reply(const in_flight& m, node_reply r) {
    effects out;
    machine_.on_reply(m.token, r, now_, out);
    run(out);
  }

  void fail(const in_flight& m, errc code) {
    effects out;
    machine_.on_failure(m.token, code, now_, out);
    run(out);
  }

  /// Whether a command of `epoch` passes node `n`'s fence (as the storage
  /// actor's fence(): older refused, newer promised first).
  bool fenced(fake_node& n, uint64_t epoch) {
    if (epoch < n.promised)
      return true;
    n.promised = epoch;
    return false;
  }

  void deliver_to_master(const in_flight& m) {
    auto& fm = masters_[m.to];
    if (!fm.up) {
      if (m.is_request)
        lost_.push_back(m);
      return;
    }
    if (std::holds_alternative<master_ping>(m.msg)) {
      master_info info;
      info.name = m.to;
      info.role = fm.role;
      info.epoch = fm.epoch;
      info.active = fm.active;
      reply(m, std::move(info));
    }
  }

  static fetch_result serve_fetch(const fake_node& n, const fetch_req& f) {
    fetch_result res;
    for (auto id : f.batches) {
      auto i = n.held.find(id);
      if (i == n.held.end()) {
        res.not_found.push_back(id);
        continue;
      }
      frame_header h;
      (void) fake_node::decoded(i->second, h);
      if (h.min_ts <= f.to && f.from <= h.max_ts)
        res.frames.push_back(i->second.frame);
    }
    // Open placements' spans, as the storage actor serves them (its
    // grants are not modelled here: it vouches for every span).
    for (auto& span : f.spans)
      for (auto i = n.held.lower_bound(span.first);
           i != n.held.end() && i->first < span.first + span.count; ++i) {
        if (std::find(f.batches.begin(), f.batches.end(), i->first)
            != f.batches.end())
          continue;
        frame_header h;
        (void) fake_node::decoded(i->second, h);
        if (h.min_ts <= f.to && f.from <= h.max_ts)
          res.frames.push_back(i->second.frame);
      }
    return res;
  }

  void deliver(const in_flight& m) {
    if (lose_ && lose_(m)) {
      if (m.is_request)
        lost_.push_back(m);
      return;
    }
    if (std::find(cfg_.masters.begin(), cfg_.masters.end(), m.to)
        != cfg_.masters.end())
      return deliver_to_master(m);
    auto& n = node(m.to);
    if (!n.up || n.cut || n.silent) {
      if (m.is_request)
        lost_.push_back(m); // times out at its deadline
      return;
    }
    if (auto* e = std::get_if<epoch_req>(&m.msg)) {
      if (e->epoch <= n.promised || n.lease_fresh)
        return fail(m, errc::stale_epoch);
      if (e->probe)
        return reply(m, epoch_ack{n.name, n.incarnation, e->epoch,
                                  n.record_epoch, n.record_version, n.record});
      n.promised = e->epoch;
      n.promised_to = e->candidate;
      return reply(m, epoch_ack{n.name, n.incarnation, n.promised,
                                n.record_epoch, n.record_version, n.record});
    }
    if (auto* r = std::get_if<record_req>(&m.msg)) {
      if (fenced(n, r->epoch))
        return fail(m, errc::stale_epoch);
      if (std::pair{r->epoch, r->version}
          > std::pair{n.record_epoch, n.record_version}) {
        n.record_epoch = r->epoch;
        n.record_version = r->version;
        n.record = r->record;
      }
      return reply(m, record_ack{n.name, r->epoch, r->version});
    }
    if (auto* lease = std::get_if<epoch_notice>(&m.msg)) {
      // A lease of the epoch this node promised, to the master it promised
      // it to, is echoed (CheckQuorum counts round trips).
      if (lease->epoch == n.promised && lease->master == n.promised_to) {
        effects out;
        machine_.on_epoch_notice(epoch_notice{n.name, n.promised,
                                              n.promised_to},
                                 now_, out);
        run(out);
      }
      return;
    }
    if (m.is_store()) {
      auto& req = std::get<0>(m.msg)->req;
      if (fenced(n, req.epoch))
        return fail(m, errc::stale_epoch);
      if (n.refuse)
        return fail(m, errc::store_refused);
      if (n.corrupt_next > 0) {
        --n.corrupt_next;
        return fail(m, errc::corrupt_frame);
      }
      n.held.emplace(req.batch, req);
      return reply(m, store_ack{req.batch, n.name});
    }
    if (auto* c = std::get_if<copy_req>(&m.msg)) {
      if (fenced(n, c->epoch))
        return fail(m, errc::stale_epoch);
      auto& src = node(c->source);
      auto i = src.held.find(c->batch);
      if (n.refuse)
        return fail(m, errc::store_refused);
      if (!src.up || src.cut)
        return fail(m, errc::unreachable);
      if (i == src.held.end())
        return fail(m, errc::batch_not_found);
      n.held.emplace(c->batch, i->second);
      return reply(m, copy_ack{c->batch, n.name});
    }
    if (auto* f = std::get_if<fetch_req>(&m.msg))
      return reply(m, serve_fetch(n, *f));
    if (auto* sr = std::get_if<seal_req>(&m.msg)) {
      if (fenced(n, sr->epoch))
        return fail(m, errc::stale_epoch);
      seal_ack ack{n.name, {}};
      for (auto& b : n.report())
        if (b.batch >= sr->first && b.batch < sr->first + sr->count)
          ack.holds.push_back(b);
      return reply(m, ack);
    }
    if (auto* g = std::get_if<grant_req>(&m.msg)) {
      if (fenced(n, g->epoch))
        return fail(m, errc::stale_epoch);
      if (n.refuse)
        return fail(m, errc::store_refused);
      n.grants.push_back(*g);
      return reply(m, grant_ack{n.name});
    }
    if (auto* d = std::get_if<delete_req>(&m.msg)) {
      if (fenced(n, d->epoch))
        return fail(m, errc::stale_epoch);
      ++n.deletes;
      for (auto id : d->batches)
        n.held.erase(id);
      ++n.version;
      return reply(m, delete_ack{n.boot, n.version});
    }
    if (auto* a = std::get_if<lost_ack>(&m.msg)) {
      for (auto id : a->batches)
        n.lost.erase(std::remove(n.lost.begin(), n.lost.end(), id),
                     n.lost.end());
      return;
    }
    if (std::holds_alternative<join_nudge>(m.msg)) {
      ++n.nudged;
      if (rejoin_on_nudge)
        to_rejoin_.insert(n.name);
    }
  }

  cluster_config cfg_;
  node_name name_; ///< the master under test
  master_machine machine_;
  time_us now_ = 0;
  time_us next_heartbeat_ = 0;
  uint64_t next_token_ = 1;
  node_name sender_;
  std::map<node_name, fake_node> nodes_;
  std::set<node_name> joined_;
  std::deque<in_flight> outbox_;
  std::vector<in_flight> lost_;
  std::vector<in_flight> sent_;
  std::multimap<time_us, fx::timer> timers_;
  std::map<uint64_t, answer> answers_;
  std::map<uint64_t, read_answer> reads_;
  uint64_t plans_ = 0;
  uint64_t client_fetches_ = 0;
  std::vector<fx::event> events_;
  std::vector<master_record> persisted_;
  std::optional<errc> stopped_;
  std::vector<fx::verdict> verdicts_;
  std::map<node_name, fake_master> masters_;
  std::set<node_name> to_rejoin_;
  std::function<bool(const in_flight&)> lose_;
  std::vector<fx::role> roles_;
  std::vector<uint64_t> acked_epochs_;
};

/// The error code of an answer, errc::none for a success.
inline errc code_of(const std::optional<master_harness::read_answer>& a) {
  if (!a)
    return errc::none;
  if (auto* e = std::get_if<error_answer>(&*a))
    return e->code;
  return errc::none;
}

inline errc code_of(const std::optional<answer>& a) {
  if (!a)
    return errc::none;
  if (auto* e = std::get_if<error_answer>(&*a))
    return e->code;
  return errc::none;
}

} // namespace logstore::test
