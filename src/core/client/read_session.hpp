// logstore — one read as a client runs it: the master's plan in, fetches
// to the storage nodes out, a merged and honest read_result at the end.
// Layer: core/client (no CAF, no clock). The simulator's workload client
// and `logstore read` drive it through actors/direct_read.hpp:
//
//   read_plan_req --> master --> read_plan_reply --> read_session(window, plan)
//                                                        | invalid: error()
//                                                        v
//   start() --> fetches (node, fetch_req) --> storage nodes
//      ^                                          |
//      +--- on_result(id, fetch_result: frames, CRC-checked, then decoded)
//           / on_failure(id): fallbacks
//                                                 v
//   done() --> finish(): entries merged in read order, each identity once;
//              complete only if every planned batch was read and no member
//              was unreported; missing names the rest; hints(): copies
//              nodes said they lack (for the master's missing_copies check)
//
// The plan is network input: it is checked in the constructor, never
// asserted on.
#pragma once

#include "core/base/messages.hpp"
#include "core/client/read_plan.hpp"
#include "core/client/span_reads.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace logstore {

class read_session {
public:
  /// One fetch_req to send to `node` (at `address`), named `id`.
  struct fetch_to {
    uint64_t id = 0;
    node_name node;
    std::string address;
    fetch_req req;
  };

  read_session(time_range window, read_plan_reply plan);

  /// Empty when the plan is usable; otherwise what is wrong with it.
  const std::string& error() const {
    return error_;
  }

  std::vector<fetch_to> start();
  /// As start(), after plan node `node` answered a prefetch (a fetch_req
  /// with scan_max, sent before the plan came): its frames of planned
  /// batches it holds count as fetched (read_plan::start). A node the plan
  /// does not name contributes nothing.
  std::vector<fetch_to> start(const node_name& node, fetch_result& prefetched);
  /// As start(), after a prefetch to plan node `node` failed or timed out:
  /// it counts as a failed fetch of every batch the plan lists there
  /// (read_plan::start_without).
  std::vector<fetch_to> start_without(const node_name& node);
  /// The plan lists `node` as a replica of some batch: a prefetch from it
  /// is worth waiting for.
  bool lists(const node_name& node) const;
  /// After start(): the plan node given most batches, where the next
  /// read's prefetch may go (null: none).
  const plan_node* preferred() const;
  std::vector<fetch_to> on_result(uint64_t id, fetch_result& result);
  std::vector<fetch_to> on_failure(uint64_t id);
  bool done() const;

  /// REQUIRES: error() empty, done(). Called once.
  read_result finish();

  /// Copies that nodes answered not_found for, one hint per node.
  std::vector<missing_copies> hints() const;

  /// How long to wait for one fetch_result (from the plan; at least 1 ms).
  time_us fetch_timeout() const;
  uint64_t epoch() const {
    return plan_.epoch;
  }
  size_t batches() const {
    return plan_.batches.size();
  }
  /// Fetched frames that failed verification (never merged).
  uint64_t corrupt_frames() const {
    return corrupt_frames_;
  }
  /// Largest frame a reader decodes (a storage node's default limit).
  static constexpr uint32_t frame_bytes_max = uint32_t{16} << 20;

private:
  std::vector<fetch_to> to_send(read_plan::groups groups);
  /// The first round's fetches, with the open spans attached (riding on
  /// planned fetches where they can, span-only fetches otherwise).
  std::vector<fetch_to> first_round(read_plan::groups groups);
  void add_span_fetches(std::map<node_number, std::vector<id_span>> spans,
                        std::vector<fetch_to>& out);
  std::vector<batch_slice> decode_slices(fetch_result& result);
  std::optional<node_number> node_index(const node_name& node) const;

  time_range window_;
  read_plan_reply plan_;
  std::string error_;
  std::unique_ptr<read_plan> reads_;
  /// Open placements (direct writes) the plan names; empty: none.
  std::optional<span_reads> spans_;
  std::map<node_number, std::vector<batch_id>> not_found_;
  bool finished_ = false;
  uint64_t corrupt_frames_ = 0;
};

/// Why `plan` cannot be used for a read of `window` ("" = it can): a batch
/// outside the window or inverted, a batch id twice, a replica index past
/// the node table, more replicas than replicas_max, too many nodes.
std::string check_read_plan(const read_plan_reply& plan, time_range window);

} // namespace logstore
