// logstore — the simulated world: builds the cluster from a scenario, runs
// the deterministic loop, applies faults, and checks the history.
#include "sim/world.hpp"

#include "actors/client_actor.hpp"
#include "actors/master_actor.hpp"
#include "actors/protocol.hpp"
#include "actors/storage_actor.hpp"
#include "core/base/assert.hpp"
#include "core/base/node_role.hpp"
#include "sim/world_actions.hpp"
#include "sim/world_impl.hpp"
#include "sim/probe_actor.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <xxhash.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace logstore::sim {

namespace {

constexpr time_us never = std::numeric_limits<time_us>::max();

/// The sim's node directory: resolves a name to a proxy of that node's
/// current incarnation, as seen from the asking actor's node.
caf::behavior sim_directory(caf::event_based_actor* self, network* net) {
  return {
    [self, net](resolve_atom, const std::string& name) -> caf::result<caf::actor> {
      auto observer = net->node_of(self->current_sender()->id());
      LOGSTORE_ASSERT(observer >= 0);
      for (node_index n = 0; n < net->node_count(); ++n) {
        if (net->name_of(n) != name)
          continue;
        auto proxy = net->resolve(static_cast<node_index>(observer), n);
        if (!proxy)
          return make_error(errc::unreachable, name + " is down");
        return proxy;
      }
      return make_error(errc::unreachable, "no node named " + name);
    },
    [](learn_atom, const std::string&, const std::string&) {
      // The simulator knows every node already.
    },
  };
}

uint64_t derive_seed(uint64_t seed, uint64_t salt) {
  prng p{seed ^ (salt * 0xD1B54A32D192ED03ull)};
  return p.next();
}

} // namespace

world::world(const scenario& s, const run_options& opts)
  : s_(s),
    opts_(opts),
    rng_(opts.seed),
    events_(opts.keep_events,
            [this](const std::string& master, const std::string& node,
                   time_us at) { on_declared_dead(master, node, at); },
            [this](time_us at, const std::string& node, std::string_view what,
                   uint64_t epoch) { on_epoch(at, node, what, epoch); }),
    oracle_(s.cluster.replication_factor,
            s.cluster.heartbeat_interval * (s.cluster.dead_after_misses + 1)) {
  cfg_.set("scheduler.policy", caf::atom("testing"));
  cfg_.set("logger.verbosity", caf::atom("quiet"));
  register_protocol_types(cfg_);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(
    sys_->scheduler());
  names_ = s_.node_names();
  names_.push_back("oracle"); // the probe's own node, outside the cluster
  net_ = std::make_unique<network>(*sys_, names_, s_.network, rng_.fork(1));
  net_->record_messages(opts.record_messages);
  oracle_node_ = static_cast<node_index>(names_.size() - 1);
  net_->hide_from_diagrams(oracle_node_);
  for (node_index n = 0; n < names_.size(); ++n)
    if (is_master_name(names_[n]))
      net_->count_traffic(n);
  disks_.resize(names_.size());
  for (node_index n = 0; n < names_.size(); ++n)
    if (s_.disk.durable
        && (is_storage_name(names_[n]) || is_master_name(names_[n]))) {
      disks_[n] = std::make_unique<sim_disk>(rng_.fork(0xD15C + n));
      disks_[n]->set_sync_latency_us(s_.disk.fsync_latency);
      if (s_.disk.capacity > 0)
        disks_[n]->set_capacity_bytes(s_.disk.capacity);
    }
  directory_ = sys_->spawn(sim_directory, net_.get());
}

time_us world::now() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(
           sched_->clock().current_time.time_since_epoch())
    .count();
}

void world::set_now(time_us t) {
  sched_->clock().current_time
    = caf::actor_clock::time_point{std::chrono::microseconds{t}};
  net_->set_now(t);
}

node_context world::context_for(node_index n) {
  node_context ctx;
  ctx.name = names_[n];
  ctx.directory = directory_;
  ctx.log = &events_; // cheap: hot-path events are built lazily
  ctx.seed = derive_seed(opts_.seed, (uint64_t{n} << 16) + incarnations_[n]);
  if (!parse_node_id(names_[n]).is(node_role::client))
    ctx.clock = clocks_[n].get();
  return ctx;
}

