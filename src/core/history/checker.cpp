// logstore — check_history: counters, latencies, and the property checks.
// Layer: core. Black-box over a history; standard library only.
// The model (pairing invokes with completions, indexing entries) lives in
// checker_model.cpp, the read checks in checker_reads.cpp.
//
// Counting rules (docs/history.md, "Checking"):
//  - appends_indefinite counts info completions AND appends that never
//    completed: both may or may not have taken effect.
//  - reads_* count op_fn::read only; final reads are judged by
//    no-lost-acked-writes and final_read_seen says one was invoked.
//  - reads_failed counts fail and info completions (a read has no effect).
//  - entries_acked counts distinct entries of ok appends.
//  - latencies are nearest-rank percentiles of invoke-to-ok times.
#include "core/history/checker.hpp"

#include "core/base/assert.hpp"
#include "core/history/checker_model.hpp"

#include <algorithm>
#include <limits>

namespace logstore {

using namespace checker_detail;

const std::vector<std::string>& all_properties() {
  static const std::vector<std::string> names{
    "no-lost-acked-writes",
    "no-phantom-entries",
    "no-duplicates",
    "reads-sorted",
    "reads-in-range",
    "complete-reads-see-acked",
    "reads-honest",
  };
  return names;
}

const property_result* check_result::find(const std::string& name) const {
  for (const auto& p : properties)
    if (p.name == name)
      return &p;
  return nullptr;
}

namespace {

/// Nearest-rank percentile `num/den` of sorted, non-empty `xs`.
time_us nearest_rank(const std::vector<time_us>& xs, uint64_t num,
                     uint64_t den) {
  LOGSTORE_ASSERT(!xs.empty());
  LOGSTORE_ASSERT(num <= den);
  uint64_t rank = (num * xs.size() + den - 1) / den; // ceil(p * n)
  return xs[std::max<uint64_t>(rank, 1) - 1];
}

latency_summary summarize(std::vector<time_us> xs) {
  latency_summary out;
  out.count = xs.size();
  if (xs.empty())
    return out;
  std::sort(xs.begin(), xs.end());
  out.p50 = nearest_rank(xs, 50, 100);
  out.p90 = nearest_rank(xs, 90, 100);
  out.p99 = nearest_rank(xs, 99, 100);
  out.p999 = nearest_rank(xs, 999, 1000);
  out.max = xs.back();
  return out;
}

/// Invoke to completion. Computed unsigned: times never decrease, but a
/// hand-written history may span more than INT64_MAX (then it saturates).
time_us latency(const model& m, const operation& op) {
  auto begin = static_cast<uint64_t>(m.at(op.invoke).time);
  auto end = static_cast<uint64_t>(m.at(op.completion).time);
  auto max = static_cast<uint64_t>(std::numeric_limits<time_us>::max());
  return static_cast<time_us>(std::min(end - begin, max));
}

void count_appends(const model& m, check_result& r) {
  std::vector<time_us> latencies;
  for (const auto& op : m.appends) {
    ++r.appends_invoked;
    if (m.ended(op, op_type::ok)) {
      ++r.appends_ok;
      latencies.push_back(latency(m, op));
    } else if (m.ended(op, op_type::fail)) {
      ++r.appends_failed;
    } else {
      ++r.appends_indefinite; // info, or never completed
    }
  }
  LOGSTORE_ASSERT(r.appends_ok + r.appends_failed + r.appends_indefinite
                  == r.appends_invoked);
  r.append_latency = summarize(std::move(latencies));
  r.availability = r.appends_invoked == 0
                     ? 1.0
                     : static_cast<double>(r.appends_ok)
                         / static_cast<double>(r.appends_invoked);
  r.entries_acked = m.acked.size();
}

void count_reads(const model& m, check_result& r) {
  std::vector<time_us> latencies;
  for (const auto& op : m.reads) {
    if (m.at(op.invoke).f == op_fn::final_read) {
      r.final_read_seen = true;
      continue;
    }
    ++r.reads_invoked;
    if (m.ended(op, op_type::ok)) {
      ++r.reads_ok;
      if (!m.at(op.completion).complete)
        ++r.reads_incomplete;
      latencies.push_back(latency(m, op));
    } else if (op.completion != no_event) {
      ++r.reads_failed;
    }
  }
  LOGSTORE_ASSERT(r.reads_ok + r.reads_failed <= r.reads_invoked);
  r.read_latency = summarize(std::move(latencies));
}

} // namespace

check_result check_history(const history& h, const check_options& opts) {
  check_result result;
  report out{result, opts.examples_max};
  auto m = build_model(h);
  count_appends(m, result);
  count_reads(m, result);
  check_lost_writes(m, out);
  check_reads(m, out);
  LOGSTORE_ASSERT(result.properties.size() == all_properties().size());
  return result;
}

} // namespace logstore
