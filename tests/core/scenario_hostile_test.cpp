// Checks that no scenario file trips an assertion: every shipped scenario,
// mutated at random (digits changed, lines dropped, duplicated or moved,
// values swapped between keys), either parses or gets the documented
// FILE:LINE:COL error, and a parsed one draws its random schedule without
// an assertion. Scenario files come from users.
// Reference: docs/scenarios.md, "Errors" (goal G8: hostile input gets an
// error, never a crash).
#include "core/base/prng.hpp"
#include "scenario/scenario.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

using namespace logstore;
using namespace logstore::sim;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

std::string mutate(const std::string& text, prng& rng) {
  auto lines = lines_of(text);
  auto edits = 1 + rng.below(4);
  for (uint64_t e = 0; e < edits && !lines.empty(); ++e) {
    auto i = rng.below(lines.size());
    auto& line = lines[i];
    switch (rng.below(6)) {
      case 0: // change a digit, or add some
        for (auto& c : line)
          if (c >= '0' && c <= '9' && rng.chance(0.5))
            c = static_cast<char>('0' + rng.below(10));
        if (rng.chance(0.3))
          line += std::to_string(rng.below(100000));
        break;
      case 1: lines.erase(lines.begin() + static_cast<ptrdiff_t>(i)); break;
      case 2: lines.insert(lines.begin() + static_cast<ptrdiff_t>(i), line);
        break;
      case 3: std::swap(line, lines[rng.below(lines.size())]); break;
      case 4: { // another line's value on this key
        auto& other = lines[rng.below(lines.size())];
        auto a = line.find('=');
        auto b = other.find('=');
        if (a != std::string::npos && b != std::string::npos)
          line = line.substr(0, a) + other.substr(b);
        break;
      }
      default: // a hostile value
        if (auto a = line.find('='); a != std::string::npos) {
          static const char* values[] = {"0", "-1", "\"0s\"", "\"24h\"",
                                         "1e300", "\"100%\"", "[]",
                                         "\"master\"", "18446744073709551615"};
          line = line.substr(0, a + 1) + " " + values[rng.below(9)];
        }
    }
  }
  std::string out;
  for (auto& l : lines)
    out += l + "\n";
  return out;
}

} // namespace

TEST_CASE("mutated scenario files parse or fail cleanly, never assert") {
  std::vector<std::string> texts;
  for (auto& f : std::filesystem::directory_iterator{
         std::string{LOGSTORE_SOURCE_DIR} + "/scenarios"}) {
    std::ifstream in{f.path()};
    texts.emplace_back(std::istreambuf_iterator<char>{in},
                       std::istreambuf_iterator<char>{});
  }
  REQUIRE(texts.size() >= 20);
  size_t parsed = 0;
  for (uint64_t seed = 1; seed <= 4000; ++seed) {
    prng rng{seed};
    auto text = mutate(texts[rng.below(texts.size())], rng);
    auto outcome = parse_scenario_text(text, "m.toml");
    if (!outcome.value) {
      CHECK_MESSAGE(outcome.error.rfind("m.toml:", 0) == 0, outcome.error);
      continue;
    }
    ++parsed;
    auto s = *outcome.value;
    prng draw{seed};
    draw_random_faults(s, draw);
    for (auto& f : s.faults)
      CHECK(f.at < s.duration);
  }
  CHECK(parsed > 100); // the mutations also reach the drawing code
}