void world::spawn_node(node_index n) {
  auto& name = names_[n];
  auto id = parse_node_id(name);
  caf::actor a;
  if (id.is(node_role::master)) {
    a = sys_->spawn(master_actor, s_.cluster, context_for(n),
                    static_cast<disk*>(disks_[n].get()),
                    opts_.check_invariants);
  } else if (id.is(node_role::storage)) {
    storage_options opts;
    opts.request_timeout = s_.cluster.store_timeout;
    opts.zone = s_.zone_of(name);
    if (s_.cluster.multi_master())
      opts.masters = s_.cluster.masters;
    opts.master_timeout = s_.cluster.effective_master_timeout();
    // A durable node's identity lives with its disk, which survives every
    // crash: one incarnation id for the run. A memory-only node comes back
    // empty, as a new incarnation.
    opts.incarnation = derive_seed(opts_.seed ^ 0x1D, n)
                       + (disks_[n] ? disk_generations_[n]
                                    : incarnations_[n]);
    if (auto* d = disks_[n].get()) {
      opts.data = d;
      opts.fsync = static_cast<fsync_policy>(s_.disk.fsync);
      opts.fsync_interval = s_.disk.fsync_interval;
      opts.segments.segment_bytes_max = s_.disk.segment_bytes;
      opts.sync_latency = [d] { return d->sync_latency_us(); };
    }
    if (!disks_[n])
      oracle_.forget_promises(name); // a new incarnation, promises gone
    a = sys_->spawn(storage_actor, opts, context_for(n));
  } else {
    auto& w = s_.workload;
    client_options opts;
    LOGSTORE_ASSERT(id.is(node_role::client));
    opts.number = id.number;
    if (s_.cluster.multi_master())
      opts.masters = s_.cluster.masters;
    opts.process_stride = w.clients;
    opts.stop_at = s_.duration;
    opts.mean_gap = static_cast<time_us>(1e6 * w.clients / w.rate);
    opts.batch_size = w.batch_size;
    opts.entry_bytes = w.entry_bytes;
    opts.read_share = w.read_share;
    opts.read_window = w.read_window;
    opts.op_timeout = w.op_timeout;
    opts.append_retries = w.append_retries;
    opts.start_ts = w.start_ts;
    opts.backfill_share = w.backfill_share;
    opts.direct = s_.cluster.write_path == write_path_kind::direct;
    opts.start_at = 200'000 + static_cast<time_us>(rng_.below(100'000));
    a = sys_->spawn(client_actor, opts, context_for(n), &hist_);
  }
  mains_[n] = a;
  net_->bind(n, a);
  oracle_.on_start(name, now());
}

void world::kill_node(node_index n) {
  oracle_.on_crash(names_[n], now());
  net_->crash(n);
  // Power loss: what was not synced is gone (or torn), per [disk] crash.
  if (auto* d = disks_[n].get())
    d->crash(static_cast<crash_mode>(s_.disk.crash));
  if (mains_[n]) {
    caf::anon_send_exit(mains_[n], caf::exit_reason::kill);
    mains_[n] = nullptr;
  }
  ++incarnations_[n];
}

void world::lose_disk(node_index n) {
  if (auto* d = disks_[n].get())
    d->wipe();
  ++disk_generations_[n];
  oracle_.forget_promises(names_[n]); // gone with the disk
}

void world::note(time_us at, std::string text) {
  history_event ev;
  ev.time = at;
  ev.process = 0;
  ev.type = op_type::info;
  ev.f = op_fn::nemesis;
  ev.text = text;
  hist_.add(std::move(ev));
  timeline_.push_back({at, std::move(text)});
}

