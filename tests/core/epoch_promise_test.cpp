// Checks a storage node's promise file (src/core/storage/epoch_promise.hpp):
// a promise survives a round trip, is taken on a full disk, survives one
// torn or damaged slot, is refused (never guessed) when both slots are
// unusable, and a version 1 file still loads and is replaced.
// Reference: docs/storage.md (the promise slots); docs/protocol.md,
// "Master failover".
#include "core/base/replaced_file.hpp"
#include "core/storage/epoch_promise.hpp"
#include "core/storage/sim_disk.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

epoch_promise promise_of(uint64_t epoch) {
  epoch_promise p;
  p.epoch = epoch;
  p.master = "master-" + std::to_string(epoch % 3 + 1);
  p.record_epoch = epoch - 1;
  p.record_version = 4;
  p.record = "logstore-master 2\nepoch " + std::to_string(epoch - 1) + "\n";
  return p;
}

epoch_promise load(sim_disk& d) {
  epoch_promise p;
  std::string err;
  REQUIRE_MESSAGE(load_epoch_promise(d, p, err), err);
  return p;
}

} // namespace

TEST_CASE("no file: the default promise") {
  sim_disk d{prng{1}};
  CHECK(load(d).epoch == 0);
}

TEST_CASE("a promise survives a round trip and a power loss") {
  sim_disk d{prng{1}};
  REQUIRE(save_epoch_promise(d, promise_of(5)) == disk_status::ok);
  d.crash(crash_mode::lose_unsynced);
  auto p = load(d);
  CHECK(p.epoch == 5);
  CHECK(p.master == "master-3");
  CHECK(p.record_epoch == 4);
  CHECK(p.record_version == 4);
  CHECK(p.record == promise_of(5).record);
}

TEST_CASE("a full disk still takes a promise of the same size") {
  sim_disk d{prng{1}};
  REQUIRE(save_epoch_promise(d, promise_of(5)) == disk_status::ok);
  d.set_capacity_bytes(d.used_bytes()); // not one byte more
  REQUIRE(save_epoch_promise(d, promise_of(6)) == disk_status::ok);
  REQUIRE(save_epoch_promise(d, promise_of(7)) == disk_status::ok);
  d.crash(crash_mode::lose_unsynced);
  CHECK(load(d).epoch == 7);
}

TEST_CASE("one torn or damaged slot leaves the other") {
  sim_disk d{prng{1}};
  REQUIRE(save_epoch_promise(d, promise_of(5)) == disk_status::ok);
  REQUIRE(save_epoch_promise(d, promise_of(6)) == disk_status::ok);
  SUBCASE("slot 0 torn") {
    REQUIRE(d.truncate("promise.0", 30) == disk_status::ok);
    CHECK(load(d).epoch == 6);
  }
  SUBCASE("slot 1 rotted") {
    REQUIRE(d.flip_bit("promise.1", 60, 3));
    CHECK(load(d).epoch == 6);
  }
  SUBCASE("slot 0 missing") {
    REQUIRE(d.remove("promise.0") == disk_status::ok);
    CHECK(load(d).epoch == 6);
  }
}

TEST_CASE("two unusable slots are an error, never a guess") {
  sim_disk d{prng{1}};
  REQUIRE(save_epoch_promise(d, promise_of(5)) == disk_status::ok);
  REQUIRE(d.flip_bit("promise.0", 60, 3));
  REQUIRE(d.truncate("promise.1", 10) == disk_status::ok);
  epoch_promise p;
  std::string err;
  CHECK_FALSE(load_epoch_promise(d, p, err));
  CHECK(err.find("promise.0: damaged (checksum)") != std::string::npos);
  CHECK(err.find("promise.1: torn") != std::string::npos);
}

TEST_CASE("a version 1 file loads and is replaced by the slots") {
  sim_disk d{prng{1}};
  REQUIRE(replace_file(d, "promise", promise_of(3).encode())
          == disk_status::ok);
  CHECK(load(d).epoch == 3);
  REQUIRE(save_epoch_promise(d, promise_of(4)) == disk_status::ok);
  uint64_t size = 0;
  CHECK(d.size("promise", size) == disk_status::not_found);
  CHECK(load(d).epoch == 4);
}

TEST_CASE("segment recovery leaves the promise files alone") {
  for (auto* name : {"promise", "promise.new", "promise.0", "promise.1"})
    CHECK(is_promise_file(name));
  CHECK_FALSE(is_promise_file("promise.2"));
  CHECK_FALSE(is_promise_file("00000001.seg"));
}
