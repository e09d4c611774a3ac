// Reference: docs/scenarios.md, "[expect]" and "Properties".
// The oracle's limits (max_false_dead, max_detection, max_repair_copies,
// max_imbalance) and properties (drain-completes) in scenario files.
#include "scenario/scenario.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace logstore;
using namespace logstore::sim;

namespace {

const std::string header = "[scenario]\nname = \"t\"\nduration = \"20s\"\n";

parse_outcome parse(const std::string& body) {
  return parse_scenario_text(header + body, "t.toml");
}

bool starts_with(const std::string& str, const std::string& prefix) {
  return str.rfind(prefix, 0) == 0;
}

bool has(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

} // namespace

TEST_CASE("the oracle's limits are unchecked unless given") {
  auto s = parse("").value;
  REQUIRE(s.has_value());
  CHECK(s->expect.max_false_dead == -1);
  CHECK(s->expect.max_detection == 0);
  CHECK(s->expect.max_repair_copies == -1);
  CHECK(s->expect.max_imbalance < 0);
}

TEST_CASE("the oracle's limits are read from [expect]") {
  auto out = parse("[expect]\nmax_false_dead = 0\nmax_detection = \"3.5s\"\n"
                   "max_repair_copies = 12\nmax_imbalance = \"20%\"\n");
  INFO(out.error);
  REQUIRE(out.value.has_value());
  auto& e = out.value->expect;
  CHECK(e.max_false_dead == 0);
  CHECK(e.max_detection == 3'500'000);
  CHECK(e.max_repair_copies == 12);
  CHECK(e.max_imbalance == doctest::Approx(0.2));
}

TEST_CASE("bad oracle limits are rejected with the key named") {
  auto negative = parse("[expect]\nmax_false_dead = -1\n");
  CHECK(starts_with(negative.error,
                    "t.toml:5:18: key 'expect.max_false_dead'"));
  auto bare = parse("[expect]\nmax_detection = 3\n");
  CHECK(starts_with(bare.error, "t.toml:5:17: key 'expect.max_detection'"));
  auto typo = parse("[expect]\nmax_false_deads = 0\n");
  CHECK(typo.error.find("did you mean 'max_false_dead'")
        != std::string::npos);
}

TEST_CASE("drain-completes is an oracle property, part of \"all\"") {
  CHECK(has(oracle_properties(), "drain-completes"));
  auto s = parse("[expect]\ninvariants = [\"all\"]\n").value;
  REQUIRE(s.has_value());
  CHECK(has(s->expect.invariants, "drain-completes"));
  CHECK(has(s->expect.invariants, "replication-restored"));
  auto only = parse("[expect]\ninvariants = [\"drain-completes\"]\n").value;
  REQUIRE(only.has_value());
  CHECK(only->expect.invariants
        == std::vector<std::string>{"drain-completes"});
}
