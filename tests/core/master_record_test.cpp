// Checks the master's durable record (src/core/master/master_record.hpp): what a
// restarted master must not forget survives an encode/decode round trip,
// version 1 files still load, and a damaged file is refused with the line
// that is wrong, never asserted on.
// Reference: docs/storage.md, "The master's record"; docs/protocol.md,
// "Master restart".
#include "core/master/master_record.hpp"
#include "core/storage/sim_disk.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

master_record sample() {
  master_record rec;
  rec.epoch = 7;
  rec.reserved_until = 30'001;
  rec.expired_before = 1'700'000'000'123'456;
  rec.members.push_back({"storage-1", "10.0.0.5:7001", "a", 0xABCDEF, false,
                         false});
  rec.members.push_back({"storage-2", "10.0.0.6:7001", "", 42, true, true});
  rec.failed = {3, 17};
  return rec;
}

} // namespace

TEST_CASE("the record survives a round trip") {
  auto rec = sample();
  master_record back;
  std::string err;
  REQUIRE(master_record::decode(rec.encode(), back, err));
  CHECK(back.epoch == 7);
  CHECK(back.reserved_until == 30'001);
  CHECK(back.expired_before == 1'700'000'000'123'456);
  REQUIRE(back.members.size() == 2);
  CHECK(back.members[0].incarnation == 0xABCDEF);
  CHECK_FALSE(back.members[0].draining);
  CHECK_FALSE(back.members[0].redundant);
  CHECK(back.members[1].zone.empty());
  CHECK(back.members[1].draining);
  CHECK(back.members[1].redundant);
  CHECK(back.failed == std::vector<batch_id>{3, 17});
}

TEST_CASE("no watermark and a negative watermark both survive") {
  master_record rec;
  master_record back;
  std::string err;
  REQUIRE(master_record::decode(rec.encode(), back, err));
  CHECK(back.expired_before == INT64_MIN);
  rec.expired_before = -5;
  REQUIRE(master_record::decode(rec.encode(), back, err));
  CHECK(back.expired_before == -5);
}

TEST_CASE("a version 1 record loads without watermark or incarnations") {
  std::string v1 = "logstore-master-state\t1\nepoch\t3\nreserved_until\t10001\n"
                   "member\tstorage-1\th:1\t\nfailed\t9\nend\n";
  master_record back;
  std::string err;
  REQUIRE(master_record::decode(v1, back, err));
  CHECK(back.epoch == 3);
  CHECK(back.expired_before == INT64_MIN);
  REQUIRE(back.members.size() == 1);
  CHECK(back.members[0].incarnation == 0);
}

TEST_CASE("a damaged record is refused with the line at fault") {
  auto good = sample().encode();
  std::string err;
  master_record back;
  CHECK_FALSE(master_record::decode(good.substr(0, good.size() - 4), back, err));
  CHECK(err.find("truncated") != std::string::npos);
  auto bad = [&](std::string text, const char* why) {
    err.clear();
    CHECK_FALSE(master_record::decode(text, back, err));
    CHECK_MESSAGE(err.find(why) != std::string::npos, err);
  };
  bad("logstore-master-state\t9\nend\n", "version");
  bad("logstore-master-state\t2\nepoch\t99999999999999999999999\nend\n",
      "line 2: bad epoch");
  bad("logstore-master-state\t2\nepoch\t18446744073709551616\nend\n",
      "bad epoch");
  bad("logstore-master-state\t2\nexpired_before\t-9223372036854775809\nend\n",
      "bad expired_before");
  bad("logstore-master-state\t2\nmember\ts\th\tz\tx1\t-\nend\n",
      "incarnation");
  bad("logstore-master-state\t2\nmember\ts\th\tz\t1\tgone\nend\n", "flags");
  bad("logstore-master-state\t2\nmember\ts\th\tz\t1\nend\n", "unknown");
  bad("logstore-master-state\t2\nmember\ts\th\tz\nmember\ts\th\tz\nend\n",
      "twice");
  bad("logstore-master-state\t2\nmember\t\th\tz\nend\n", "without a name");
  bad("logstore-master-state\t2\nbogus\nend\n", "unknown record");
}

TEST_CASE("save then load through a disk") {
  sim_disk d{prng{1}};
  master_record back;
  std::string err;
  REQUIRE(load_master_record(d, back, err)); // no file: a new cluster
  CHECK(back.epoch == 0);
  REQUIRE(save_master_record(d, sample()) == disk_status::ok);
  REQUIRE(load_master_record(d, back, err));
  CHECK(back.epoch == 7);
  CHECK(back.expired_before == 1'700'000'000'123'456);
}