void world::run_ready() {
  net_->set_now(now());
  auto& jobs = sched_->jobs;
  while (!jobs.empty()) {
    size_t runnable = jobs.size();
    if (net_->any_paused()) {
      // Frozen nodes do not run: move their jobs behind the runnable ones.
      auto frozen = [this](caf::resumable* job) {
        auto* a = dynamic_cast<caf::abstract_actor*>(job);
        if (a == nullptr)
          return false;
        auto n = net_->node_of(a->id());
        return n >= 0 && net_->paused(static_cast<node_index>(n));
      };
      auto mid = std::stable_partition(jobs.begin(), jobs.end(),
                                       [&](auto* j) { return !frozen(j); });
      runnable = static_cast<size_t>(mid - jobs.begin());
      if (runnable == 0)
        return;
    }
    auto i = rng_.below(runnable);
    auto b = jobs.begin();
    std::rotate(b, b + static_cast<std::ptrdiff_t>(i),
                b + static_cast<std::ptrdiff_t>(i) + 1);
    sched_->run_once();
    ++steps_;
  }
}

bool world::final_read_done() {
  auto& evs = hist_.events();
  for (; scanned_ < evs.size(); ++scanned_) {
    auto& ev = evs[scanned_];
    if (ev.f != op_fn::final_read || ev.type == op_type::invoke)
      continue;
    if (ev.type == op_type::ok)
      final_ok_ = true;
    else
      ++final_failures_;
  }
  return final_ok_ || final_failures_ >= 3;
}

run_result world::run() {
  // About two events per operation (invoke, completion): growing the
  // history by doubling moved and re-faulted it a dozen times per run.
  constexpr double history_reserve_max = 1e7;
  hist_.reserve(static_cast<size_t>(
    std::min(history_reserve_max,
             2.2 * s_.workload.rate * static_cast<double>(s_.duration) / 1e6)));
  mains_.resize(names_.size());
  incarnations_.assign(names_.size(), 0);
  disk_generations_.assign(names_.size(), 0);
  for (size_t i = 0; i < names_.size(); ++i)
    clocks_.push_back(std::make_unique<local_clock>());
  for (node_index n = 0; n < oracle_node_; ++n) {
    if (s_.is_spare(names_[n]))
      net_->crash(n); // exists, but starts only on "join"
    else
      spawn_node(n);
  }
  start_oracle();
  action_queue actions{*this, s_, rng_};
  auto client1 = net_->index_of("client-1");
  auto final_at = s_.duration + s_.settle;
  // With a final read: give it (and its retries) time to finish; the loop
  // stops as soon as it has. Without one: stop after the settle time.
  auto end = s_.workload.final_read ? final_at + 20 * s_.workload.op_timeout
                                    : final_at;
  bool final_sent = false;
  auto want_oracle = oracle_wanted();
  auto recovery_deadline = s_.duration + s_.expect.max_recovery;
  if (want_oracle)
    end = std::max(end, recovery_deadline + 2'000'000);
  oracle_.set_final_heal(s_.duration);
  time_us next_sample = 1'000'000;
  for (;;) {
    run_ready();
    bool reads_done = !s_.workload.final_read
                        ? now() >= final_at
                        : final_sent && final_read_done();
    bool oracle_done = !want_oracle || restored_
                       || now() > recovery_deadline;
    if (reads_done && oracle_done && !round_pending_)
      break;
    time_us t_timer = never;
    if (sched_->has_pending_timeout()) {
      using namespace std::chrono;
      t_timer = duration_cast<microseconds>(
                  sched_->clock().schedule().begin()->first.time_since_epoch())
                  .count();
    }
    auto t_net = net_->next_due();
    if (t_net < 0)
      t_net = never;
    auto t_act = actions.next_time();
    auto t_final = (s_.workload.final_read && !final_sent) ? final_at : never;
    auto t = std::min({t_timer, t_net, t_act, t_final, next_sample});
    if (t == never || t > end)
      break;
    set_now(std::max(t, now()));
    if (next_sample == t) {
      // Once a second: sample the master's view; after the final read
      // time, also ask every storage node what it holds (the oracle).
      caf::anon_send(probe_, tick_atom::value);
      if (want_oracle && t > s_.duration && !restored_ && !round_pending_
          && t <= recovery_deadline) {
        round_pending_ = true;
        caf::anon_send(probe_, block_report_req{});
      }
      next_sample += 1'000'000;
    } else if (t_act == t) {
      actions.apply_next();
    } else if (t_final == t) {
      note(t, "final read (after the last heal)");
      caf::anon_send(mains_[client1], final_read_atom::value);
      final_sent = true;
    } else if (t_net == t) {
      net_->deliver_due(t);
    } else {
      sched_->trigger_timeout();
    }
  }
  run_result r;
  r.seed = opts_.seed;
  r.schedule = actions.schedule();
  r.simulated = now();
  r.scheduler_steps = steps_;
  r.net = net_->stats();
  r.messages = net_->messages();
  r.node_names = names_;
  r.events = std::move(events_.events);
  {
    // (invoked, acknowledged) of every acknowledged append.
    std::map<std::pair<client_id, sequence_nr>, time_us> invoked;
    std::vector<std::pair<time_us, time_us>> acked;
    for (auto& ev : hist_.events()) {
      if (ev.f != op_fn::append)
        continue;
      if (ev.type == op_type::invoke)
        invoked.emplace(std::pair{ev.client, ev.seq}, ev.time);
      else if (ev.type == op_type::ok)
        acked.emplace_back(invoked[{ev.client, ev.seq}], ev.time);
    }
    oracle_.close_failovers(acked);
  }
  r.oracle = oracle_.report();
  r.timeline = std::move(timeline_);
  // Both hashes cover the history's JSON lines; streamed, so the (large)
  // text is never held whole. XXH64's streaming form gives the same value
  // as hashing the bytes at once.
  using state_ptr = std::unique_ptr<XXH64_state_t, XXH_errorcode (*)(
    XXH64_state_t*)>;
  state_ptr history_state{XXH64_createState(), XXH64_freeState};
  state_ptr trace_state{XXH64_createState(), XXH64_freeState};
  LOGSTORE_ASSERT(history_state && trace_state);
  XXH64_reset(history_state.get(), 0);
  XXH64_reset(trace_state.get(), net_->trace_hash());
  hist_.write_jsonl([&](std::string_view chunk) {
    XXH64_update(history_state.get(), chunk.data(), chunk.size());
    XXH64_update(trace_state.get(), chunk.data(), chunk.size());
  });
  r.history_hash = XXH64_digest(history_state.get());
  r.trace_hash = XXH64_digest(trace_state.get());
  r.hist = std::move(hist_);
  return r;
}

