// Reference: src/core/storage/segment_store.hpp (API mirroring entry_store,
// invariants 1-4, space rule). The engine on sim_disk without crashes:
// put/slice/erase parity with entry_store, segment rolling, range reads
// that skip segments, tombstones, space reclamation, full disk, failed
// fsync. Crash recovery is in segment_recovery_test.cpp.
#include "core/storage/segment_store.hpp"

#include "core/base/frame.hpp"
#include "core/storage/sim_disk.hpp"
#include "segment_test_util.hpp"

#include <doctest/doctest.h>

using namespace logstore;
using namespace logstore::test;
using put_result = segment_store::put_result;
using read_result = segment_store::read_result;

TEST_CASE("put, contains, slice, overlapping, ids, bytes") {
  sim_disk d{prng{1}};
  segment_store store{d, {}};
  CHECK(store.recover().issues.empty());
  model m;
  CHECK(m.put(store, 7, make_batch(7, 10, 3)) == put_result::stored);
  CHECK(m.put(store, 3, make_batch(3, 100, 2)) == put_result::stored);
  CHECK(store.put(7, 10, 12, make_batch(7, 10, 3)) == put_result::duplicate);
  CHECK(store.contains(7));
  CHECK_FALSE(store.contains(8));
  CHECK(store.batches() == 2);
  CHECK(store.bytes() == 5 * (5 + 20)); // "src-N" + 20-byte payload
  CHECK(store.ids() == std::vector<batch_id>{3, 7});
  CHECK(store.overlapping({11, 11}) == std::vector<batch_id>{7});
  CHECK(store.overlapping({12, 100}) == std::vector<batch_id>{7, 3});
  std::vector<stored_entry> out;
  REQUIRE(store.slice(7, {11, 12}, out) == read_result::ok);
  CHECK(out == std::vector<stored_entry>(m.batches[7].begin() + 1,
                                         m.batches[7].end()));
  out.clear();
  CHECK(store.slice(7, {20, 10}, out) == read_result::ok); // empty range
  CHECK(out.empty());
  CHECK(store.slice(99, {0, 100}, out) == read_result::not_found);
  check_served_batches_match(store, m);
}

TEST_CASE("entries must agree on (client, seq); frames have a size cap") {
  sim_disk d{prng{1}};
  auto opts = small_segments(1 << 20);
  opts.frame_bytes_max = 4096;
  segment_store store{d, opts};
  store.recover();
  auto xs = make_batch(1, 0, 2);
  xs[1].seq += 1;
  CHECK(store.put(1, 0, 1, xs) == put_result::invalid);
  auto big = make_batch(2, 0, 10, 1000);
  CHECK(store.put(2, 0, 9, big) == put_result::too_large);
  CHECK(store.batches() == 0);
  CHECK(d.used_bytes() == 0);
}

TEST_CASE("put_frame verifies a frame from the network and stores exactly "
          "its bytes; frame() reads them back verified") {
  sim_disk d{prng{1}};
  segment_store store{d, {}};
  store.recover();
  auto xs = make_batch(4, 10, 3);
  std::string frame;
  encode_batch_frame(4, xs.front().client, xs.front().seq, xs.front().ts,
                     xs.back().ts, xs, frame);
  auto bad = frame;
  bad[frame_header_bytes + 2] ^= 0x10; // a flipped bit in the first entry
  CHECK(store.put_frame(bad) == put_result::corrupt);
  CHECK(store.put_frame(std::string_view{frame}.substr(0, 70))
        == put_result::corrupt); // short
  CHECK(d.used_bytes() == 0);      // nothing written for either
  REQUIRE(store.put_frame(frame) == put_result::stored);
  CHECK(store.put_frame(frame) == put_result::duplicate);
  CHECK(d.used_bytes() == frame.size());
  std::string back;
  REQUIRE(store.frame(4, back) == read_result::ok);
  CHECK(back == frame);
  CHECK(store.overlaps(4, {12, 50}));
  CHECK_FALSE(store.overlaps(4, {13, 50}));
  CHECK(store.frame(5, back) == read_result::not_found);
}

TEST_CASE("segments roll at the size limit and sealed ones are synced") {
  sim_disk d{prng{1}};
  segment_store store{d, small_segments(1000)};
  store.recover();
  model m;
  for (batch_id id = 1; id <= 20; ++id)
    m.put(store, id, make_batch(id, static_cast<timestamp_us>(id) * 10));
  auto segs = store.segments();
  REQUIRE(segs.size() > 3);
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    CHECK(segs[i].bytes <= 1000);
    CHECK_FALSE(segs[i].active);
    CHECK(d.synced_bytes(segs[i].file) == segs[i].bytes); // sealed = synced
  }
  CHECK(segs.back().active);
  CHECK(segs.front().file == "seg-000001.log");
  check_served_batches_match(store, m);
}

TEST_CASE("a range read touches only the segments that overlap it") {
  sim_disk d{prng{1}};
  segment_store store{d, small_segments(600)};
  store.recover();
  model m;
  // Time advances with the id, so segments hold disjoint time ranges.
  for (batch_id id = 1; id <= 30; ++id)
    m.put(store, id, make_batch(id, static_cast<timestamp_us>(id) * 100));
  auto segs = store.segments();
  REQUIRE(segs.size() >= 5);
  for (size_t i = 0; i + 1 < segs.size(); ++i)
    CHECK(segs[i].max_ts < segs[i + 1].min_ts);
  time_range r{segs[2].min_ts, segs[2].max_ts};
  std::vector<stored_entry> out;
  for (auto id : store.overlapping(r))
    REQUIRE(store.slice(id, r, out) == read_result::ok);
  CHECK_FALSE(out.empty());
  for (size_t i = 0; i < segs.size(); ++i)
    CHECK((d.read_count(segs[i].file) > 0) == (i == 2));
}

