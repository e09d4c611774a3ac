// logstore — the checks on what reads returned.
// Layer: core, internal to the checker. Standard library only.
//
// Cost: reads are visited in invoke order while acknowledged entries become
// "visible" (acked strictly before the current read's invoke time) in ack
// order. A Fenwick tree over the acked entries sorted by ts counts the
// visible ones in any ts range in O(log A). Each returned entry is looked up
// once in model::table (phantoms; duplicates via a per-read stamp) and
// counted if visible and in range; when that count equals the visible count
// the read lacks nothing. Only a read that does lack something walks its
// range to name the lacking entries. Total: O(A log A + R + r log A), for A
// acked entries, R returned entry refs and r reads.
#include "core/history/checker_model.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

namespace logstore::checker_detail {

namespace {

/// At most this many missing ranges are spelled out in one example.
constexpr size_t ranges_in_text_max = 5;

/// Stamp for the final-read pass (never a history index).
constexpr size_t final_read_stamp = no_event - 1;

/// The acked entries sorted by written ts, counting those visible so far.
///
/// Invariants:
///  1. order_ holds every acked index once, sorted by (ts, acked index).
///  2. visible_ acked entries (a prefix of model::acked) are counted in tree_.
class visible_index {
public:
  explicit visible_index(const std::vector<acked_entry>& acked)
    : acked_(acked), order_(acked.size()), tree_(acked.size() + 1, 0),
      position_(acked.size()) {
    for (size_t i = 0; i < order_.size(); ++i)
      order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](size_t x, size_t y) {
      return std::tie(acked[x].ts, x) < std::tie(acked[y].ts, y);
    });
    for (size_t pos = 0; pos < order_.size(); ++pos)
      position_[order_[pos]] = pos;
  }

  /// Makes visible every acked entry whose ack time is before `t`.
  void advance(const model& m, time_us t) {
    for (; visible_ < acked_.size() && m.at(acked_[visible_].ack).time < t;
         ++visible_)
      for (size_t i = position_[visible_] + 1; i < tree_.size(); i += i & -i)
        ++tree_[i];
  }

  bool visible(size_t acked_index) const {
    return acked_index < visible_;
  }

  /// Positions [first, last) in ts order of entries with ts in `r`.
  std::pair<size_t, size_t> positions(time_range r) const {
    auto lo = std::lower_bound(order_.begin(), order_.end(), r.from,
                               [&](size_t i, timestamp_us t) {
                                 return acked_[i].ts < t;
                               });
    auto hi = std::upper_bound(lo, order_.end(), r.to,
                               [&](timestamp_us t, size_t i) {
                                 return t < acked_[i].ts;
                               });
    return {static_cast<size_t>(lo - order_.begin()),
            static_cast<size_t>(hi - order_.begin())};
  }

  /// Visible entries with ts in `r`.
  size_t count(time_range r) const {
    if (r.from > r.to)
      return 0;
    auto [first, last] = positions(r);
    return prefix(last) - prefix(first);
  }

  size_t at(size_t pos) const {
    return order_[pos];
  }

private:
  /// Visible entries among positions [0, n).
  size_t prefix(size_t n) const {
    size_t sum = 0;
    for (size_t i = n; i > 0; i -= i & -i)
      sum += tree_[i];
    return sum;
  }

  const std::vector<acked_entry>& acked_;
  std::vector<size_t> order_;    ///< position -> acked index
  std::vector<uint32_t> tree_;   ///< Fenwick tree over positions
  std::vector<size_t> position_; ///< acked index -> position
  size_t visible_ = 0;
};

bool read_order_less(const entry_ref& x, const entry_ref& y) {
  return std::tie(x.ts, x.source, x.client, x.seq, x.index)
         < std::tie(y.ts, y.source, y.client, y.seq, y.index);
}

bool contains(time_range r, timestamp_us ts) {
  return r.from <= ts && ts <= r.to;
}

std::string describe_entry(const entry_ref& e) {
  return "entry " + format_id(key_of(e)) + " (ts=" + std::to_string(e.ts)
         + ", source=\"" + e.source + "\")";
}

std::string describe_entry(const acked_entry& a) {
  return "entry " + format_id(a.key) + " (ts=" + std::to_string(a.ts) + ')';
}

std::string format_ranges(const std::vector<time_range>& rs) {
  if (rs.empty())
    return "(none)";
  std::string out;
  for (size_t i = 0; i < rs.size() && i < ranges_in_text_max; ++i)
    out += (i > 0 ? ", " : "") + format_range(rs[i]);
  if (rs.size() > ranges_in_text_max)
    out += " and " + std::to_string(rs.size() - ranges_in_text_max) + " more";
  return out;
}

