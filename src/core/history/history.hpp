// logstore — the recorded history of client operations (Jepsen/Knossos shape).
// Layer: core. Written by clients in the simulator and in the real cluster
// alike; read back by the checker and by `logstore check`.
// Format: docs/history.md (one JSON object per line).
//
// Invariants:
//  1. events are in recording order; `index` equals the position.
//  2. every completion (ok/fail/info) follows an invoke of the same process
//     and the same f, and each process has at most one operation open.
//  3. time never decreases.
#pragma once

#include "core/base/errors.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace logstore {

enum class op_type : uint8_t { invoke, ok, fail, info };
enum class op_fn : uint8_t { append, read, final_read, nemesis };

std::string_view to_string(op_type x);
std::string_view to_string(op_fn x);

/// One entry's identity and key, as written or as read.
struct entry_ref {
  client_id client = 0;
  sequence_nr seq = 0;
  uint32_t index = 0;
  timestamp_us ts = 0;
  std::string source;
};

inline bool operator==(const entry_ref& x, const entry_ref& y) {
  return x.client == y.client && x.seq == y.seq && x.index == y.index
         && x.ts == y.ts && x.source == y.source;
}

struct history_event {
  uint64_t index = 0;
  time_us time = 0;     ///< virtual (sim) or monotonic (real) microseconds
  uint64_t process = 0; ///< logical client; renumbered after an info
  op_type type = op_type::invoke;
  op_fn f = op_fn::append;
  // append: the batch written (on invoke and completion)
  client_id client = 0;
  sequence_nr seq = 0;
  std::vector<entry_ref> entries; ///< append: written; read ok: returned
  batch_id batch = 0;             ///< append ok
  // read / final_read
  time_range range;
  bool complete = true;             ///< read ok
  std::vector<time_range> missing;  ///< read ok, when incomplete
  /// read ok: entries with ts below this were deleted by retention (so the
  /// checker does not expect them). min() = nothing expired.
  timestamp_us expired_before = std::numeric_limits<timestamp_us>::min();
  // failures
  errc error = errc::none;
  std::string text; ///< error text, or the nemesis event's description
  std::string node; ///< serving node (e.g. "master")
};

class history {
public:
  const std::vector<history_event>& events() const {
    return events_;
  }

  /// Appends an event, assigning its index. Returns the index.
  uint64_t add(history_event ev);

  size_t size() const {
    return events_.size();
  }

  /// Room for `n` events (an estimate: the vector still grows beyond it).
  void reserve(size_t n) {
    events_.reserve(n);
  }

  /// Writes one JSON object per line, keys in a fixed order.
  void write_jsonl(std::ostream& out) const;
  /// The same bytes, handed to `sink` in chunks of about 64 KiB (hashing
  /// the history needs no copy of it).
  void write_jsonl(const std::function<void(std::string_view)>& sink) const;

  /// Writes one event as a JSON line (no newline).
  static void write_event(std::ostream& out, const history_event& ev);

  /// Parses JSON lines. On error returns false and sets `err` to
  /// "line N: what is wrong".
  static bool read_jsonl(std::istream& in, history& out, std::string& err);

private:
  std::vector<history_event> events_;
};

} // namespace logstore
