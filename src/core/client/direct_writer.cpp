// logstore — a client's direct writes (direct_writer.hpp).
#include "core/client/direct_writer.hpp"

#include "core/base/frame.hpp"

#include <algorithm>

namespace logstore {

namespace {

std::vector<node_name> names(const std::set<node_name>& xs) {
  return {xs.begin(), xs.end()};
}

} // namespace

direct_writer::placement* direct_writer::placement_of(batch_id id) {
  auto i = placements_.upper_bound(id);
  if (i == placements_.begin())
    return nullptr;
  --i;
  return id < i->second.end ? &i->second : nullptr;
}

void direct_writer::retire(placement& p) {
  p.retired = true;
  if (current_ == p.first)
    current_ = 0;
}

void direct_writer::ask(outputs& out) {
  if (asking_)
    return;
  asking_ = true;
  placement_req req;
  req.client = client_;
  req.epoch = epoch_;
  req.avoid = avoid_;
  req.request = request_;
  out.ask = std::move(req);
}

void direct_writer::take_id(uint64_t op, op_state& st, placement& p,
                            outputs& out) {
  auto id = p.next++;
  ++p.open_ids;
  if (p.next == p.end)
    retire(p);
  auto req = std::make_shared<store_req>();
  req->epoch = p.epoch;
  req->batch = id;
  encode_batch_frame(id, client_, st.seq, st.min_ts, st.max_ts, st.entries,
                     req->frame);
  copy c;
  c.id = id;
  c.placement = p.first;
  c.quorum = p.quorum;
  c.req = req;
  for (auto& r : p.replicas) {
    c.outstanding.insert(r.name);
    out.stores.push_back({op, r.name, r.address, p.timeout, req});
  }
  st.copies.push_back(std::move(c));
}

void direct_writer::place(uint64_t op, op_state& st, outputs& out) {
  if (current_ != 0) {
    auto& p = placements_.at(current_);
    take_id(op, st, p, out);
    return;
  }
  waiting_.push_back(op);
  ask(out);
}

void direct_writer::begin(uint64_t op, const append_req& req,
                          outputs& out) {
  auto& st = ops_[op];
  if (st.entries.empty()) {
    st.seq = req.seq;
    st.entries.reserve(req.entries.size());
    for (uint32_t i = 0; i < req.entries.size(); ++i) {
      auto& e = req.entries[i];
      st.entries.push_back({e.ts, e.source, e.payload, req.client, req.seq,
                            i});
    }
    std::sort(st.entries.begin(), st.entries.end(), read_order_less);
    uint64_t bytes = 0;
    for (auto& e : st.entries)
      bytes += entry_bytes(e);
    st.bytes = static_cast<uint32_t>(bytes);
    if (!st.entries.empty()) {
      st.min_ts = st.entries.front().ts;
      st.max_ts = st.entries.back().ts;
    }
  }
  st.in_attempt = true;
  st.replacements = 0;
  if (st.entries.empty()) {
    end_attempt(op, st, errc::malformed_request, out);
    return;
  }
  place(op, st, out);
}

void direct_writer::end_attempt(uint64_t op, op_state& st, errc code,
                                outputs& out) {
  if (!st.in_attempt)
    return;
  st.in_attempt = false;
  for (auto& c : st.copies)
    st.maybe_stored = st.maybe_stored || !c.outstanding.empty();
  attempt_end e;
  e.op = op;
  e.epoch = epoch_;
  // A definite error only when no copy of this append can exist anywhere:
  // otherwise the outcome is open (in_doubt is indefinite and retried).
  e.code = code != errc::none && is_definite(code) && st.maybe_stored
             ? errc::in_doubt
             : code;
  if (code == errc::none && !st.copies.empty()) {
    e.batch = st.copies.back().id;
    e.replicas = names(st.copies.back().confirmed);
  }
  out.ended.push_back(std::move(e));
}

void direct_writer::on_placement(const placement_reply& reply, outputs& out) {
  asking_ = false;
  ++request_;
  saw_epoch(reply.epoch);
  if (reply.count == 0 || reply.replicas.empty()
      || placements_.count(reply.first) != 0) {
    on_placement_failed(errc::malformed_request, out);
    return;
  }
  if (current_ != 0)
    retire(placements_.at(current_));
  placement p;
  p.first = reply.first;
  p.end = reply.first + reply.count;
  p.next = reply.first;
  p.replicas = reply.replicas;
  p.quorum = std::max<uint32_t>(1, std::min<uint32_t>(
                                     reply.write_quorum,
                                     static_cast<uint32_t>(
                                       reply.replicas.size())));
  p.timeout = reply.store_timeout;
  p.epoch = reply.epoch;
  current_ = p.first;
  placements_.emplace(p.first, std::move(p));
  avoid_.clear();
  while (!waiting_.empty()) {
    if (current_ == 0) {
      ask(out);
      return;
    }
    auto op = waiting_.front();
    waiting_.pop_front();
    auto i = ops_.find(op);
    if (i == ops_.end() || !i->second.in_attempt)
      continue;
    take_id(op, i->second, placements_.at(current_), out);
  }
  // After close(), a placement that arrives for an attempt still under way
  // serves it and is closed with its commits, like the others.
  if (closed_ && current_ != 0)
    retire(placements_.at(current_));
}

void direct_writer::on_placement_failed(errc code, outputs& out) {
  asking_ = false;
  if (code != errc::timeout)
    ++request_; // answered (or never sent): the next request is a new one
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto op : waiting)
    if (auto i = ops_.find(op); i != ops_.end()) {
      end_attempt(op, i->second, code, out);
      try_commit(op);
    }
  maybe_commit(out);
}

