// logstore — storage node actor.
#include "actors/storage_actor.hpp"
#include "actors/deadlines.hpp"

#include "core/base/assert.hpp"
#include "core/storage/batch_store.hpp"
#include "core/storage/epoch_promise.hpp"
#include "core/base/frame.hpp"
#include "core/storage/entry_store.hpp"
#include "core/base/prng.hpp"

#include <caf/all.hpp>

#include <deque>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace logstore {

namespace {

struct storage_state {
  storage_options opts;
  node_context ctx;
  std::unique_ptr<batch_store> owned;
  batch_store* store_ptr = nullptr;
  peer_cache peers;
  /// The timeouts of its requests (deadlines.hpp).
  deadlines_ptr deadlines = std::make_shared<deadline_wheel>();
  /// Group commit: confirmations waiting for the next sync; each is called
  /// with true once its data is durable, false if the sync failed.
  std::vector<std::function<void(bool)>> waiting_sync;
  bool sync_scheduled = false;
  /// Syncs in progress on a simulated disk (completed after its latency).
  std::map<uint64_t, std::pair<std::vector<std::function<void(bool)>>, bool>>
    syncing;
  uint64_t next_sync_group = 1;
  /// Background scrub (like HDFS's block scanner): next batch id to verify.
  batch_id scrub_cursor = 0;
  uint32_t ticks = 0;
  /// Damaged or lost copies not yet acknowledged by the master (lost_ack):
  /// repeated in every heartbeat, because one heartbeat may be lost.
  std::set<batch_id> lost;