/// Sorted, disjoint ranges covering the same timestamps as `rs`.
std::vector<time_range> merge_ranges(std::vector<time_range> rs) {
  rs.erase(std::remove_if(rs.begin(), rs.end(),
                          [](const time_range& r) { return r.from > r.to; }),
           rs.end());
  std::sort(rs.begin(), rs.end(), [](const time_range& x, const time_range& y) {
    return x.from < y.from;
  });
  std::vector<time_range> out;
  for (const auto& r : rs) {
    if (!out.empty() && r.from <= out.back().to)
      out.back().to = std::max(out.back().to, r.to);
    else
      out.push_back(r);
  }
  return out;
}

/// REQUIRES: `merged` comes from merge_ranges.
bool covered(const std::vector<time_range>& merged, timestamp_us ts) {
  auto it = std::upper_bound(merged.begin(), merged.end(), ts,
                             [](timestamp_us t, const time_range& r) {
                               return t < r.from;
                             });
  return it != merged.begin() && std::prev(it)->to >= ts;
}

/// What one ok read must be judged against.
struct read_view {
  const operation& op;
  const history_event& done;     ///< the ok completion
  time_range range;              ///< as requested by the invoke
  std::vector<time_range> missing; ///< merged; empty for a complete read
};

void check_written(const model& m, const read_view& read, const entry_ref& e,
                   const written_entry& w, report& out) {
  if (w.status == write_status::failed) {
    out.violation(property::phantom_entries, [&] {
      return describe_read(m, read.op) + " returned " + describe_entry(e)
             + ", but the only append that wrote it, "
             + describe_append(m, w.invoke, w.failure) + ", failed definitely";
    });
  } else if (w.invoke > read.op.completion) {
    out.violation(property::phantom_entries, [&] {
      return describe_read(m, read.op) + " returned " + describe_entry(e)
             + " at t=" + format_time(read.done.time) + ", before append #"
             + std::to_string(w.invoke) + " wrote it (invoked t="
             + format_time(m.at(w.invoke).time) + ')';
    });
  } else if (w.ref->ts != e.ts || w.ref->source != e.source) {
    out.violation(property::phantom_entries, [&] {
      return describe_read(m, read.op) + " returned " + describe_entry(e)
             + ", but append #" + std::to_string(w.invoke)
             + " wrote it with ts=" + std::to_string(w.ref->ts) + ", source=\""
             + w.ref->source + '"';
    });
  }
}

/// True when `w` is an entry the read must hold (acked before it began, in
/// its range, outside its missing ranges).
bool required(const read_view& read, const visible_index& vis,
              const written_entry& w) {
  return w.acked != no_event && vis.visible(w.acked)
         && contains(read.range, w.ref->ts)
         && !covered(read.missing, w.ref->ts);
}

/// Per-entry checks of one ok read. Stamps every written entry it returned
/// and returns how many of them are required().
size_t check_returned(model& m, const read_view& read, size_t stamp,
                      const visible_index& vis, report& out) {
  const auto& entries = read.done.entries;
  entry_key_set unwritten; // phantoms seen in this read (rare)
  size_t held = 0;
  size_t hint = no_event; // where the previous entry was found
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    auto dup = [&] {
      return describe_read(m, read.op) + " returned " + describe_entry(e)
             + " more than once (again at position " + std::to_string(i) + ')';
    };
    if (!contains(read.range, e.ts))
      out.violation(property::reads_in_range, [&] {
        return describe_read(m, read.op) + " returned " + describe_entry(e)
               + ", outside the range";
      });
    if (i > 0 && read_order_less(e, entries[i - 1]))
      out.violation(property::reads_sorted, [&] {
        return describe_read(m, read.op) + " is not sorted: position "
               + std::to_string(i) + " holds " + describe_entry(e)
               + ", which sorts before position " + std::to_string(i - 1)
               + "'s " + describe_entry(entries[i - 1]);
      });
    hint = m.find(key_of(e), hint);
    if (hint == no_event) {
      if (!unwritten.insert(key_of(e)).second)
        out.violation(property::duplicates, dup);
      else
        out.violation(property::phantom_entries, [&] {
          return describe_read(m, read.op) + " returned " + describe_entry(e)
                 + ", which no append wrote";
        });
      continue;
    }
    auto& w = m.written[hint];
    if (w.seen_in == stamp) {
      out.violation(property::duplicates, dup);
      continue;
    }
    w.seen_in = stamp;
    check_written(m, read, e, w, out);
    if (required(read, vis, w))
      ++held;
  }
  return held;
}

/// How many entries the read must hold: visible, in range, not missing.
size_t count_required(const read_view& read, const visible_index& vis) {
  auto total = vis.count(read.range);
  for (const auto& r : read.missing) {
    time_range cut{std::max(r.from, read.range.from),
                   std::min(r.to, read.range.to)};
    total -= vis.count(cut);
  }
  return total;
}