void direct_writer::on_store(uint64_t op, batch_id batch,
                             const node_name& node, errc code, outputs& out) {
  auto i = ops_.find(op);
  if (i == ops_.end())
    return;
  auto& st = i->second;
  auto c = std::find_if(st.copies.begin(), st.copies.end(),
                        [batch](const copy& x) { return x.id == batch; });
  if (c == st.copies.end() || c->outstanding.erase(node) == 0)
    return; // late or duplicated
  bool current = &*c == &st.copies.back();
  if (code == errc::none) {
    c->confirmed.insert(node);
    st.maybe_stored = true;
    if (current && st.in_attempt && c->confirmed.size() >= c->quorum)
      end_attempt(op, st, errc::none, out);
  } else {
    // The placement takes no new ids: the next batch goes to a new one
    // that avoids this node while others are eligible.
    // Refusals that guarantee nothing was stored leave the outcome
    // definite; a timeout, or a refusal after the write (a failed sync),
    // may have left a copy.
    if (code != errc::unreachable && code != errc::not_granted
        && code != errc::stale_epoch && code != errc::corrupt_frame
        && code != errc::malformed_request && code != errc::unavailable)
      st.maybe_stored = true;
    if (auto* p = placement_of(batch)) {
      retire(*p);
      if (std::find(avoid_.begin(), avoid_.end(), node) == avoid_.end())
        avoid_.push_back(node);
    }
    if (current && st.in_attempt
        && c->confirmed.size() + c->outstanding.size() < c->quorum) {
      if (st.replacements < replacements_max) {
        ++st.replacements;
        place(op, st, out);
      } else {
        end_attempt(op, st, code, out);
      }
    }
  }
  try_commit(op);
  maybe_commit(out);
}

void direct_writer::finish(uint64_t op, outputs& out) {
  auto i = ops_.find(op);
  if (i == ops_.end())
    return;
  i->second.finished = true;
  i->second.in_attempt = false;
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), op),
                 waiting_.end());
  try_commit(op);
  maybe_commit(out);
}