  batch_store& store() {
    return *store_ptr;
  }
  const batch_store& store() const {
    return *store_ptr;
  }
  bool joined = false;
  time_us heartbeat_interval = 500'000;
  time_us join_delay = 0;
  /// The promise (epoch_promise.hpp): commands of older epochs are
  /// refused. Kept on `promise_disk` when there is one.
  epoch_promise promise;
  disk* promise_disk = nullptr;
  /// When the master holding the promised epoch last said it is alive
  /// (its epoch_notice lease), by the actor clock; -1: never.
  time_us lease_at = -1;
  time_us last_tick = -1; ///< the previous heartbeat tick (own-stall check)
  /// The master this node reports to: opts.masters[current].
  size_t current = 0;
  const node_name& master() const {
    return opts.masters[current];
  }
  uint64_t boot = 0;    ///< this process, drawn at start (join_req.boot)
  uint64_t version = 0; ///< delete_reqs applied since boot
  /// Store frames (and copies from peers) refused because they failed
  /// verification on arrival: damaged in transit or in the sender's memory.
  uint64_t corrupt_frames = 0;
  uint32_t corrupt_left = 0; ///< test hook (storage_options)
  /// Direct writes (docs/protocol.md, "Direct writes"): the master this
  /// node joined said clients write directly, so a store_req is accepted
  /// only inside a placement it granted (grant_req), newest last.
  bool grants_required = false;
  struct grant {
    uint64_t epoch = 0;
    batch_id first = 0;
    uint32_t count = 0;
    client_id client = 0;
  };
  std::deque<grant> grants;
  /// Grants kept; the oldest go first (a client writing into a forgotten
  /// one is refused and asks the master for a new placement).
  static constexpr size_t grants_max = 4096;
  /// Ids inside a kept grant whose copy left this node (deleted, or lost
  /// to damage): a span read must not take their absence for "never
  /// stored here" (serve_fetch).
  std::set<batch_id> gone;
  /// join_reqs sent and not answered: while one is out, direct writes are
  /// refused, so that nothing lands between the block report it carries
  /// and the promise of the master's epoch (after which older placements
  /// are fenced). A master that builds its index from the report would
  /// not know of such a copy.
  uint32_t joins_in_flight = 0;
};

const storage_state::grant* grant_of(const storage_state& st, batch_id id) {
  for (auto i = st.grants.rbegin(); i != st.grants.rend(); ++i)
    if (id >= i->first && id - i->first < i->count)
      return &*i;
  return nullptr;
}

/// A copy left the node: remembered while a grant covers its id.
void note_gone(storage_state& st, batch_id id) {
  if (grant_of(st, id) != nullptr)
    st.gone.insert(id);
}

/// Damaged copies the store found since the last look: reported lost with
/// the next heartbeat, and gone for span reads at once.
void collect_lost(storage_state& st) {
  for (auto id : st.store().take_lost()) {
    st.lost.insert(id);
    note_gone(st, id);
  }
}

using state_ptr = std::shared_ptr<storage_state>;

/// The block report sent with every join: what this node holds.
std::vector<batch_info> block_infos(batch_store& store) {
  std::vector<batch_info> out;
  for (auto id : store.ids()) {
    batch_info info;
    if (store.info(id, info))
      out.push_back(info);
  }
  return out;
}

// -- epochs: promises and fencing (docs/protocol.md, "Master failover") ------

void note_epoch(caf::event_based_actor* self, const storage_state& st,
                std::string_view what, uint64_t epoch) {
  if (st.ctx.log != nullptr)
    st.ctx.log->on_epoch(now_us(self), st.ctx.name, what, epoch);
}

/// Promises `epoch` to `master` (durably, before anything is answered).
/// False if the disk refused; then nothing changed.
bool promise_epoch(caf::event_based_actor* self, storage_state& st,
                   uint64_t epoch, const node_name& master) {
  if (epoch <= st.promise.epoch) {
    if (epoch == st.promise.epoch && st.promise.master.empty())
      st.promise.master = master;
    return epoch == st.promise.epoch;
  }
  auto next = st.promise;
  next.epoch = epoch;
  next.master = master;
  if (st.promise_disk != nullptr) {
    if (auto status = save_epoch_promise(*st.promise_disk, next);
        status != disk_status::ok) {
      log_event(self, st.ctx, log_level::error, "promise_failed",
                "could not sync the promise of epoch " + std::to_string(epoch)
                  + " (" + std::string{to_string(status)}
                  + "); refusing it");
      return false;
    }
  }
  st.promise = std::move(next);
  // A promise is a sign of life of the master it went to: no other
  // candidate gets one until that master's lease runs out (stickiness,
  // so that two standbys do not depose each other in turn).
  st.lease_at = master.empty() ? -1 : local_now(self, st.ctx);
  note_epoch(self, st, "promised", epoch);
  return true;
}

/// Tells whoever sent the message being handled which epoch this node
/// promised, and to whom: a master that hears it steps down.
void tell_sender(caf::event_based_actor* self, const storage_state& st) {
  if (auto sender = caf::actor_cast<caf::actor>(self->current_sender()))
    self->send(sender, epoch_notice{st.ctx.name, st.promise.epoch,
                                    st.promise.master});
}

/// A command of `epoch` from a master: refused (with a notice to the
/// sender) if this node promised a newer epoch; a newer epoch than the
/// promise is promised first. Returns the error to answer with, if any.
std::optional<caf::error> fence(caf::event_based_actor* self,
                                storage_state& st, uint64_t epoch,
                                std::string_view what) {
  auto floor = st.promise.epoch;
  if (epoch < floor) {
    log_event(self, st.ctx, log_level::warn, "stale_command",
              "refusing a " + std::string{what} + " of epoch "
                + std::to_string(epoch) + ": this node promised epoch "
                + std::to_string(floor) + " to "
                + (st.promise.master.empty() ? "a newer master"
                                             : st.promise.master));
    tell_sender(self, st);
    return make_error(errc::stale_epoch,
                      "this node promised epoch " + std::to_string(floor)
                        + (st.promise.master.empty()
                             ? std::string{}
                             : " to " + st.promise.master));
  }
  if (epoch > floor && !promise_epoch(self, st, epoch, {}))
    return make_error(errc::store_refused, "could not sync the promise");
  note_epoch(self, st, "accepted", epoch);
  return std::nullopt;
}

/// Reports to the next master in the list (one that did not answer, or
/// said it is not active).
void next_master(storage_state& st) {
  st.current = (st.current + 1) % st.opts.masters.size();
}

bool report_to(storage_state& st, const node_name& master) {
  for (size_t i = 0; i < st.opts.masters.size(); ++i)
    if (st.opts.masters[i] == master) {
      st.current = i;
      return true;
    }
  return false;
}

void try_join(caf::event_based_actor* self, const state_ptr& st) {
  auto on_fail = [self, st](errc code) {
    st->peers.forget(st->master());
    if (code == errc::not_active) {
      // A standby: not a failure, a redirect. Ask the next master soon.
      log_event(self, st->ctx, log_level::info, "join_redirected",
                st->master() + " is not the active master; asking the next");
      next_master(*st);
      self->delayed_send(self, local_span(st->ctx, st->opts.join_retry),
                         join_atom::value);
      return;
    }
    log_event(self, st->ctx, log_level::warn, "join_failed",
              "could not join " + st->master() + " ("
                + std::string{to_string(code)} + "); retrying in "
                + std::to_string(st->join_delay / 1000) + " ms");
    next_master(*st);
    self->delayed_send(self, local_span(st->ctx, st->join_delay),
                       join_atom::value);
    st->join_delay = std::min<time_us>(st->join_delay * 2, 2'000'000);
  };
  st->peers.with_peer(
    self, st->ctx.directory, st->master(), st->opts.request_timeout,
    [self, st, on_fail](const caf::actor& master) {
      join_req req{st->ctx.name, st->opts.address, st->opts.zone,
                   st->opts.incarnation, st->boot,        st->version,
                   block_infos(st->store())};
      ++st->joins_in_flight;
      deadline_wheel::request<join_ack>(
        self, st->deadlines, master,
        local_span(st->ctx, st->opts.request_timeout), req,
        [self, st, master, on_fail](join_ack& ack) {
          --st->joins_in_flight;
          if (ack.epoch < st->promise.epoch) {
            // A master older than the one this node promised to: it must
            // not count this node (and hears why).
            log_event(self, st->ctx, log_level::warn, "stale_master",
                      st->master() + " answered with epoch "
                        + std::to_string(ack.epoch)
                        + ", but this node promised epoch "
                        + std::to_string(st->promise.epoch));
            self->send(master, epoch_notice{st->ctx.name, st->promise.epoch,
                                            st->promise.master});
            on_fail(errc::stale_epoch);
            return;
          }
          if (!promise_epoch(self, *st, ack.epoch, st->master())) {
            on_fail(errc::store_refused);
            return;
          }
          bool first = !st->joined;
          st->joined = true;
          st->heartbeat_interval = ack.heartbeat_interval;
          st->grants_required = ack.grants_required;
          st->join_delay = st->opts.join_retry;
          st->corrupt_left = st->opts.test_corrupt_stores;
          log_event(self, st->ctx, log_level::info, "joined",
                    "joined " + st->master() + " (epoch "
                      + std::to_string(ack.epoch) + ")");
          if (first)
            self->send(self, tick_atom::value);
        },
        [self, st, on_fail](caf::error& err) mutable {
          --st->joins_in_flight;
          if (to_errc(err) == errc::name_in_use) {
            // Another live node holds this name: serving under it would
            // mix two nodes' data. Stop; the operator must decide.
            log_event(self, st->ctx, log_level::error, "join_refused",
                      "the master refused the join: "
                        + self->system().render(err)
                        + ". Two processes cannot share one node "
                          "identity: start a copy with an empty data "
                          "directory, or wait until the master declares "
                          "the old address dead");
            self->quit(err);
            return;
          }
          on_fail(to_errc(err));
        });
    },
    on_fail);
}

/// Verifies a few stored copies per call, round robin, so that damage is
/// found even in batches nobody reads. Damaged copies end up in take_lost().
void scrub_some(storage_state& st) {
  constexpr size_t batches_per_round = 64;
  for (auto id : st.store().ids_after(st.scrub_cursor, batches_per_round)) {
    uint64_t digest = 0;
    st.store().digest(id, digest); // reads and checks every frame's CRC
    st.scrub_cursor = id;
  }
}

/// At most this many lost ids per heartbeat; the rest follow once these
/// are acknowledged.
constexpr size_t lost_per_heartbeat_max = 4096;

void send_heartbeat(caf::event_based_actor* self, const state_ptr& st) {
  if (st->store().kind() == "durable" && ++st->ticks % 10 == 0)
    scrub_some(*st);
  collect_lost(*st);
  st->peers.with_peer(
    self, st->ctx.directory, st->master(), st->opts.request_timeout,
    [self, st](const caf::actor& master) {
      heartbeat_msg hb{st->ctx.name, st->store().batches(),
                       st->store().bytes(), {}};
      for (auto id : st->lost) {
        if (hb.lost.size() == lost_per_heartbeat_max)
          break;
        hb.lost.push_back(id);
      }
      self->send(master, std::move(hb));
    },
    [st](errc) { st->peers.forget(st->master()); });
}

fetch_result serve_fetch(storage_state& st, const fetch_req& req) {
  fetch_result result;
  time_range window{req.from, req.to};
  for (auto id : req.batches) {
    if (!st.store().contains(id)) {
      result.not_found.push_back(id);
      continue;
    }
    if (!st.store().overlaps(id, window))
      continue; // held, nothing in the window (a check of the copy only)
    // A copy that fails its checksum is never served: the reader asks
    // another replica and the master learns of the damage with the next
    // heartbeat.
    std::string frame;
    if (st.store().frame(id, frame) == batch_store::slice_status::ok)
      result.frames.push_back(std::move(frame));
    else
      result.not_found.push_back(id);
  }
  // Open placements' spans: every held batch with an id in one that
  // overlaps the window, however many (the reader's completeness rests on
  // it; a span is at most one placement long). The node vouches only for
  // spans of a grant it still holds (a restart forgets grants, and with
  // them what it stored): otherwise the span's first id goes in
  // not_found, and so does every id of it whose copy left the node since
  // (deleted, or damaged): the reader asks another replica.
  constexpr size_t spans_max = 64;
  if (!req.spans.empty())
    collect_lost(st);
  for (size_t s = 0; s < req.spans.size() && s < spans_max; ++s) {
    auto first = req.spans[s].first;
    auto end = first + std::min<uint32_t>(req.spans[s].count, 4'096);
    if (grant_of(st, first) == nullptr) {
      result.not_found.push_back(first);
      continue;
    }
    for (auto id = first; id < end; ++id) {
      if (std::find(req.batches.begin(), req.batches.end(), id)
          != req.batches.end())
        continue;
      if (!st.store().contains(id)) {
        if (st.gone.count(id) != 0)
          result.not_found.push_back(id);
        continue;
      }
      if (!st.store().overlaps(id, window))
        continue;
      std::string frame;
      if (st.store().frame(id, frame) == batch_store::slice_status::ok)
        result.frames.push_back(std::move(frame));
      else
        result.not_found.push_back(id); // damaged: the reader asks another
    }
  }
  if (req.scan_max == 0)
    return result;
  // A prefetch: a bounded answer (batches and bytes), never a block report.
  constexpr size_t prefetch_bytes_max = size_t{4} << 20;
  uint32_t scanned = 0;
  size_t bytes = 0;
  for (auto id : st.store().overlapping(window)) {
    if (scanned == req.scan_max || bytes >= prefetch_bytes_max)
      break;
    if (std::find(req.batches.begin(), req.batches.end(), id)
        != req.batches.end())
      continue;
    std::string frame;
    if (st.store().frame(id, frame) == batch_store::slice_status::ok) {
      bytes += frame.size();
      result.frames.push_back(std::move(frame));
      ++scanned;
    }
  }
  return result;
}

/// Group commit: `confirm` runs once everything stored so far is durable.
void after_sync(caf::event_based_actor* self, const state_ptr& st,
                std::function<void(bool)> confirm) {
  if (st->opts.fsync != fsync_policy::always || !st->store().unsynced()) {
    confirm(true);
    return;
  }
  st->waiting_sync.push_back(std::move(confirm));
  if (!st->sync_scheduled) {
    st->sync_scheduled = true;
    self->send(self, sync_atom::value); // queues behind pending store_reqs
  }
}

void run_sync(caf::event_based_actor* self, const state_ptr& st) {
  st->sync_scheduled = false;
  bool ok = st->store().sync();
  auto group = std::move(st->waiting_sync);
  st->waiting_sync.clear();
  if (!ok)
    log_event(self, st->ctx, log_level::error, "sync_failed",
              "the disk refused to sync; " + std::to_string(group.size())
                + " copies are not confirmed");
  auto latency = st->opts.sync_latency ? st->opts.sync_latency() : 0;
  if (latency <= 0) {
    for (auto& f : group)
      f(ok);
    return;
  }
  // Simulated disk: the sync completes after its latency in virtual time.
  auto key = st->next_sync_group++;
  st->syncing.emplace(key, std::make_pair(std::move(group), ok));
  self->delayed_send(self, span_us(latency), synced_atom::value, key);
}

void finish_sync(const state_ptr& st, uint64_t key) {
  auto i = st->syncing.find(key);
  if (i == st->syncing.end())
    return;
  auto [group, ok] = std::move(i->second);
  st->syncing.erase(i);
  for (auto& f : group)
    f(ok);
}

block_report make_report(storage_state& st) {
  block_report out;
  out.node = st.ctx.name;
  out.batches = st.store().ids();
  out.digests.reserve(out.batches.size());
  std::vector<batch_id> readable;
  for (auto id : out.batches) {
    uint64_t d = 0;
    if (!st.store().digest(id, d))
      continue; // damaged: not held any more (reported as lost)
    readable.push_back(id);
    out.digests.push_back(d);
  }
  out.batches = std::move(readable);
  return out;
}

/// Repair / rebalance: fetch a whole batch from `source` and keep a copy.
void copy_from(caf::event_based_actor* self, const state_ptr& st,
               copy_req req, caf::response_promise rp) {
  if (st->store().contains(req.batch)) {
    rp.deliver(copy_ack{req.batch, st->ctx.name});
    return;
  }
  if (!req.source_address.empty())
    self->send(st->ctx.directory, learn_atom::value, req.source,
               req.source_address);
  auto timeout = st->opts.request_timeout;
  auto fail = [rp](errc code) mutable { rp.deliver(make_error(code)); };
  st->peers.with_peer(
    self, st->ctx.directory, req.source, timeout,
    [self, st, req, rp, timeout, fail](const caf::actor& source) mutable {
      fetch_req fr{{req.batch}, std::numeric_limits<timestamp_us>::min(),
                   std::numeric_limits<timestamp_us>::max()};
      deadline_wheel::request<fetch_result>(
        self, st->deadlines, source, local_span(st->ctx, timeout),
        std::move(fr),
        [self, st, req, rp](fetch_result& res) mutable {
          if (res.frames.empty()) {
            rp.deliver(make_error(errc::batch_not_found));
            return;
          }
          // The source's frame, stored as received once it verifies.
          frame_header h;
          auto checked = decode_frame(res.frames[0],
                                      st->opts.segments.frame_bytes_max, h,
                                      nullptr);
          if (checked.status != decode_status::ok
              || checked.consumed != res.frames[0].size()
              || h.type != frame_type::batch || h.id != req.batch) {
            ++st->corrupt_frames;
            log_event(self, st->ctx, log_level::warn, "corrupt_frame",
                      "the copy of batch " + std::to_string(req.batch)
                        + " from " + req.source
                        + " failed verification on arrival; not kept");
            rp.deliver(make_error(errc::corrupt_frame,
                                  "the source sent a damaged copy"));
            return;
          }
          auto put = st->store().put_frame(std::move(res.frames[0]));
          if (put == batch_store::put_status::full
              || put == batch_store::put_status::failed
              || put == batch_store::put_status::corrupt) {
            rp.deliver(make_error(errc::store_refused, "disk"));
            return;
          }
          log_lazy(self, st->ctx, log_level::debug, "copied", [&] {
            return "copied batch " + std::to_string(req.batch) + " from "
                   + req.source;
          });
          after_sync(self, st, [rp, req, st](bool ok) mutable {
            if (ok && st->store().contains(req.batch))
              rp.deliver(copy_ack{req.batch, st->ctx.name});
            else
              rp.deliver(make_error(errc::store_refused,
                                    ok ? "damaged on write"
                                       : "sync failed"));
          });
        },
        [st, req, fail](caf::error& err) mutable {
          if (to_errc(err) == errc::timeout)
            st->peers.forget(req.source);
          fail(to_errc(err));
        });
    },
    fail);
}

/// A store of batch `id` by `client` at `epoch` lies in a granted placement.
bool granted(const storage_state& st, uint64_t epoch, batch_id id,
             client_id client) {
  auto* g = grant_of(st, id);
  return g != nullptr && g->client == client && g->epoch == epoch;
}

caf::result<grant_ack> handle_grant(caf::event_based_actor* self,
                                    storage_state& st, const grant_req& req) {
  if (auto refused = fence(self, st, req.epoch, "grant"))
    return std::move(*refused);
  if (req.count == 0 || req.count > 4'096)
    return make_error(errc::malformed_request,
                      "a placement holds 1 to 4096 batch ids");
  bool known = false;
  for (auto& g : st.grants)
    known = known || (g.first == req.first && g.epoch == req.epoch);
  if (!known) {
    st.grants.push_back({req.epoch, req.first, req.count, req.client});
    if (st.grants.size() > storage_state::grants_max) {
      auto& old = st.grants.front();
      st.gone.erase(st.gone.lower_bound(old.first),
                    st.gone.lower_bound(old.first + old.count));
      st.grants.pop_front();
    }
  }
  return grant_ack{st.ctx.name};
}

caf::result<seal_ack> handle_seal(caf::event_based_actor* self,
                                  storage_state& st, const seal_req& req) {
  if (auto refused = fence(self, st, req.epoch, "seal"))
    return std::move(*refused);
  // No more stores into it: the grant goes (a restarted node has none).
  st.grants.erase(std::remove_if(st.grants.begin(), st.grants.end(),
                                 [&](const storage_state::grant& g) {
                                   return g.first == req.first;
                                 }),
                  st.grants.end());
  seal_ack ack;
  ack.node = st.ctx.name;
  auto end = req.first + std::min<uint32_t>(req.count, 4'096);
  for (auto id = req.first; id < end; ++id) {
    batch_info info;
    if (st.store().contains(id) && st.store().info(id, info))
      ack.holds.push_back(info);
  }
  return ack;
}

/// How a store ends: errc::none (stored, and synced when fsync says so),
/// or the error with its text. Called exactly once.
using store_done = std::function<void(errc, std::string)>;

void fail_with(const store_done& done, const caf::error& err) {
  auto& ctx = err.context();
  done(to_errc(err), ctx.size() == 1 && ctx.match_element<std::string>(0)
                       ? ctx.get_as<std::string>(0)
                       : std::string{});
}

/// One store, alone or from a store_many_req.
void store_one(caf::event_based_actor* self, const state_ptr& st,
               store_req& req, store_done done) {
  if (st->corrupt_left > 0 && !req.frame.empty()) {
    --st->corrupt_left; // test hook: damage in transit
    req.frame[req.frame.size() / 2] ^= 0x20;
  }
  // Input from the network is checked, never asserted: a damaged or
  // malformed frame gets a definite error and changes nothing.
  frame_header h;
  auto checked = decode_frame(req.frame, st->opts.segments.frame_bytes_max, h,
                              nullptr);
  if (checked.status != decode_status::ok
      || checked.consumed != req.frame.size() || h.type != frame_type::batch) {
    ++st->corrupt_frames;
    log_event(self, st->ctx, log_level::warn, "corrupt_frame",
              "refusing batch " + std::to_string(req.batch)
                + ": its frame failed verification on arrival ("
                + (checked.what[0] != 0 ? checked.what : "not a batch frame")
                + "); nothing stored, the sender may send it again");
    done(errc::corrupt_frame, std::string{"the frame failed verification: "}
                            + checked.what);
    return;
  }
  if (h.id != req.batch) {
    done(errc::malformed_request, "the frame holds batch " + std::to_string(h.id)
                            + ", the request names "
                            + std::to_string(req.batch));
    return;
  }
  // From a master older than the one this node promised to (it crashed or
  // was cut off with the request in flight): storing it now would add a
  // copy the new master's index never heard of.
  if (auto refused = fence(self, *st, req.epoch, "store")) {
    fail_with(done, *refused);
    return;
  }
  if (st->grants_required && st->joins_in_flight > 0) {
    done(errc::unavailable, "this node is reporting to a master; nothing "
                          "stored, ask for a placement again");
    return;
  }
  if (st->grants_required && !granted(*st, req.epoch, h.id, h.client)) {
    log_event(self, st->ctx, log_level::warn, "store_not_granted",
              "refusing batch " + std::to_string(h.id) + " of client "
                + std::to_string(h.client) + " at epoch "
                + std::to_string(req.epoch)
                + ": no placement the master granted this node holds it "
                  "(a stray or forged write, or a grant forgotten in a "
                  "restart); nothing stored");
    done(errc::not_granted, "batch " + std::to_string(h.id)
                            + " lies in no placement granted to client "
                            + std::to_string(h.client)
                            + " on this node; ask the master for one");
    return;
  }
  auto id = req.batch;
  switch (st->store().put_frame(std::move(req.frame))) {
    case batch_store::put_status::stored:
      break;
    case batch_store::put_status::duplicate: {
      // Idempotent only for the same batch: an id that names a different
      // (client, seq) here means a master reused ids (restarted without its
      // --data-dir). Confirming would silently lose the new batch.
      batch_info held;
      if (st->store().info(id, held)
          && (held.client != h.client || held.seq != h.seq)) {
        log_event(self, st->ctx, log_level::error, "batch_id_conflict",
                  "batch " + std::to_string(id)
                    + " is already held for another writer; refusing (was "
                      "the master restarted without its --data-dir?)");
        done(errc::store_refused, "batch id conflict");
        return;
      }
      log_lazy(self, st->ctx, log_level::debug, "store_duplicate", [id] {
        return "batch " + std::to_string(id)
               + " already held; confirming again (idempotent)";
      });
      break;
    }
    case batch_store::put_status::full:
      log_event(self, st->ctx, log_level::warn, "disk_full",
                "refusing batch " + std::to_string(id)
                  + ": the disk is full (reads still served)");
      done(errc::store_refused, "disk full");
      return;
    case batch_store::put_status::corrupt: // verified above; defensive
      ++st->corrupt_frames;
      done(errc::corrupt_frame, "the frame failed "
                                                 "verification");
      return;
    case batch_store::put_status::failed:
      done(errc::store_refused, "write failed");
      return;
  }
  after_sync(self, st, [done = std::move(done), id, st](bool ok) {
    // A copy found damaged between the write and the sync (a read or the
    // scrub checked it) is not confirmed: it is reported lost instead.
    if (ok && st->store().contains(id))
      done(errc::none, {});
    else
      done(errc::store_refused, ok ? "damaged on write" : "sync failed");
  });
}

/// Counts a store message and the stores it carried (for /metrics).
void tally_stores(const storage_state& st, uint64_t stores) {
  if (st.ctx.log != nullptr) {
    st.ctx.log->tally("store_message", 1);
    st.ctx.log->tally("store_received", stores);
  }
}

void handle_store(caf::event_based_actor* self, const state_ptr& st,
                  store_req& req) {
  tally_stores(*st, 1);
  auto rp = self->make_response_promise();
  auto id = req.batch;
  store_one(self, st, req, [rp, id, st](errc code, std::string what) mutable {
    if (code == errc::none)
      rp.deliver(store_ack{id, st->ctx.name});
    else
      rp.deliver(make_error(code, std::move(what)));
  });
}

/// Each store as if it came alone; one reply once all of them ended (the
/// stores one group sync covers end together).
void handle_store_many(caf::event_based_actor* self, const state_ptr& st,
                       store_many_req& req) {
  tally_stores(*st, req.stores.size());
  auto rp = self->make_response_promise();
  if (req.stores.empty() || req.stores.size() > store_many_max) {
    rp.deliver(make_error(errc::malformed_request,
                          "a store_many_req holds 1 to "
                            + std::to_string(store_many_max) + " stores"));
    return;
  }
  struct pending {
    caf::response_promise rp;
    store_many_reply reply;
    size_t left = 0;
  };
  auto p = std::make_shared<pending>();
  p->rp = rp;
  p->reply.outcomes.resize(req.stores.size());
  p->left = req.stores.size();
  for (size_t i = 0; i < req.stores.size(); ++i)
    store_one(self, st, req.stores[i], [p, i](errc code, std::string what) {
      p->reply.outcomes[i] = {static_cast<uint8_t>(code), std::move(what)};
      if (--p->left == 0)
        p->rp.deliver(std::move(p->reply));
    });
}

void open_store(caf::event_based_actor* self, storage_state& st) {
  if (st.opts.data == nullptr) {
    st.owned = make_memory_store();
    st.store_ptr = st.owned.get();
    return;
  }
  segment_store::recovery_report report;
  st.owned = make_durable_store(*st.opts.data, st.opts.segments, report);
  st.store_ptr = st.owned.get();
  log_event(self, st.ctx, log_level::info, "recovered",
            "recovered " + std::to_string(st.store().batches())
              + " batch(es) from " + std::to_string(report.segments)
              + " segment(s); " + std::to_string(report.truncated_bytes)
              + " torn byte(s) truncated, "
              + std::to_string(report.quarantined.size())
              + " segment(s) quarantined, "
              + std::to_string(report.affected.size())
              + " batch(es) reported lost");
  for (auto& issue : report.issues)
    log_event(self, st.ctx, log_level::warn, "recovery_issue",
              issue.file + " @" + std::to_string(issue.offset) + ": "
                + issue.detail);
}

/// A node's promise survives its restarts (when it has a disk): a master
/// it fenced stays fenced.
void open_promise(caf::event_based_actor* self, storage_state& st) {
  st.promise_disk = st.opts.state != nullptr ? st.opts.state : st.opts.data;
  if (st.promise_disk == nullptr)
    return;
  std::string err;
  if (!load_epoch_promise(*st.promise_disk, st.promise, err)) {
    // Refusing to start is the safe answer: serving without the promise
    // could let a fenced master write again.
    log_event(self, st.ctx, log_level::error, "promise_damaged",
              err + "; this node cannot tell which masters it fenced. Move "
                    "the data directory away and start it empty (a new "
                    "incarnation), or restore the file");
    self->quit(make_error(errc::unavailable, err));
    return;
  }
  if (st.promise.epoch > 0)
    log_event(self, st.ctx, log_level::info, "promise_loaded",
              "promised epoch " + std::to_string(st.promise.epoch) + " to "
                + (st.promise.master.empty() ? std::string{"a master"}
                                             : st.promise.master));
  (void) report_to(st, st.promise.master);
}

caf::result<epoch_ack> on_epoch_req(caf::event_based_actor* self,
                                    storage_state& st, const epoch_req& req) {
  if (req.epoch == st.promise.epoch && req.candidate == st.promise.master)
    return epoch_ack{st.ctx.name,         st.opts.incarnation,
                     st.promise.epoch,    st.promise.record_epoch,
                     st.promise.record_version, st.promise.record};
  if (req.epoch <= st.promise.epoch) {
    if (!req.probe)
      tell_sender(self, st);
    return make_error(errc::stale_epoch,
                      "this node promised epoch "
                        + std::to_string(st.promise.epoch) + " to "
                        + st.promise.master);
  }
  auto now = local_now(self, st.ctx);
  if (st.lease_at >= 0 && now - st.lease_at < st.opts.master_timeout
      && req.candidate != st.promise.master) {
    // The active master was heard recently: a standby that lost sight of
    // it must not depose it (no notice: nothing is fenced).
    return make_error(errc::stale_epoch,
                      "the active master " + st.promise.master + " (epoch "
                        + std::to_string(st.promise.epoch) + ") was heard "
                        + std::to_string((now - st.lease_at) / 1000)
                        + " ms ago");
  }
  if (req.probe) // a pre-vote: it would promise; nothing changes
    return epoch_ack{st.ctx.name,         st.opts.incarnation,
                     req.epoch,           st.promise.record_epoch,
                     st.promise.record_version, st.promise.record};
  if (!promise_epoch(self, st, req.epoch, req.candidate))
    return make_error(errc::store_refused, "could not sync the promise");
  log_event(self, st.ctx, log_level::info, "promised",
            "promised epoch " + std::to_string(req.epoch) + " to "
              + req.candidate + "; commands of older epochs are refused");
  (void) report_to(st, req.candidate);
  return epoch_ack{st.ctx.name,         st.opts.incarnation,
                   st.promise.epoch,    st.promise.record_epoch,
                   st.promise.record_version, st.promise.record};
}

caf::result<record_ack> on_record_req(caf::event_based_actor* self,
                                      storage_state& st,
                                      const record_req& req) {
  if (auto refused = fence(self, st, req.epoch, "record"))
    return std::move(*refused);
  if (std::pair{req.epoch, req.version}
      > std::pair{st.promise.record_epoch, st.promise.record_version}) {
    auto next = st.promise;
    next.record_epoch = req.epoch;
    next.record_version = req.version;
    next.record = req.record;
    if (st.promise_disk != nullptr
        && save_epoch_promise(*st.promise_disk, next) != disk_status::ok)
      return make_error(errc::store_refused, "could not sync the record");
    st.promise = std::move(next);
  }
  return record_ack{st.ctx.name, req.epoch, req.version};
}

/// A tick much later than due: this node did not run (paused, or its clock
/// jumped forward). The master's lease is not held to have run out in a gap
/// that this node did not see (as the master's own_stall_check does).
void own_stall_check(caf::event_based_actor* self, storage_state& st) {
  auto now = local_now(self, st.ctx);
  auto last = std::exchange(st.last_tick, now);
  auto gap = now - last - st.heartbeat_interval;
  if (last < 0 || gap <= 2 * st.heartbeat_interval)
    return;
  if (st.lease_at >= 0)
    st.lease_at = std::min(st.lease_at + gap, now);
  log_event(self, st.ctx, log_level::warn, "own_stall",
            "this node did not run for " + std::to_string(gap / 1000)
              + " ms (paused, or its clock jumped): the master's lease is "
                "not held to have run out in that time");
}

/// The active master's lease ("I am active at this epoch"), sent every
/// heartbeat interval.
void on_lease(caf::event_based_actor* self, const state_ptr& st,
              const epoch_notice& n) {
  if (n.epoch < st->promise.epoch) {
    tell_sender(self, *st); // an old master: fence it
    return;
  }
  if (n.epoch == st->promise.epoch) {
    if (st->promise.master.empty())
      st->promise.master = n.master;
    if (n.master == st->promise.master) {
      st->lease_at = local_now(self, st->ctx);
      tell_sender(self, *st); // the echo: CheckQuorum counts round trips
    }
  }
  if (n.master != st->master() && report_to(*st, n.master)) {
    // A master of this epoch or a newer one is active: report to it (its
    // join_ack brings a newer epoch's promise).
    self->send(self, join_atom::value);
  }
}

} // namespace

caf::behavior storage_actor(caf::event_based_actor* self,
                            storage_options opts, node_context ctx) {
  auto st = std::make_shared<storage_state>();
  st->opts = std::move(opts);
  st->ctx = std::move(ctx);
  st->join_delay = st->opts.join_retry;
  st->boot = prng{st->ctx.seed ^ 0xB007}.next() | 1; // never 0
  open_store(self, *st);
  open_promise(self, *st);
  self->set_default_handler(caf::drop);
  self->send(self, join_atom::value);
  if (st->opts.data != nullptr && st->opts.fsync == fsync_policy::interval)
    self->delayed_send(self, local_span(st->ctx, st->opts.fsync_interval),
                       fsync_tick_atom::value);
  return {
    [self, st](deadline_atom) { st->deadlines->tick(self); },
    [self, st](join_atom) {
      // Also sent by a master that restarted and wants our block report.
      st->peers.forget(st->master());
      try_join(self, st);
    },
    [self, st](tick_atom) {
      // Heartbeats are one-way: the master's failure detector judges silence.
      own_stall_check(self, *st);
      send_heartbeat(self, st);
      self->delayed_send(self, local_span(st->ctx, st->heartbeat_interval),
                         tick_atom::value);
    },
    [self, st](store_req& req) { handle_store(self, st, req); },
    [self, st](store_many_req& req) { handle_store_many(self, st, req); },
    [self, st](const grant_req& req) { return handle_grant(self, *st, req); },
    [self, st](const seal_req& req) { return handle_seal(self, *st, req); },
    [self, st](sync_atom) { run_sync(self, st); },
    [st](synced_atom, uint64_t key) { finish_sync(st, key); },
    [self, st](fsync_tick_atom) {
      // fsync_policy::interval: bound the loss window.
      if (st->store().unsynced())
        st->store().sync();
      self->delayed_send(self, local_span(st->ctx, st->opts.fsync_interval),
                         fsync_tick_atom::value);
    },
    [st](const fetch_req& req) { return serve_fetch(*st, req); },
    [st](const status_req&) {
      // The node's own view (metrics endpoint of the real cluster): one
      // member, itself; the cluster-wide fields stay 0.
      status_reply out;
      out.epoch = st->promise.epoch;
      out.batches = st->store().batches();
      out.members.push_back({st->ctx.name, st->opts.address, st->opts.zone,
                             st->joined ? "up" : "joining",
                             st->store().batches(), st->store().bytes()});
      return out;
    },
    [self, st](copy_req& req) {
      auto rp = self->make_response_promise();
      if (auto refused = fence(self, *st, req.epoch, "copy"))
        rp.deliver(std::move(*refused));
      else
        copy_from(self, st, std::move(req), rp);
    },
    [self, st](const delete_req& req) -> caf::result<delete_ack> {
      if (auto refused = fence(self, *st, req.epoch, "delete"))
        return std::move(*refused);
      size_t dropped = 0;
      for (auto id : req.batches)
        if (st->store().erase(id)) {
          ++dropped;
          note_gone(*st, id);
        }
      ++st->version;
      log_event(self, st->ctx, log_level::info, "deleted",
                "dropped " + std::to_string(dropped)
                  + " copies on the master's request");
      return delete_ack{st->boot, st->version};
    },
    [st](const block_report_req&) { return make_report(*st); },
    [st](const join_ack&) {
      // A duplicated join_ack arriving outside a request: harmless.
    },
    [st](const lost_ack& ack) {
      for (auto id : ack.batches)
        st->lost.erase(id);
    },
    [self, st](const epoch_req& req) -> caf::result<epoch_ack> {
      return on_epoch_req(self, *st, req);
    },
    [self, st](const record_req& req) -> caf::result<record_ack> {
      return on_record_req(self, *st, req);
    },
    [self, st](const epoch_notice& n) { on_lease(self, st, n); },
  };
}

} // namespace logstore
