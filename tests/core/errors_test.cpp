// Reference: docs/protocol.md, "Errors".
#include "core/base/errors.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("timeout and in_doubt are the indefinite errors") {
  CHECK_FALSE(is_definite(errc::timeout));
  CHECK_FALSE(is_definite(errc::in_doubt));
  CHECK(is_definite(errc::unavailable));
  CHECK(is_definite(errc::name_in_use));
  CHECK(is_definite(errc::precondition_failed));
  CHECK(is_definite(errc::not_enough_nodes));
  CHECK(is_definite(errc::replication_failed));
  CHECK(is_definite(errc::malformed_request));
}

TEST_CASE("every error code has a stable name") {
  CHECK(to_string(errc::not_enough_nodes) == "not_enough_nodes");
  CHECK(to_string(errc::timeout) == "timeout");
  for (int i = 0; i <= static_cast<int>(errc::precondition_failed); ++i)
    CHECK(to_string(static_cast<errc>(i)) != "unknown");
}

TEST_CASE("a code from the network outside the enum is indefinite") {
  // to_errc() casts whatever code a peer sent; nothing may assert on it.
  auto alien = static_cast<errc>(200);
  CHECK(to_string(alien) == "unknown");
  CHECK_FALSE(is_definite(alien));
}

TEST_CASE("an error code from the network is trusted only when known") {
  CHECK(errc_from_wire(0) == errc::none);
  CHECK(errc_from_wire(15) == errc::not_granted);
  // A code from a newer build (or garbage) reads as indefinite.
  CHECK(errc_from_wire(16) == errc::timeout);
  CHECK(errc_from_wire(255) == errc::timeout);
  CHECK(errc_from_wire(UINT64_MAX) == errc::timeout);
  CHECK_FALSE(is_definite(errc_from_wire(200)));
}