void direct_writer::try_commit(uint64_t op) {
  auto i = ops_.find(op);
  if (i == ops_.end() || !i->second.finished)
    return;
  auto& st = i->second;
  for (auto& c : st.copies)
    if (!c.outstanding.empty())
      return; // its stores are still answering
  // The copy to keep: the last one confirmed anywhere (an acked append's
  // last copy has the quorum); the others are abandoned in its favour.
  const copy* keep = nullptr;
  for (auto& c : st.copies)
    if (!c.confirmed.empty())
      keep = &c;
  for (auto& c : st.copies) {
    committed_batch cb;
    cb.batch = c.id;
    cb.seq = st.seq;
    cb.min_ts = st.min_ts;
    cb.max_ts = st.max_ts;
    cb.entries = static_cast<uint32_t>(st.entries.size());
    cb.bytes = st.bytes;
    if (&c == keep) {
      cb.replicas = names(c.confirmed);
    } else {
      cb.abandoned = true;
      cb.replaced_by = keep != nullptr ? keep->id : 0;
    }
    queue_.push_back(std::move(cb));
  }
  ops_.erase(i);
}

void direct_writer::maybe_commit(outputs& out, bool now) {
  if (committing_ || commit_paused_)
    return;
  if (!now && coalesce_ && queue_.size() < commit_batches_max) {
    // Wait for the timer: the batches stored meanwhile go in the same
    // commit_req (reads meanwhile consult the open placement).
    bool closable = std::any_of(
      placements_.begin(), placements_.end(),
      [](const auto& x) { return x.second.retired && !x.second.close_sent; });
    if ((!queue_.empty() || closable) && !timer_pending_) {
      timer_pending_ = true;
      out.commit_timer = true;
    }
    return;
  }
  commit_req req;
  req.client = client_;
  req.epoch = epoch_;
  while (!queue_.empty() && req.batches.size() < commit_batches_max) {
    req.batches.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  // A placement is closed by the commit that settles its last taken id.
  for (auto& [first, p] : placements_) {
    if (!p.retired || p.close_sent)
      continue;
    uint32_t here = 0;
    for (auto& cb : req.batches)
      here += (cb.batch >= p.first && cb.batch < p.end) ? 1 : 0;
    bool queued = std::any_of(queue_.begin(), queue_.end(),
                              [&p = p](const committed_batch& cb) {
                                return cb.batch >= p.first
                                       && cb.batch < p.end;
                              });
    if (p.open_ids == here && !queued) {
      p.close_sent = true;
      req.closes.push_back(first);
    }
  }
  if (req.batches.empty() && req.closes.empty())
    return;
  committing_ = true;
  inflight_ = req.batches;
  closing_ = req.closes;
  out.commit = std::move(req);
}

void direct_writer::on_commit(const commit_ack&, outputs& out) {
  if (!committing_)
    return;
  committing_ = false;
  for (auto& cb : inflight_)
    if (auto* p = placement_of(cb.batch); p != nullptr && p->open_ids > 0)
      --p->open_ids;
  inflight_.clear();
  for (auto first : closing_)
    placements_.erase(first);
  closing_.clear();
  maybe_commit(out);
}

void direct_writer::on_commit_failed(outputs& out) {
  if (!committing_)
    return;
  committing_ = false;
  commit_paused_ = true;
  if (!timer_pending_) {
    timer_pending_ = true;
    out.commit_timer = true;
  }
  for (auto i = inflight_.rbegin(); i != inflight_.rend(); ++i)
    queue_.push_front(std::move(*i));
  inflight_.clear();
  for (auto first : closing_)
    if (auto i = placements_.find(first); i != placements_.end())
      i->second.close_sent = false;
  closing_.clear();
}

void direct_writer::retry_commit(outputs& out) {
  timer_pending_ = false;
  commit_paused_ = false;
  maybe_commit(out, true);
}

void direct_writer::close(outputs& out) {
  closed_ = true;
  for (auto& [first, p] : placements_)
    retire(p);
  maybe_commit(out);
}

bool direct_writer::idle() const {
  // A placement that takes no new ids and is not closed yet still owes
  // the master its close (else it stays open until the master seals it).
  bool closing = std::any_of(
    placements_.begin(), placements_.end(),
    [](const auto& x) { return x.second.retired && !x.second.close_sent; });
  return ops_.empty() && queue_.empty() && !committing_ && !asking_
         && !closing;
}

} // namespace logstore
