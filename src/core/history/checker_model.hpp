// logstore — the checker's view of a history: operations, written entries,
// acknowledged entries, and the per-property violation report.
// Layer: core. Internal to checker*.cpp; not part of the public API (use
// checker.hpp). Standard library only.
//
// Invariants (after build_model):
//  1. appends and reads are in invoke order; each completion index is either
//     no_event or greater than its invoke index, with the same process and f.
//  2. acked is in acknowledgement order (history index of the ok, hence
//     nondecreasing time) and names each entry at most once.
//  3. every acked entry has a `written` record with status acked, and
//     written[acked[i].written].acked == i.
//  4. table maps each written[i].key to i.
#pragma once

#include "core/history/checker.hpp"
#include "core/history/history.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace logstore::checker_detail {

/// Marks "no such history event" (e.g. an operation that never completed).
constexpr size_t no_event = SIZE_MAX;

/// An entry's identity: (client, seq, index).
struct entry_key {
  client_id client = 0;
  sequence_nr seq = 0;
  uint32_t index = 0;
};

inline bool operator==(const entry_key& x, const entry_key& y) {
  return x.client == y.client && x.seq == y.seq && x.index == y.index;
}

inline entry_key key_of(const entry_ref& e) {
  return {e.client, e.seq, e.index};
}

struct entry_key_hash {
  size_t operator()(const entry_key& k) const noexcept;
};

using entry_key_set = std::unordered_set<entry_key, entry_key_hash>;

struct written_entry;

/// Open-addressing index from entry_key to a position in a vector of
/// written_entry (which carry their keys): linear probing, power-of-two
/// capacity, load at most 1/2. Each slot holds a 32-bit fingerprint and the
/// position, so a lookup touches one slot and then the record itself.
/// (std::unordered_map spent most of the checker's time in node chasing.)
class entry_table {
public:
  /// Position of `k` in `records`, or no_event.
  size_t find(const entry_key& k,
              const std::vector<written_entry>& records) const;

  /// REQUIRES: `k` is absent and records[pos] has key `k`.
  void insert(const entry_key& k, size_t pos,
              const std::vector<written_entry>& records);

  /// Makes room for `n` keys without rehashing.
  void reserve(size_t n, const std::vector<written_entry>& records);

private:
  struct slot {
    uint32_t fingerprint = 0; ///< 0: empty
    uint32_t pos = 0;
  };

  void rebuild(size_t capacity, const std::vector<written_entry>& records);

  std::vector<slot> slots_;
  size_t size_ = 0;
};

/// An invoke paired with its completion (ok, fail or info), if any.
struct operation {
  size_t invoke = 0;
  size_t completion = no_event;
};

/// What the appends that wrote an entry tell us, best outcome first.
enum class write_status : uint8_t { acked, unknown, failed };

/// Everything known about one written entry, over all appends naming it.
struct written_entry {
  entry_key key;
  const entry_ref* ref = nullptr; ///< as the first append wrote it
  size_t invoke = no_event;       ///< the first append's invoke
  write_status status = write_status::failed;
  size_t ack = no_event;        ///< earliest ok completion among its appends
  size_t ack_invoke = no_event; ///< that append's invoke
  size_t failure = no_event;    ///< a definite failure (for messages)
  size_t acked = no_event;      ///< position in model::acked, if acked
  /// Scratch for the read checks: a stamp naming the read that last
  /// returned this entry (finds duplicates and lacking entries in O(1)).
  size_t seen_in = no_event;
};

/// An entry of an ok append, with its acknowledgement.
struct acked_entry {
  entry_key key;
  timestamp_us ts = 0;         ///< as written
  size_t ack = 0;              ///< history index of the ok completion
  size_t invoke = 0;           ///< history index of the append's invoke
  size_t written = 0;          ///< its position in model::written
};

struct model {
  explicit model(const std::vector<history_event>& history_events)
    : events(history_events) {
    // nop
  }

  const std::vector<history_event>& events;
  std::vector<operation> appends;
  std::vector<operation> reads; ///< op_fn::read and op_fn::final_read
  /// One record per distinct entry id, in first-written order, so a
  /// batch's entries are adjacent.
  std::vector<written_entry> written;
  entry_table table; ///< entry_key -> position in `written`
  std::vector<acked_entry> acked;

  const history_event& at(size_t i) const {
    return events[i];
  }

  /// Position of `k` in `written`, or no_event. `hint` is where the previous
  /// lookup landed: reads return a batch's entries one after the other, so
  /// `hint + 1` usually matches without hashing.
  size_t find(const entry_key& k, size_t hint = no_event) const;

  /// True when `op` completed with `type`.
  bool ended(const operation& op, op_type type) const {
    return op.completion != no_event && events[op.completion].type == type;
  }
};

/// Pairs invokes with completions and indexes every written entry.
/// Never asserts on the history's content: malformed histories (orphan
/// completions, two invokes on one process) are tolerated.
model build_model(const history& h);

/// Property slots, in all_properties() order.
enum class property : uint8_t {
  lost_acked_writes,
  phantom_entries,
  duplicates,
  reads_sorted,
  reads_in_range,
  complete_reads_see_acked,
  reads_honest,
};

/// Counts every violation; keeps the first `examples_max` texts.
class report {
public:
  report(check_result& result, size_t examples_max);

  template <class MakeText>
  void violation(property p, MakeText&& make_text) {
    auto& r = result_.properties[static_cast<size_t>(p)];
    r.held = false;
    ++r.violations;
    if (r.examples.size() < examples_max_)
      r.examples.push_back(make_text());
  }

private:
  check_result& result_;
  size_t examples_max_;
};

// -- texts for violation examples ---------------------------------------------

/// Seconds with three decimals, e.g. "3.200s" (truncated to the ms).
std::string format_time(time_us t);

/// "client:seq:index", e.g. "3:17:4".
std::string format_id(const entry_key& k);

/// "[from, to]".
std::string format_range(const time_range& r);

/// E.g. "read #40 of [100, 200] (invoked t=3.200s)"; "final read #..." for
/// final reads.
std::string describe_read(const model& m, const operation& op);

/// E.g. "append #30 (ok #35 at t=3.100s)"; for any completion type.
std::string describe_append(const model& m, size_t invoke, size_t completion);

// -- the checks (checker_reads.cpp) -------------------------------------------

/// Every ok read: phantoms, duplicates, order, range, and the acked entries
/// it must hold (complete-reads-see-acked, reads-honest). Uses the
/// written_entry::seen_in scratch stamps.
void check_reads(model& m, report& out);

/// no-lost-acked-writes: the final read holds every acked entry. Uses the
/// written_entry::seen_in scratch stamps.
void check_lost_writes(model& m, report& out);

} // namespace logstore::checker_detail
