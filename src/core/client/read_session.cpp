// logstore — one read as a client runs it (see read_session.hpp).
#include "core/client/read_session.hpp"

#include "core/base/frame.hpp"

#include "core/base/assert.hpp"
#include "core/client/merge.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <unordered_set>

namespace logstore {

std::string check_read_plan(const read_plan_reply& plan, time_range window) {
  if (window.from > window.to)
    return "inverted read window";
  if (plan.nodes.size() > std::numeric_limits<node_number>::max())
    return "the plan names " + std::to_string(plan.nodes.size())
           + " nodes, more than a cluster can have";
  std::unordered_set<batch_id> seen;
  for (auto& b : plan.batches) {
    auto id = std::to_string(b.batch);
    if (b.min_ts > b.max_ts)
      return "batch " + id + " has an inverted time range";
    if (!overlaps(window, {b.min_ts, b.max_ts}))
      return "batch " + id + " lies outside the read window";
    if (!seen.insert(b.batch).second)
      return "batch " + id + " is planned twice";
    if (b.replicas.size() > replicas_max)
      return "batch " + id + " lists more than "
             + std::to_string(replicas_max) + " replicas";
    for (auto r : b.replicas)
      if (r >= plan.nodes.size())
        return "batch " + id + " names replica " + std::to_string(r)
               + " of a table of " + std::to_string(plan.nodes.size());
  }
  if (plan.open.size() > 64)
    return "the plan names " + std::to_string(plan.open.size())
           + " open placements, more than 64";
  for (auto& o : plan.open) {
    auto id = std::to_string(o.first);
    if (o.count == 0 || o.count > 4'096 || o.need == 0)
      return "open placement " + id + " is malformed";
    if (o.replicas.size() > replicas_max)
      return "open placement " + id + " lists more than "
             + std::to_string(replicas_max) + " replicas";
    for (auto r : o.replicas)
      if (r >= plan.nodes.size())
        return "open placement " + id + " names replica " + std::to_string(r)
               + " of a table of " + std::to_string(plan.nodes.size());
  }
  return {};
}

read_session::read_session(time_range window, read_plan_reply plan)
  : window_(window), plan_(std::move(plan)) {
  error_ = check_read_plan(plan_, window_);
  if (!error_.empty()) {
    error_ = "malformed read plan from the master: " + error_;
    return;
  }
  std::vector<read_plan::batch_ref> refs;
  refs.reserve(plan_.batches.size());
  for (auto& b : plan_.batches) {
    read_plan::batch_ref ref{b.batch, b.min_ts, b.max_ts, {}};
    for (auto r : b.replicas)
      ref.replicas.add(static_cast<node_number>(r)); // a repeat is ignored
    refs.push_back(ref);
  }
  // The master left out the replicas it thinks dead: every node named may
  // be asked (a node that fails is not asked again in this read).
  reads_ = std::make_unique<read_plan>(window_, std::move(refs),
                                       [](node_number) { return true; });
  if (!plan_.open.empty()) {
    std::vector<batch_id> planned;
    planned.reserve(plan_.batches.size());
    for (auto& b : plan_.batches)
      planned.push_back(b.batch);
    spans_.emplace(window_, plan_.open, std::move(planned));
  }
}

void read_session::add_span_fetches(
  std::map<node_number, std::vector<id_span>> spans,
  std::vector<fetch_to>& out) {
  for (auto& [n, list] : spans) {
    auto id = spans_->next_fetch();
    spans_->carried(id, n, list);
    fetch_req req{{}, window_.from, window_.to};
    req.spans = std::move(list);
    out.push_back({id, plan_.nodes[n].name, plan_.nodes[n].address,
                   std::move(req)});
  }
}

std::vector<read_session::fetch_to>
read_session::first_round(read_plan::groups groups) {
  std::set<node_number> busy;
  for (auto& g : groups)
    busy.insert(g.node);
  auto out = to_send(std::move(groups));
  if (!spans_)
    return out;
  auto spans = spans_->start(busy);
  for (auto& f : out) {
    auto n = node_index(f.node);
    if (!n)
      continue;
    auto i = spans.find(*n);
    if (i == spans.end())
      continue;
    spans_->carried(f.id, *n, i->second);
    f.req.spans = std::move(i->second);
    spans.erase(i);
  }
  add_span_fetches(std::move(spans), out);
  return out;
}

std::vector<read_session::fetch_to>
read_session::to_send(read_plan::groups groups) {
  std::vector<fetch_to> out;
  out.reserve(groups.size());
  for (auto& g : groups) {
    auto& node = plan_.nodes[g.node];
    out.push_back({g.id, node.name, node.address,
                   fetch_req{std::move(g.batches), window_.from, window_.to}});
  }
  return out;
}

std::vector<read_session::fetch_to> read_session::start() {
  LOGSTORE_ASSERT(error_.empty());
  return first_round(reads_->start());
}

std::vector<read_session::fetch_to>
read_session::start(const node_name& node, fetch_result& prefetched) {
  LOGSTORE_ASSERT(error_.empty());
  auto n = node_index(node);
  if (!n)
    return start();
  return first_round(reads_->start(*n, decode_slices(prefetched)));
}

std::vector<read_session::fetch_to>
read_session::start_without(const node_name& node) {
  LOGSTORE_ASSERT(error_.empty());
  auto n = node_index(node);
  if (!n)
    return start();
  return first_round(reads_->start_without(*n));
}

std::optional<node_number> read_session::node_index(const node_name& node) const {
  for (size_t i = 0; i < plan_.nodes.size(); ++i)
    if (plan_.nodes[i].name == node)
      return static_cast<node_number>(i);
  return std::nullopt;
}

bool read_session::lists(const node_name& node) const {
  auto n = node_index(node);
  if (!n)
    return false;
  return std::any_of(plan_.batches.begin(), plan_.batches.end(),
                     [&](const planned_batch& b) {
                       return std::find(b.replicas.begin(), b.replicas.end(),
                                        *n)
                              != b.replicas.end();
                     });
}

const plan_node* read_session::preferred() const {
  node_number n = 0;
  if (!error_.empty() || !reads_->preferred(n) || n >= plan_.nodes.size())
    return nullptr;
  return &plan_.nodes[n];
}

std::vector<read_session::fetch_to>
read_session::on_result(uint64_t id, fetch_result& result) {
  LOGSTORE_ASSERT(error_.empty());
  if (!result.not_found.empty() && reads_->awaiting(id)) {
    auto node = reads_->node_of(id);
    auto& ids = not_found_[node];
    if (ids.size() < 4096)
      ids.insert(ids.end(), result.not_found.begin(),
                 result.not_found.end());
  }
  auto damaged = corrupt_frames_;
  auto slices = decode_slices(result);
  std::map<node_number, std::vector<id_span>> again;
  std::vector<fetch_to> out;
  bool spans = spans_ && spans_->on_result(id, slices, result.not_found,
                                           corrupt_frames_ == damaged, again);
  if (!spans || id < span_reads::fetch_id_base)
    out = to_send(reads_->on_result(id, std::move(slices), result.not_found));
  if (!again.empty())
    add_span_fetches(std::move(again), out);
  return out;
}

std::vector<batch_slice> read_session::decode_slices(fetch_result& result) {
  // Each frame is checked (CRC, every entry) before it is decoded; one that
  // fails was damaged on the way or in the node's memory: it is counted and
  // left out, so read_plan asks another replica for that batch.
  std::vector<batch_slice> slices;
  slices.reserve(result.frames.size());
  for (auto& frame : result.frames) {
    frame_header h;
    std::vector<stored_entry> entries;
    auto res = decode_frame(frame, frame_bytes_max, h, &entries);
    if (res.status != decode_status::ok || res.consumed != frame.size()
        || h.type != frame_type::batch) {
      ++corrupt_frames_;
      continue;
    }
    batch_slice slice;
    slice.batch = h.id;
    slice_entries(std::move(entries), window_, slice.entries);
    slices.push_back(std::move(slice));
  }
  return slices;
}

std::vector<read_session::fetch_to> read_session::on_failure(uint64_t id) {
  LOGSTORE_ASSERT(error_.empty());
  std::vector<fetch_to> out;
  std::map<node_number, std::vector<id_span>> again;
  if (spans_)
    again = spans_->on_failure(id);
  if (id < span_reads::fetch_id_base)
    out = to_send(reads_->on_failure(id));
  if (!again.empty())
    add_span_fetches(std::move(again), out);
  return out;
}

bool read_session::done() const {
  return error_.empty() && reads_->done() && (!spans_ || spans_->done());
}

read_result read_session::finish() {
  LOGSTORE_ASSERT(done() && !finished_);
  finished_ = true;
  auto result = reads_->finish();
  result.expired_before = plan_.expired_before;
  if (spans_) {
    // Batches of open placements, merged in (each entry identity once:
    // a batch committed while this read ran may come from both).
    auto extra = spans_->take_entries();
    if (!extra.empty()) {
      extra.push_back(std::move(result.entries));
      result.entries = merge_sorted(std::move(extra));
    }
    if (!spans_->satisfied()) {
      // An acknowledged batch of an open placement may lie anywhere in
      // time: without `need` answers, vouch for nothing.
      result.complete = false;
      result.missing.assign(1, window_);
    }
  }
  if (!plan_.unreported.empty()) {
    // A member unreported since a master restart may hold batches the plan
    // lacks, anywhere in time: vouch for nothing.
    result.complete = false;
    result.missing.assign(1, window_);
    result.unreported = plan_.unreported;
  }
  return result;
}

std::vector<missing_copies> read_session::hints() const {
  std::vector<missing_copies> out;
  for (auto& [node, ids] : not_found_)
    if (node < plan_.nodes.size())
      out.push_back({plan_.nodes[node].name, ids});
  return out;
}

time_us read_session::fetch_timeout() const {
  return std::max<time_us>(plan_.fetch_timeout, 1'000);
}

} // namespace logstore
