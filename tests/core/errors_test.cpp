// Reference: docs/protocol.md, "Errors".
#include "core/errors.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("a timeout is the only indefinite error") {
  CHECK_FALSE(is_definite(errc::timeout));
  CHECK(is_definite(errc::not_enough_nodes));
  CHECK(is_definite(errc::replication_failed));
  CHECK(is_definite(errc::malformed_request));
}

TEST_CASE("every error code has a stable name") {
  CHECK(to_string(errc::not_enough_nodes) == "not_enough_nodes");
  CHECK(to_string(errc::timeout) == "timeout");
  for (int i = 0; i <= static_cast<int>(errc::stale_epoch); ++i)
    CHECK(to_string(static_cast<errc>(i)) != "unknown");
}