sim_disk* world::disk_of(const std::string& node) {
  return disks_[net_->index_of(node)].get();
}

local_clock& world::clock_of(const std::string& node) {
  return *clocks_[net_->index_of(node)];
}

void world::shutdown() {
  if (!sys_)
    return;
  sched_->clock().cancel_all();
  for (auto& a : mains_)
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::kill);
  if (directory_)
    caf::anon_send_exit(directory_, caf::exit_reason::kill);
  sched_->run();
  mains_.clear();
  probe_ = nullptr;
  directory_ = nullptr;
  net_.reset();
  sched_->clock().cancel_all();
  sched_->run();
  sys_.reset();
}

run_result run_scenario(const scenario& spec, const run_options& opts) {
  // The concrete scenario: a [random] section becomes explicit faults drawn
  // from the seed (printed in the report, pasteable as [[fault]] TOML).
  scenario s = spec;
  if (s.random.enabled) {
    prng faults_rng{derive_seed(opts.seed, 0xFA17)};
    draw_random_faults(s, faults_rng);
  }
  run_result r;
  {
    world w{s, opts};
    r = w.run();
  }
  r.check = check_history(r.hist);
  for (auto& name : s.expect.invariants) {
    auto* p = r.check.find(name);
    if (p != nullptr && !p->held)
      r.broken.push_back(name);
  }
  for (auto& name : oracle_verdicts(s, r))
    r.broken.push_back(name);
  if (r.check.availability < s.expect.min_availability)
    r.broken.push_back("min-availability");
  return r;
}

} // namespace logstore::sim
