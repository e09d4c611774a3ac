// logstore — the master's memory of recent appends per client.
// Layer: core (std only). A retried (client, seq) must get the answer the
// first attempt got; the table is bounded by keeping only the newest
// `window_` sequence numbers per client. Invariants: see the header.
#include "core/master/dedup_table.hpp"

#include "core/base/assert.hpp"

namespace logstore {

namespace {

bool well_formed(const dedup_table::outcome& x) {
  switch (x.st) {
    case dedup_table::state::in_progress: return x.error == errc::none;
    case dedup_table::state::acked: return x.error == errc::none;
    case dedup_table::state::failed: return x.error != errc::none;
  }
  return false;
}

bool same_ack(const dedup_table::outcome& x, const dedup_table::outcome& y) {
  return x.st == dedup_table::state::acked
         && y.st == dedup_table::state::acked && x.batch == y.batch;
}

} // namespace

const dedup_table::outcome* dedup_table::find(client_id client,
                                              sequence_nr seq) const {
  auto i = per_client_.find(client);
  if (i == per_client_.end())
    return nullptr;
  auto j = i->second.find(seq);
  if (j == i->second.end())
    return nullptr;
  return &j->second;
}

bool dedup_table::may_record(client_id client, sequence_nr seq,
                             const outcome& x) const {
  auto* old = find(client, seq);
  return old == nullptr || old->st != state::acked || same_ack(*old, x);
}

bool dedup_table::record(client_id client, sequence_nr seq, outcome x) {
  LOGSTORE_ASSERT(window_ >= 1);
  LOGSTORE_ASSERT_MSG(well_formed(x), "only failures carry an error");
  if (!may_record(client, seq, x))
    return false; // invariant 2: the caller resolves the twin
  auto& outcomes = per_client_[client];
  auto [i, inserted] = outcomes.emplace(seq, x);
  if (!inserted)
    i->second = x;
  // Evict the oldest (smallest) sequence numbers. Bound: one per call, as
  // each call adds at most one outcome and nothing changes window_.
  while (outcomes.size() > window_)
    outcomes.erase(outcomes.begin());
  LOGSTORE_ASSERT(outcomes.size() <= window_);
  return true;
}

void dedup_table::replace(client_id client, sequence_nr seq, outcome x) {
  LOGSTORE_ASSERT_MSG(well_formed(x), "only failures carry an error");
  auto& outcomes = per_client_[client];
  outcomes[seq] = x;
  while (outcomes.size() > window_)
    outcomes.erase(outcomes.begin());
}

} // namespace logstore
