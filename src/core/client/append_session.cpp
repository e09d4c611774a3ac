// logstore — one client session for both runtimes (append_session.hpp).
#include "core/client/append_session.hpp"

#include <algorithm>

namespace logstore {

bool retryable(errc code) {
  return code == errc::timeout || code == errc::unreachable
         || code == errc::unavailable || code == errc::in_doubt
         || code == errc::not_active;
}

time_us backoff(const retry_policy& p, uint32_t retry) {
  auto shift = std::min<uint32_t>(retry > 0 ? retry - 1 : 0, 30);
  auto d = p.backoff_first << shift;
  return std::min(d, p.backoff_max);
}

append_decision append_attempts::on_error(errc code) {
  if (code != errc::unreachable)
    maybe_sent_ = true; // a timeout or an answer: it got there
  append_decision d;
  if (retryable(code) && made_ <= policy_.retries) {
    d.retry = true;
    d.delay = backoff(policy_, made_);
    return d;
  }
  // A definite answer from the master is authoritative for (client, seq)
  // even after earlier timeouts: the master answers a retry definitely only
  // when it can see every earlier attempt, else in_doubt (docs/protocol.md,
  // "From outcome to history"). "Unreachable" is definite only if no
  // attempt ever got out.
  bool definite = is_definite(code)
                  && !(code == errc::unreachable && maybe_sent_);
  d.outcome = definite ? op_type::fail : op_type::info;
  return d;
}

op_type read_outcome(errc code) {
  return is_definite(code) ? op_type::fail : op_type::info;
}

uint64_t process_ids::take() {
  if (!free_.empty()) {
    auto p = free_.back();
    free_.pop_back();
    return p;
  }
  auto p = next_;
  next_ += stride_;
  return p;
}

void process_ids::release(uint64_t process, op_type outcome) {
  if (outcome == op_type::ok || outcome == op_type::fail)
    free_.push_back(process);
}

history_event append_event(op_type type, const append_req& req, time_us at,
                           uint64_t process, const node_name& node,
                           batch_id batch, errc code) {
  history_event ev;
  ev.time = at;
  ev.process = process;
  ev.type = type;
  ev.f = op_fn::append;
  ev.client = req.client;
  ev.seq = req.seq;
  ev.entries.reserve(req.entries.size());
  for (uint32_t i = 0; i < req.entries.size(); ++i)
    ev.entries.push_back(
      {req.client, req.seq, i, req.entries[i].ts, req.entries[i].source});
  ev.batch = batch;
  ev.error = code;
  if (type != op_type::invoke)
    ev.node = node;
  return ev;
}

history_event read_event(op_type type, op_fn f, time_range range, time_us at,
                         uint64_t process, const node_name& node, errc code,
                         const read_result* res) {
  history_event ev;
  ev.time = at;
  ev.process = process;
  ev.type = type;
  ev.f = f;
  ev.range = range;
  ev.error = code;
  if (type != op_type::invoke)
    ev.node = node;
  if (res != nullptr) {
    ev.entries.reserve(res->entries.size());
    for (auto& e : res->entries)
      ev.entries.push_back({e.client, e.seq, e.index, e.ts, e.source});
    ev.complete = res->complete;
    ev.missing = res->missing;
    ev.expired_before = res->expired_before;
  }
  return ev;
}

} // namespace logstore
