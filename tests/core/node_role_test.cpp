// logstore — simulated node names as roles (src/core/base/node_role.hpp).
#include "core/base/node_role.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("node roles: the names the simulator gives") {
  CHECK(parse_node_id("master").is(node_role::master));
  CHECK(parse_node_id("oracle").is(node_role::oracle));
  auto s = parse_node_id("storage-12");
  CHECK(s.is(node_role::storage));
  CHECK(s.number == 12);
  auto c = parse_node_id("client-3");
  CHECK(c.is(node_role::client));
  CHECK(c.number == 3);
  CHECK(to_string(s) == "storage-12");
  CHECK(to_string(c) == "client-3");
  CHECK(to_string(node_id{node_role::master, 0}) == "master");
}

TEST_CASE("node roles: anything else is other, never a crash") {
  for (auto bad : {"", "storage-", "storage-x", "storage-01", "storage-0",
                   "storage-1x", "storage-9999999999", "Storage-1", "client",
                   "masters", "web-1", "storage--1"})
    CHECK_MESSAGE(parse_node_id(bad).is(node_role::other), bad);
  CHECK(is_storage_name("storage-1"));
  CHECK_FALSE(is_storage_name("client-1"));
  CHECK(is_client_name("client-2"));
  CHECK(is_master_name("master"));
}
