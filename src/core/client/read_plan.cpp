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
  assignment out;
  for (auto id : order_)
    assign(batches_.at(id), out);
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