/// Names each required entry the read lacks (the slow path: only for reads
/// already known to lack something).
void report_lacking(const model& m, const read_view& read, size_t stamp,
                    const visible_index& vis, report& out) {
  auto [first, last] = vis.positions(read.range);
  for (auto pos = first; pos < last; ++pos) {
    const auto& a = m.acked[vis.at(pos)];
    const auto& w = m.written[a.written];
    if (!required(read, vis, w) || w.seen_in == stamp)
      continue;
    if (read.done.complete)
      out.violation(property::complete_reads_see_acked, [&] {
        return "complete " + describe_read(m, read.op) + " lacks "
               + describe_entry(a) + ", acknowledged before the read began: "
               + describe_append(m, a.invoke, a.ack);
      });
    else
      out.violation(property::reads_honest, [&] {
        return "incomplete " + describe_read(m, read.op) + " lacks "
               + describe_entry(a) + ", acknowledged before the read began ("
               + describe_append(m, a.invoke, a.ack)
               + "), outside its missing ranges "
               + format_ranges(read.done.missing);
      });
  }
}

/// The final read to judge: the last ok and complete one, else the last ok
/// one, else the last one invoked; nullptr when none was invoked.
const operation* pick_final_read(const model& m) {
  const operation* best = nullptr;
  int best_rank = -1;
  for (const auto& op : m.reads) {
    if (m.at(op.invoke).f != op_fn::final_read)
      continue;
    int rank = 0;
    if (m.ended(op, op_type::ok))
      rank = m.at(op.completion).complete ? 2 : 1;
    if (rank >= best_rank) {
      best = &op;
      best_rank = rank;
    }
  }
  return best;
}

std::string describe_failed_read(const model& m, const operation& op) {
  auto out = describe_read(m, op);
  if (op.completion == no_event)
    return out + " never completed";
  const auto& done = m.at(op.completion);
  return out + " did not succeed: " + std::string{to_string(done.type)} + " #"
         + std::to_string(op.completion) + " at t=" + format_time(done.time)
         + ": " + std::string{to_string(done.error)}
         + (done.text.empty() ? "" : " (" + done.text + ')');
}

/// Ranges a read need not hold: its missing ranges when incomplete, and
/// everything below its retention watermark (deleted on purpose).
std::vector<time_range> exempt_ranges(const history_event& done) {
  std::vector<time_range> out;
  if (!done.complete)
    out = done.missing;
  if (done.expired_before != std::numeric_limits<timestamp_us>::min())
    out.push_back({std::numeric_limits<timestamp_us>::min(),
                   done.expired_before - 1});
  return merge_ranges(std::move(out));
}

} // namespace

void check_reads(model& m, report& out) {
  visible_index vis{m.acked};
  for (const auto& op : m.reads) {
    if (!m.ended(op, op_type::ok))
      continue;
    const auto& done = m.at(op.completion);
    read_view read{op, done, m.at(op.invoke).range,
                   exempt_ranges(done)};
    vis.advance(m, m.at(op.invoke).time);
    auto stamp = op.invoke; // unique per read
    auto held = check_returned(m, read, stamp, vis, out);
    auto needed = count_required(read, vis);
    LOGSTORE_ASSERT(held <= needed);
    if (held < needed)
      report_lacking(m, read, stamp, vis, out);
  }
}

void check_lost_writes(model& m, report& out) {
  const auto* read = pick_final_read(m);
  if (read == nullptr) {
    out.violation(property::lost_acked_writes,
                  [] { return std::string{"no final read in history"}; });
    return;
  }
  if (!m.ended(*read, op_type::ok)) {
    out.violation(property::lost_acked_writes, [&] {
      return describe_failed_read(m, *read) + ", so "
             + std::to_string(m.acked.size())
             + " acked entries cannot be confirmed";
    });
    return;
  }
  // An incomplete final read is judged by what it lacks: an acknowledged
  // entry it does not hold is a violation, named as unconfirmed when it
  // lies in a range the read says it could not reach. Gaps that hold no
  // acknowledged entry (copies of appends that never got an ok) lose
  // nothing that was promised.
  const auto& done = m.at(read->completion);
  auto in_missing = [&](timestamp_us ts) {
    for (auto& r : done.missing)
      if (r.from <= ts && ts <= r.to)
        return true;
    return false;
  };
  size_t hint = no_event;
  for (const auto& e : done.entries) {
    hint = m.find(key_of(e), hint);
    if (hint != no_event)
      m.written[hint].seen_in = final_read_stamp;
  }
  for (const auto& a : m.acked)
    if (m.written[a.written].seen_in != final_read_stamp
        && m.written[a.written].ref->ts >= done.expired_before)
      out.violation(property::lost_acked_writes, [&] {
        if (in_missing(a.ts))
          return "unconfirmed write: " + describe_entry(a)
                 + " was acknowledged by " + describe_append(m, a.invoke, a.ack)
                 + " but " + describe_read(m, *read)
                 + " is incomplete and names it missing (in "
                 + format_ranges(done.missing) + ")";
        return "lost write: " + describe_entry(a) + " was acknowledged by "
               + describe_append(m, a.invoke, a.ack) + " but "
               + describe_read(m, *read) + " does not hold it";
      });
}

} // namespace logstore::checker_detail
