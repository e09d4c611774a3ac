// logstore — the open placements of one read (direct writes): which nodes
// are asked for the batches of each open span, and what they sent.
// Layer: core/client. Pure, driven by read_session.hpp:
//
//   start(busy) --> each span to `need` of its replicas (nodes that get a
//                   planned fetch anyway first: the span rides along)
//   on_result(fetch, node, slices) --> the span counts that node as
//                   answered; slices of unplanned batches in the span kept
//   on_failure(fetch, node) --> the span goes to another replica not tried,
//                   if any; else it cannot reach `need` answers
//   satisfied() --> every span had `need` answers: every batch acknowledged
//                   in it and not committed is among the slices kept
//
// An acknowledged batch of an open placement is on write_quorum of its
// replicas, so any `need` = replicas - write_quorum + 1 of them hold it
// (docs/protocol.md, "Direct writes"). A span that cannot be satisfied
// makes the read incomplete over the whole window: its batches may lie
// anywhere in time.
#pragma once

#include "core/base/messages.hpp"
#include "core/base/replica_list.hpp"
#include "core/base/types.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

namespace logstore {

class span_reads {
public:
  /// Fetch ids of span-only fetches start here (read_plan's count from 1).
  static constexpr uint64_t fetch_id_base = uint64_t{1} << 62;

  /// `spans` index `nodes` of a plan with `nodes` entries (checked by
  /// check_read_plan); `planned` are the plan's batch ids (their slices are
  /// read_plan's, never kept here).
  span_reads(time_range window, const std::vector<open_span>& spans,
             std::vector<batch_id> planned);

  /// Spans per node for the first round: nodes in `busy` get theirs on the
  /// fetch they get anyway (with_fetch), the others a span-only fetch.
  std::map<node_number, std::vector<id_span>> start(
    const std::set<node_number>& busy);

  /// Fetch `fetch` to `node` carries `spans` (from start() or a fallback).
  void carried(uint64_t fetch, node_number node, std::vector<id_span> spans);

  /// A new id for a span-only fetch.
  uint64_t next_fetch() {
    return next_fetch_++;
  }

  /// Fetch `fetch` was answered: the slices of batches in its spans that
  /// the plan does not list are kept (once per batch). `intact`: every
  /// frame of the answer passed verification. An answer with a damaged
  /// frame, a span batch in `not_found` (the node's copy failed its
  /// checksum), or a slice outside the window or unsorted, does not count:
  /// its spans go to other replicas (in `again`). Returns false when the
  /// fetch carried no span.
  bool on_result(uint64_t fetch, std::vector<batch_slice>& slices,
                 const std::vector<batch_id>& not_found, bool intact,
                 std::map<node_number, std::vector<id_span>>& again);
  /// Fetch `fetch` failed: its spans go to other replicas. Returns the
  /// span-only fetches to send (node -> spans).
  std::map<node_number, std::vector<id_span>> on_failure(uint64_t fetch);

  bool carries(uint64_t fetch) const {
    return fetches_.count(fetch) > 0;
  }
  /// No fetch carrying a span is outstanding.
  bool done() const {
    return fetches_.empty();
  }
  /// Every span had `need` distinct nodes answer.
  bool satisfied() const;
  /// The kept slices' entries, one vector per batch.
  std::vector<std::vector<stored_entry>> take_entries();

private:
  struct span_state {
    open_span span;
    std::set<node_number> answered;
    std::set<node_number> tried;
    uint32_t pending = 0; ///< fetches in flight carrying it
  };
  /// Gives span `s` to its next untried replica (fewest spans given first);
  /// false when none is left.
  bool assign(size_t s, std::map<node_number, std::vector<id_span>>& out);

  time_range window_;
  std::vector<span_state> spans_;
  std::unordered_map<batch_id, bool> planned_;
  struct in_flight {
    node_number node = 0;
    std::vector<size_t> spans;
  };
  std::map<uint64_t, in_flight> fetches_;
  std::map<batch_id, std::vector<stored_entry>> kept_;
  uint64_t next_fetch_ = fetch_id_base;
};

} // namespace logstore
