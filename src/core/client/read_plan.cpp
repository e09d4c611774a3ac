// logstore — a client's plan for one read: which replica serves which batch.
// Layer: core (std only). See the state machine in read_plan.hpp. The plan
// never sends anything: it returns the fetches to send and is told what came
// back, so its driver stays a thin shell and this file is unit-tested.
#include "core/client/read_plan.hpp"

#include "core/base/assert.hpp"
#include "core/client/merge.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace logstore {

namespace {

/// SplitMix64's finalizer: a well-mixed rank for tie-breaking.
uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <class Container, class T>
bool contains(const Container& xs, const T& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

/// A slice holds the part of one batch inside the fetch window.
/// A slice a storage node sent (network input): in the window and its
/// batch's time range, and sorted in read order. Anything else is treated
/// as a copy the node does not have.
bool slice_well_formed(const std::vector<stored_entry>& entries,
                       time_range window, const read_plan::batch_ref& ref) {
  return std::is_sorted(entries.begin(), entries.end(), read_order_less)
         && std::all_of(entries.begin(), entries.end(), [&](const auto& x) {
              return window.from <= x.ts && x.ts <= window.to
                     && ref.min_ts <= x.ts && x.ts <= ref.max_ts;
            });
}

} // namespace

read_plan::read_plan(time_range window, std::vector<batch_ref> batches,
                     live_fn is_live)
  : window_(window), is_live_(std::move(is_live)) {
  LOGSTORE_ASSERT(is_live_ != nullptr);
  LOGSTORE_ASSERT(window.from <= window.to);
  std::sort(batches.begin(), batches.end(), [](const auto& x, const auto& y) {
    return std::tie(x.min_ts, x.id) < std::tie(y.min_ts, y.id);
  });
  order_.reserve(batches.size());
  for (auto& ref : batches) {
    LOGSTORE_ASSERT(ref.min_ts <= ref.max_ts);
    LOGSTORE_ASSERT_MSG(overlaps(window, {ref.min_ts, ref.max_ts}),
                        "a planned batch must overlap the read window");
    LOGSTORE_ASSERT(ref.replicas.count <= replicas_max);
    auto id = ref.id;
    batch_state st;
    st.ref = std::move(ref);
    auto inserted = batches_.emplace(id, std::move(st)).second;
    LOGSTORE_ASSERT_MSG(inserted, "batch ids in a read plan are distinct");
    order_.push_back(id);
  }
}

read_plan::groups read_plan::start() {
  LOGSTORE_ASSERT_MSG(!started_, "start() is called once");
  started_ = true;
  return assign_first();
}

read_plan::groups read_plan::start(node_number node,
                                   std::vector<batch_slice> slices) {
  LOGSTORE_ASSERT_MSG(!started_, "start() is called once");
  started_ = true;
  for (auto& slice : slices) {
    auto i = batches_.find(slice.batch);
    // Not planned (a copy no index lists), or from a node the plan does
    // not name for it, or twice: not this read's.
    if (i == batches_.end() || i->second.received
        || !i->second.ref.replicas.contains(node)
        || contains(i->second.tried, node))
      continue;
    auto& st = i->second;
    st.tried.push_back(node);
    if (!slice_well_formed(slice.entries, window_, st.ref)) {
      ++malformed_;
      continue; // asked elsewhere by the first assignment
    }
    st.received = true;
    ++served_[node];
    received_.push_back(std::move(slice.entries));
  }
  return assign_first();
}

read_plan::groups read_plan::start_without(node_number node) {
  LOGSTORE_ASSERT_MSG(!started_, "start() is called once");
  started_ = true;
  // As on_failure: no new batch for the node, but a lost message is not a
  // lost copy, so batches with no other replica get their retry rounds.
  failed_.push_back(node);
  for (auto& [id, st] : batches_)
    if (st.ref.replicas.contains(node)) {
      st.tried.push_back(node);
      st.failed_for.push_back(node);
    }
  return assign_first();
}

read_plan::groups read_plan::assign_first() {
  // As few fetches as possible: each message costs two thread hand-offs at
  // each end, which on small reads dwarf the bytes (bench/cluster_bench).
  // Greedy cover: the live node holding most of the batches left takes up
  // to fetch_batches_max of them, until every batch has a node. Ties go to
  // a node chosen by the window's start, so that reads of different ranges
  // spread over the replicas.
  assignment out;
  std::vector<batch_id> left;
  left.reserve(order_.size());
  for (auto id : order_) {
    auto& st = batches_.at(id);
    if (st.received)
      continue; // prefetched
    bool any_live = std::any_of(st.ref.replicas.begin(), st.ref.replicas.end(),
                                [&](node_number r) { return is_live_(r); });
    if (any_live)
      left.push_back(id);
    else
      assign(st, out); // no live replica: missing at once
  }
  auto spread = mix64(static_cast<uint64_t>(window_.from));
  std::map<node_number, uint32_t> holders;
  while (!left.empty()) {
    holders.clear();
    for (auto id : left) {
      auto& st = batches_.at(id);
      for (auto r : st.ref.replicas)
        if (is_live_(r) && !contains(st.tried, r))
          ++holders[r];
    }
    if (holders.empty()) {
      // Only replicas that already failed this batch (a malformed
      // prefetched slice) are left: the fallback rules decide.
      for (auto id : left)
        assign(batches_.at(id), out);
      break;
    }
    // Most batches first; then a node given none yet (a large read
    // spreads); then the window's rank.
    node_number best = 0;
    uint32_t best_count = 0;
    uint32_t best_load = 0;
    uint64_t best_rank = 0;
    for (auto [node, count] : holders) {
      auto rank = mix64(spread ^ node);
      auto l = load_.find(node);
      uint32_t load = l == load_.end() ? 0 : l->second;
      if (best_count == 0
          || std::tie(count, best_load, best_rank)
               > std::tie(best_count, load, rank)) {
        best = node;
        best_count = count;
        best_load = load;
        best_rank = rank;
      }
    }
    std::vector<batch_id> rest;
    rest.reserve(left.size());
    uint32_t taken = 0;
    for (auto id : left) {
      auto& st = batches_.at(id);
      if (taken < fetch_batches_max && st.ref.replicas.contains(best)
          && !contains(st.tried, best)) {
        take(st, best, out);
        ++taken;
      } else {
        rest.push_back(id);
      }
    }
    left.swap(rest);
  }
  LOGSTORE_ASSERT(outstanding_ <= order_.size());
  return track(std::move(out));
}

read_plan::groups read_plan::on_result(uint64_t id,
                                       std::vector<batch_slice> slices,
                                       const std::vector<batch_id>& not_found) {
  LOGSTORE_ASSERT(started_);
  auto f = fetches_.find(id);
  if (f == fetches_.end())
    return {}; // unknown, or answered already
  std::vector<batch_id> rejected;
  for (auto& slice : slices) {
    // A slice for a batch not outstanding in this fetch is a duplicate (or
    // not asked for): counting it would count the batch twice.
    if (!outstanding_in(slice.batch, id))
      continue;
    auto& st = batches_.at(slice.batch);
    if (!slice_well_formed(slice.entries, window_, st.ref)) {
      ++malformed_;
      rejected.push_back(slice.batch); // as if not found: ask elsewhere
      continue;
    }
    release(st);
    st.received = true;
    received_.push_back(std::move(slice.entries));
  }
  std::vector<batch_id> retry;
  rejected.insert(rejected.end(), not_found.begin(), not_found.end());
  for (auto b : rejected) {
    if (outstanding_in(b, id)) {
      release(batches_.at(b));
      retry.push_back(b);
    }
  }
  // The answer is complete: a batch of this fetch still outstanding was
  // ignored by the node. Ask elsewhere rather than wait forever.
  for (auto b : f->second.batches)
    if (outstanding_in(b, id)) {
      release(batches_.at(b));
      retry.push_back(b);
    }
  fetches_.erase(f);
  return track(reassign(retry));
}

read_plan::groups read_plan::on_failure(uint64_t id) {
  LOGSTORE_ASSERT(started_);
  auto f = fetches_.find(id);
  if (f == fetches_.end())
    return {};
  auto node = f->second.node;
  if (!contains(failed_, node))
    failed_.push_back(node);
  std::vector<batch_id> retry;
  for (auto b : f->second.batches)
    if (outstanding_in(b, id)) {
      auto& st = batches_.at(b);
      release(st);
      st.failed_for.push_back(node);
      retry.push_back(b);
    }
  fetches_.erase(f);
  return track(reassign(retry));
}

node_number read_plan::node_of(uint64_t id) const {
  auto f = fetches_.find(id);
  return f == fetches_.end() ? 0 : f->second.node;
}

bool read_plan::done() const {
  return outstanding_ == 0;
}

read_result read_plan::finish() {
  LOGSTORE_ASSERT(started_);
  LOGSTORE_ASSERT_MSG(done(), "finish() REQUIRES done()");
  LOGSTORE_ASSERT_MSG(!finished_, "finish() is called once");
  finished_ = true;
  std::vector<time_range> gaps;
  size_t received = 0;
  for (auto id : order_) {
    const auto& st = batches_.at(id);
    LOGSTORE_ASSERT_MSG(st.received != st.missing,
                        "every batch ends received or missing");
    if (st.missing)
      gaps.push_back(time_range{st.ref.min_ts, st.ref.max_ts});
    else
      ++received;
  }
  LOGSTORE_ASSERT(received == received_.size());
  read_result result;
  result.entries = merge_sorted(std::move(received_));
  result.complete = gaps.empty();
  result.missing = coalesce_ranges(std::move(gaps), window_);
  LOGSTORE_ASSERT(result.complete == result.missing.empty());
  return result;
}

// -- private helpers ---------------------------------------------------------

read_plan::assignment
read_plan::reassign(const std::vector<batch_id>& ids) {
  assignment out;
  for (auto id : ids)
    assign(batches_.at(id), out);
  return out;
}

void read_plan::take(batch_state& st, node_number node, assignment& out) {
  LOGSTORE_ASSERT(!st.outstanding);
  LOGSTORE_ASSERT(!st.received && !st.missing);
  LOGSTORE_ASSERT(!contains(st.tried, node));
  st.tried.push_back(node);
  st.outstanding_at = node;
  st.outstanding = true;
  ++outstanding_;
  ++load_[node];
  ++served_[node];
  out[node].push_back(st.ref.id);
}

bool read_plan::preferred(node_number& result) const {
  uint32_t best = 0;
  for (auto [node, count] : served_)
    if (count > best) {
      best = count;
      result = node;
    }
  return best > 0;
}

void read_plan::assign(batch_state& st, assignment& out) {
  LOGSTORE_ASSERT(!st.outstanding);
  LOGSTORE_ASSERT(!st.received && !st.missing);
  node_number node = 0;
  if (next_replica(st, node)) {
    LOGSTORE_ASSERT(!contains(st.tried, node));
    st.tried.push_back(node);
  } else if (!retry_replica(st, node)) {
    st.missing = true;
    return;
  }
  st.outstanding_at = node;
  st.outstanding = true;
  ++outstanding_;
  ++load_[node];
  out[node].push_back(st.ref.id);
}

template <class Nodes, class Skip>
bool read_plan::least_loaded(const Nodes& nodes, Skip skip,
                             node_number& result) const {
  bool found = false;
  uint32_t best_load = 0;
  for (auto node : nodes) {
    if (skip(node) || !is_live_(node))
      continue;
    auto i = load_.find(node);
    uint32_t load = i == load_.end() ? 0 : i->second;
    if (!found || std::tie(load, node) < std::tie(best_load, result)) {
      found = true;
      best_load = load;
      result = node;
    }
  }
  return found;
}

bool read_plan::next_replica(const batch_state& st,
                             node_number& result) const {
  return least_loaded(
    st.ref.replicas,
    [&](node_number node) {
      return contains(st.tried, node) || contains(failed_, node);
    },
    result);
}

bool read_plan::retry_replica(batch_state& st, node_number& result) const {
  if (st.retry_rounds >= retry_rounds_max)
    return false;
  bool found = least_loaded(
    st.failed_for, [](node_number) { return false; }, result);
  if (found) {
    ++st.retry_rounds;
    st.failed_for.erase(
      std::remove(st.failed_for.begin(), st.failed_for.end(), result),
      st.failed_for.end());
  }
  return found;
}

void read_plan::release(batch_state& st) {
  LOGSTORE_ASSERT(st.outstanding);
  LOGSTORE_ASSERT(outstanding_ > 0);
  st.outstanding = false;
  --outstanding_;
}

read_plan::groups read_plan::track(assignment a) {
  groups out;
  out.reserve(a.size());
  for (auto& [node, ids] : a) {
    LOGSTORE_ASSERT(!ids.empty());
    auto id = next_fetch_++;
    for (auto b : ids)
      batches_.at(b).fetch = id;
    fetches_.emplace(id, in_flight{node, ids});
    out.push_back(fetch{id, node, std::move(ids)});
  }
  return out;
}

bool read_plan::outstanding_in(batch_id id, uint64_t f) const {
  auto i = batches_.find(id);
  return i != batches_.end() && i->second.outstanding && i->second.fetch == f;
}

} // namespace logstore
