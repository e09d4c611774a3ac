// Reference: src/core/storage/entry_store.hpp (invariants 1-3). Checks that put is
// idempotent, that slice returns exactly the entries with from <= ts <= to
// (inclusive, equal timestamps kept together), the bytes() accounting via
// entry_bytes, node-local range queries, erase, and ids() in ascending order.
#include "core/storage/entry_store.hpp"
#include "core/base/frame.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace logstore;

namespace {

using ids = std::vector<batch_id>;

// A batch of entries at the given timestamps, in read order.
std::vector<stored_entry> make_entries(std::vector<timestamp_us> stamps,
                                       sequence_nr seq) {
  std::vector<stored_entry> xs;
  uint32_t index = 0;
  for (auto ts : stamps)
    xs.push_back({ts, "src", "payload", 1, seq, index++});
  std::sort(xs.begin(), xs.end(), read_order_less);
  return xs;
}

std::vector<timestamp_us> stamps_of(const std::vector<stored_entry>& xs) {
  std::vector<timestamp_us> result;
  for (const auto& x : xs)
    result.push_back(x.ts);
  return result;
}

using stamps = std::vector<timestamp_us>;

} // namespace

TEST_CASE("put stores once; a duplicate changes nothing") {
  entry_store store;
  auto xs = make_entries({10, 20, 30}, 1);
  CHECK(store.put(7, 10, 30, xs) == entry_store::put_result::stored);
  CHECK(store.contains(7));
  CHECK(store.batches() == 1);
  CHECK(store.bytes() == 3 * (3 + 7)); // "src" + "payload"
  auto other = make_entries({10, 15, 30}, 2);
  CHECK(store.put(7, 10, 30, other) == entry_store::put_result::duplicate);
  CHECK(store.batches() == 1);
  CHECK(store.bytes() == 30);
  std::vector<stored_entry> out;
  REQUIRE(store.slice(7, {0, 100}, out) == entry_store::read_result::ok);
  CHECK(out == xs); // the first copy, not the duplicate
}

TEST_CASE("bytes counts source plus payload of every entry") {
  entry_store store;
  std::vector<stored_entry> xs{{5, "ab", "12345", 1, 1, 0},
                               {6, "abc", "", 1, 1, 1}};
  store.put(1, 5, 6, xs);
  CHECK(store.bytes() == entry_bytes(xs[0]) + entry_bytes(xs[1]));
  CHECK(store.bytes() == 10);
}

TEST_CASE("slice is inclusive at both ends and appends to out") {
  entry_store store;
  store.put(1, 10, 50, make_entries({10, 20, 20, 20, 30, 40, 50}, 1));
  std::vector<stored_entry> out;
  REQUIRE(store.slice(1, {20, 40}, out) == entry_store::read_result::ok);
  CHECK(stamps_of(out) == stamps{20, 20, 20, 30, 40});
  REQUIRE(store.slice(1, {0, 10}, out) == entry_store::read_result::ok);
  CHECK(stamps_of(out) == stamps{20, 20, 20, 30, 40, 10});
  out.clear();
  REQUIRE(store.slice(1, {21, 29}, out) == entry_store::read_result::ok);
  CHECK(out.empty());
  REQUIRE(store.slice(1, {51, 99}, out) == entry_store::read_result::ok);
  CHECK(out.empty());
  // reversed: nothing
  REQUIRE(store.slice(1, {45, 44}, out) == entry_store::read_result::ok);
  CHECK(out.empty());
  REQUIRE(store.slice(1, {50, 50}, out) == entry_store::read_result::ok);
  CHECK(stamps_of(out) == stamps{50});
}

TEST_CASE("slice of a batch not held says not_found") {
  entry_store store;
  std::vector<stored_entry> out;
  CHECK(store.slice(3, {0, 100}, out) == entry_store::read_result::not_found);
  CHECK(out.empty());
}

TEST_CASE("overlapping finds held batches by time") {
  entry_store store;
  store.put(1, 0, 10, make_entries({0, 10}, 1));
  store.put(2, 5, 25, make_entries({5, 25}, 2));
  store.put(3, 30, 40, make_entries({30, 40}, 3));
  CHECK(store.overlapping({8, 12}) == ids{1, 2});
  CHECK(store.overlapping({26, 29}).empty());
  CHECK(store.overlapping({40, 40}) == ids{3});
}

TEST_CASE("erase forgets the batch, its bytes and its time range") {
  entry_store store;
  store.put(1, 0, 10, make_entries({0, 10}, 1));
  store.put(2, 5, 25, make_entries({5, 15, 25}, 2));
  auto before = store.bytes();
  CHECK(store.erase(2));
  CHECK_FALSE(store.erase(2));
  CHECK_FALSE(store.contains(2));
  CHECK(store.batches() == 1);
  CHECK(store.bytes() == before - 3 * 10);
  CHECK(store.overlapping({12, 30}).empty());
  // Erased, it may be stored again (e.g. re-replicated).
  CHECK(store.put(2, 5, 25, make_entries({5, 25}, 2))
        == entry_store::put_result::stored);
}

TEST_CASE("ids lists held batches in ascending order") {
  entry_store store;
  for (batch_id id : {42, 7, 19, 3, 100})
    store.put(id, 1, 1, make_entries({1}, id));
  store.erase(19);
  CHECK(store.ids() == ids{3, 7, 42, 100});
  CHECK(entry_store{}.ids().empty());
}

TEST_CASE("frames: a damaged frame is refused on arrival; a copy damaged in "
          "memory is never served, dropped and reported") {
  entry_store store;
  auto xs = make_entries({10, 20, 30}, 4);
  std::string frame;
  encode_batch_frame(5, 1, 4, 10, 30, xs, frame);
  auto bad = frame;
  bad[bad.size() - 3] ^= 0x40; // a flipped bit in the last entry
  CHECK(store.put_frame(bad) == entry_store::put_result::corrupt);
  CHECK_FALSE(store.contains(5));
  CHECK(store.put_frame(std::string{frame.data(), frame.size() - 1})
        == entry_store::put_result::corrupt); // short
  REQUIRE(store.put_frame(frame) == entry_store::put_result::stored);
  // Stored as received: the same bytes come back.
  std::string back;
  REQUIRE(store.frame(5, back) == entry_store::read_result::ok);
  CHECK(back == frame);
  batch_info info;
  REQUIRE(store.info(5, info));
  CHECK(info.entries == 3);
  CHECK(info.client == 1);
  CHECK(info.seq == 4);
  CHECK(info.bytes == store.bytes());
  // Damage in memory (a bad DIMM, a stray write): caught by the next read.
  (*store.bytes_of(5))[70] ^= 0x01;
  std::vector<stored_entry> out;
  CHECK(store.slice(5, {0, 100}, out) == entry_store::read_result::corrupt);
  CHECK(out.empty());
  CHECK_FALSE(store.contains(5));
  CHECK(store.bytes() == 0);
  CHECK(store.take_corruptions() == ids{5});
  CHECK(store.take_corruptions().empty());
}
