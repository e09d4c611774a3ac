// Checks dedup_table (src/core/master/dedup_table.hpp): a recorded (client, seq)
// is found with its latest outcome, clients are independent, and each
// client's window keeps the newest sequence numbers, evicting the smallest.
// Reference: docs/protocol.md, "append_req" (a retry is stored once).
#include "core/master/dedup_table.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

using state = dedup_table::state;

dedup_table::outcome acked(batch_id b) {
  return {state::acked, b, errc::none};
}

dedup_table::outcome in_progress() {
  return {state::in_progress, 0, errc::none};
}

} // namespace

TEST_CASE("an unknown (client, seq) is not found") {
  dedup_table table{4};
  CHECK(table.find(1, 1) == nullptr);
  CHECK(table.record(1, 1, in_progress()));
  CHECK(table.find(1, 2) == nullptr);
  CHECK(table.find(2, 1) == nullptr);
}

TEST_CASE("a recorded outcome is found and may progress") {
  dedup_table table{4};
  CHECK(table.record(7, 3, in_progress()));
  REQUIRE(table.find(7, 3) != nullptr);
  CHECK(table.find(7, 3)->st == state::in_progress);
  CHECK(table.record(7, 3, acked(42)));
  REQUIRE(table.find(7, 3) != nullptr);
  CHECK(table.find(7, 3)->st == state::acked);
  CHECK(table.find(7, 3)->batch == 42);
  CHECK(table.record(7, 4, {state::failed, 0, errc::replication_failed}));
  REQUIRE(table.find(7, 4) != nullptr);
  CHECK(table.find(7, 4)->error == errc::replication_failed);
  // Recording the same ack again (a duplicate store_ack) is harmless.
  CHECK(table.record(7, 3, acked(42)));
  CHECK(table.find(7, 3)->batch == 42);
}

TEST_CASE("the window evicts the smallest sequence numbers") {
  dedup_table table{3};
  for (sequence_nr seq : {5, 1, 3, 2})
    CHECK(table.record(9, seq, acked(seq * 10)));
  CHECK(table.find(9, 1) == nullptr);
  CHECK(table.find(9, 2) != nullptr);
  CHECK(table.find(9, 3) != nullptr);
  CHECK(table.find(9, 5) != nullptr);
  // An older seq than everything kept is evicted right away.
  CHECK(table.record(9, 0, acked(1)));
  CHECK(table.find(9, 0) == nullptr);
  CHECK(table.find(9, 2) != nullptr);
  // Overwriting a kept seq evicts nothing.
  CHECK(table.record(9, 2, acked(20)));
  CHECK(table.find(9, 2) != nullptr);
  CHECK(table.find(9, 3) != nullptr);
  CHECK(table.find(9, 5) != nullptr);
}

TEST_CASE("clients have separate windows") {
  dedup_table table{2};
  for (sequence_nr seq = 1; seq <= 10; ++seq)
    CHECK(table.record(1, seq, acked(seq)));
  CHECK(table.record(2, 1, acked(100)));
  CHECK(table.clients() == 2);
  CHECK(table.find(1, 8) == nullptr);
  CHECK(table.find(1, 9) != nullptr);
  CHECK(table.find(1, 10) != nullptr);
  REQUIRE(table.find(2, 1) != nullptr);
  CHECK(table.find(2, 1)->batch == 100);
}

TEST_CASE("an acked outcome is never replaced by another batch") {
  // Invariant 2, kept by refusing rather than asserting: the second batch
  // may come from a storage node's block report (remote input).
  dedup_table table{4};
  CHECK(table.record(3, 8, acked(10)));
  CHECK_FALSE(table.may_record(3, 8, acked(11)));
  CHECK_FALSE(table.record(3, 8, acked(11)));
  CHECK_FALSE(table.record(3, 8, {state::failed, 0, errc::in_doubt}));
  CHECK_FALSE(table.record(3, 8, in_progress()));
  REQUIRE(table.find(3, 8) != nullptr);
  CHECK(table.find(3, 8)->batch == 10);
  // A failure that was in doubt may become an ack (the earlier attempt's
  // batch turned up after a master restart).
  CHECK(table.record(3, 9, {state::failed, 0, errc::in_doubt}));
  CHECK(table.record(3, 9, acked(12)));
  CHECK(table.find(3, 9)->batch == 12);
}
