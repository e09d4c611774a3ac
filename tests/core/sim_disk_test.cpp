// Reference: src/core/storage/sim_disk.hpp (the model) and src/core/base/disk.hpp
// (durability contract). Crash modes, faults, capacity, and determinism:
// the same seed makes the same crash.
#include "core/storage/sim_disk.hpp"

#include <doctest/doctest.h>

using namespace logstore;

namespace {

std::string contents(sim_disk& d, const std::string& name) {
  std::string out;
  d.read(name, 0, 1 << 20, out);
  return out;
}

// "synced" is durable, then "-tail" is appended and not synced.
void prepare(sim_disk& d) {
  d.append("f", "synced");
  d.sync("f");
  d.append("f", "-unsynced-tail");
  d.append("never", "gone");
}

} // namespace

TEST_CASE("lose_unsynced keeps exactly the synced bytes") {
  sim_disk d{prng{1}};
  prepare(d);
  d.crash(crash_mode::lose_unsynced);
  CHECK(contents(d, "f") == "synced");
  std::vector<std::string> names;
  d.list(names);
  CHECK(names == std::vector<std::string>{"f"}); // never synced: gone
  CHECK(d.used_bytes() == 6);
}

TEST_CASE("torn_prefix keeps a prefix of the unsynced tail; zero_fill "
          "zeroes it") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    sim_disk torn{prng{seed}};
    prepare(torn);
    torn.crash(crash_mode::torn_prefix);
    auto t = contents(torn, "f");
    CHECK(std::string{"synced-unsynced-tail"}.compare(0, t.size(), t) == 0);
    CHECK(t.size() >= 6);
    sim_disk zero{prng{seed}};
    prepare(zero);
    zero.crash(crash_mode::zero_fill);
    auto z = contents(zero, "f");
    CHECK(z.size() == t.size()); // same seed, same choice
    CHECK(z.substr(0, 6) == "synced");
    CHECK(z.find_first_not_of('\0', 6) == std::string::npos);
    CHECK(zero.synced_bytes("f") == z.size());
  }
}

TEST_CASE("a full disk writes what fits and says no_space") {
  sim_disk d{prng{1}};
  d.set_capacity_bytes(10);
  CHECK(d.append("f", "12345678") == disk_status::ok);
  CHECK(d.append("f", "abcdef") == disk_status::no_space);
  CHECK(contents(d, "f") == "12345678ab");
  CHECK(d.truncate("f", 8) == disk_status::ok);
  CHECK(d.used_bytes() == 8);
}

TEST_CASE("a misdirected write lands in synced data; the target gets "
          "zeros") {
  sim_disk d{prng{5}};
  d.append("a", std::string(100, 'a'));
  d.sync("a");
  d.misdirect_next_append();
  CHECK(d.append("b", "XYZ") == disk_status::ok);
  REQUIRE(d.last_misdirect());
  auto where = *d.last_misdirect();
  CHECK(where.file == "a");
  CHECK(contents(d, "a").substr(where.offset, 3) == "XYZ");
  CHECK(contents(d, "b") == std::string(3, '\0'));
}

TEST_CASE("bit flips, renames and sync failures") {
  sim_disk d{prng{9}};
  CHECK_FALSE(d.flip_random_bit()); // nothing synced yet
  d.append("f", "A");
  d.sync("f");
  CHECK(d.flip_bit("f", 0, 0));
  CHECK(contents(d, "f") == "@");
  CHECK_FALSE(d.flip_bit("f", 1, 0));
  auto fault = d.flip_random_bit();
  REQUIRE(fault);
  CHECK(fault->file == "f");
  CHECK(d.rename("f", "g") == disk_status::ok);
  CHECK(d.rename("f", "g") == disk_status::not_found);
  d.append("h", "x");
  CHECK(d.rename("h", "g") == disk_status::io_error);
  d.set_fail_sync(true);
  CHECK(d.sync("h") == disk_status::io_error);
  d.crash(crash_mode::lose_unsynced);
  std::vector<std::string> names;
  d.list(names);
  CHECK(names == std::vector<std::string>{"g"});
}