TEST_CASE("erase writes a tombstone that survives recovery") {
  sim_disk d{prng{1}};
  model m;
  {
    segment_store store{d, {}};
    store.recover();
    for (batch_id id = 1; id <= 5; ++id)
      m.put(store, id, make_batch(id, 0));
    auto r = store.erase(2);
    CHECK(r.erased);
    CHECK(r.tombstone == disk_status::ok);
    CHECK_FALSE(store.erase(2).erased);
    CHECK_FALSE(store.contains(2));
    CHECK(store.overlapping({0, 10}) == std::vector<batch_id>{1, 3, 4, 5});
    // Written again after its tombstone: live again (R7).
    m.put(store, 2, make_batch(2, 0));
    CHECK(store.erase(4).erased);
    CHECK(store.sync() == disk_status::ok);
  }
  d.crash(crash_mode::lose_unsynced);
  segment_store again{d, {}};
  auto report = again.recover();
  CHECK(report.issues.empty());
  CHECK(again.ids() == std::vector<batch_id>{1, 2, 3, 5});
  m.batches.erase(4);
  check_served_batches_match(again, m);
}

TEST_CASE("a segment with no live batch is removed, unless its tombstones "
          "still matter") {
  sim_disk d{prng{1}};
  segment_store store{d, small_segments(400)};
  store.recover();
  model m;
  for (batch_id id = 1; id <= 12; ++id)
    m.put(store, id, make_batch(id, static_cast<timestamp_us>(id)));
  auto before = store.segments();
  REQUIRE(before.size() >= 4);
  // Delete everything in the first segment: it disappears.
  auto first_ids = std::vector<batch_id>{};
  for (auto id : store.ids())
    if (id <= 2)
      first_ids.push_back(id);
  for (auto id : first_ids)
    store.erase(id);
  auto after = store.segments();
  CHECK(after.front().file != before.front().file);
  std::vector<std::string> names;
  d.list(names);
  CHECK(std::find(names.begin(), names.end(), before.front().file)
        == names.end());
  CHECK(store.sync() == disk_status::ok);
  d.crash(crash_mode::lose_unsynced);
  segment_store again{d, small_segments(400)};
  again.recover();
  for (auto id : first_ids) {
    CHECK_FALSE(again.contains(id));
    m.batches.erase(id);
  }
  check_served_batches_match(again, m);
  CHECK(again.batches() == m.batches.size());
}

TEST_CASE("a full disk refuses writes with no_space and keeps serving "
          "reads") {
  sim_disk d{prng{1}};
  segment_store store{d, {}};
  store.recover();
  model m;
  for (batch_id id = 1; id <= 3; ++id)
    m.put(store, id, make_batch(id, 0));
  REQUIRE(store.sync() == disk_status::ok);
  d.set_capacity_bytes(d.used_bytes() + 100); // room for less than a frame
  CHECK(m.put(store, 4, make_batch(4, 0)) == put_result::no_space);
  CHECK_FALSE(store.contains(4));
  CHECK_FALSE(store.failed());
  CHECK(store.unsynced_bytes() == 0);
  // The partial frame was cut off again: the file holds whole frames.
  CHECK(d.used_bytes() == d.synced_bytes(store.segments().back().file));
  check_served_batches_match(store, m);
  CHECK(store.sync() == disk_status::ok);
  // Space comes back: writes resume where they left off.
  d.set_capacity_bytes(UINT64_MAX);
  CHECK(m.put(store, 4, make_batch(4, 0)) == put_result::stored);
  CHECK(store.sync() == disk_status::ok);
  d.crash(crash_mode::torn_prefix);
  segment_store again{d, {}};
  CHECK(again.recover().issues.empty());
  CHECK(again.ids() == std::vector<batch_id>{1, 2, 3, 4});
  check_served_batches_match(again, m);
}

TEST_CASE("a failed fsync stops writes; reads go on; restart recovers") {
  sim_disk d{prng{1}};
  model m;
  {
    segment_store store{d, {}};
    store.recover();
    m.put(store, 1, make_batch(1, 0));
    REQUIRE(store.sync() == disk_status::ok);
    m.put(store, 2, make_batch(2, 0));
    d.set_fail_sync(true);
    CHECK(store.sync() == disk_status::io_error);
    CHECK(store.failed());
    CHECK(store.put(3, 0, 2, make_batch(3, 0)) == put_result::io_error);
    CHECK(store.sync() == disk_status::io_error);
    std::vector<stored_entry> out;
    CHECK(read_all(store, 1, out) == read_result::ok);
  }
  d.set_fail_sync(false);
  d.crash(crash_mode::lose_unsynced);
  segment_store again{d, {}};
  again.recover();
  CHECK(again.ids() == std::vector<batch_id>{1});
  CHECK(again.put(3, 0, 2, make_batch(3, 0)) == put_result::stored);
}

TEST_CASE("slow fsync is a value the caller reads") {
  sim_disk d{prng{1}};
  CHECK(d.sync_latency_us() == 0);
  d.set_sync_latency_us(250'000);
  CHECK(d.sync_latency_us() == 250'000);
}
