// Checks a storage node's identity file (src/core/storage/node_identity.hpp): it
// round-trips, is written once and read back, and a damaged file is
// refused with the line at fault, never asserted on.
// Reference: docs/operations.md, "Node identity".
#include "core/storage/node_identity.hpp"
#include "core/storage/sim_disk.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("an identity is written once and read back") {
  sim_disk d{prng{3}};
  node_identity id;
  std::string err;
  CHECK(load_identity(d, id, err) == identity_status::absent);
  REQUIRE(save_identity(d, {"storage-2", 0x1234}) == disk_status::ok);
  REQUIRE(load_identity(d, id, err) == identity_status::found);
  CHECK(id.name == "storage-2");
  CHECK(id.incarnation == 0x1234);
  // Survives power loss: it was synced before the rename.
  d.crash(crash_mode::lose_unsynced);
  REQUIRE(load_identity(d, id, err) == identity_status::found);
  CHECK(id.name == "storage-2");
}

TEST_CASE("a damaged identity is refused, with the line") {
  node_identity id;
  std::string err;
  auto bad = [&](const std::string& text, const char* why) {
    err.clear();
    CHECK_FALSE(node_identity::decode(text, id, err));
    CHECK_MESSAGE(err.find(why) != std::string::npos, err);
  };
  bad("hello\n", "not a logstore node identity");
  bad("logstore-node-identity\t1\nname\tbad name\nend\n", "line 2: bad name");
  bad("logstore-node-identity\t1\nname\ts\nincarnation\t0\nend\n",
      "bad incarnation");
  bad("logstore-node-identity\t1\nname\ts\nincarnation\t99999999999999999999\n"
      "end\n",
      "bad incarnation");
  bad("logstore-node-identity\t1\nname\ts\nincarnation\t5\n", "incomplete");
  bad("logstore-node-identity\t1\nname\ts\nend\n", "incomplete");
  bad("logstore-node-identity\t1\ncolour\tblue\nend\n", "unknown line");
  sim_disk d{prng{4}};
  REQUIRE(d.append("identity", "garbage") == disk_status::ok);
  CHECK(load_identity(d, id, err) == identity_status::damaged);
}

TEST_CASE("node names are what the master's record can hold") {
  CHECK(valid_node_name("storage-1"));
  CHECK(valid_node_name("storage-10.0.0.5-7001"));
  CHECK_FALSE(valid_node_name(""));
  CHECK_FALSE(valid_node_name("a\tb"));
  CHECK_FALSE(valid_node_name("a b"));
  CHECK_FALSE(valid_node_name("x\n"));
  CHECK_FALSE(valid_node_name(std::string(65, 'a')));
}
