// Checks that the history checker (src/core/history/checker.hpp) survives any
// history the reader accepts: `logstore check FILE` judges files from
// anywhere, so a history that is nonsense must get a verdict, never trip an
// assertion. Random events: completions without invokes, a second invoke
// before a completion, the same entry in several appends (acked and failed),
// reads returning entries nobody wrote, out of range or out of order,
// missing ranges and watermarks anywhere, times that jump.
// Reference: docs/history.md (goal G8: hostile input gets a verdict, never
// a crash).
#include "core/history/checker.hpp"
#include "core/history/history.hpp"
#include "core/base/prng.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace logstore;

namespace {

entry_ref random_entry(prng& rng) {
  // Few distinct keys, so that appends and reads collide often.
  return entry_ref{1 + rng.below(3), 1 + rng.below(6),
                   static_cast<uint32_t>(rng.below(3)),
                   static_cast<timestamp_us>(rng.below(40)) - 5,
                   rng.chance(0.5) ? "a" : "b"};
}

history_event random_event(prng& rng, time_us& now) {
  history_event ev;
  now += static_cast<time_us>(rng.below(5));
  ev.time = now;
  ev.process = rng.below(4);
  static const op_type types[] = {op_type::invoke, op_type::ok,
                                  op_type::fail, op_type::info};
  static const op_fn fns[] = {op_fn::append, op_fn::read, op_fn::final_read,
                              op_fn::nemesis};
  ev.type = types[rng.below(4)];
  ev.f = fns[rng.below(4)];
  if (ev.f == op_fn::nemesis) {
    ev.type = op_type::info;
    ev.text = "crash storage-1";
    return ev;
  }
  ev.client = 1 + rng.below(3);
  ev.seq = 1 + rng.below(6);
  auto n = rng.below(5);
  for (uint64_t i = 0; i < n; ++i)
    ev.entries.push_back(random_entry(rng));
  auto a = static_cast<timestamp_us>(rng.below(40)) - 5;
  auto b = static_cast<timestamp_us>(rng.below(40)) - 5;
  // Mostly well-formed ranges, sometimes inverted ones.
  ev.range = rng.chance(0.9) ? time_range{std::min(a, b), std::max(a, b)}
                             : time_range{a, b};
  ev.complete = rng.chance(0.7);
  if (!ev.complete || rng.chance(0.2))
    ev.missing.push_back({a, b});
  if (rng.chance(0.2))
    ev.missing.push_back({b - 3, b + 2});
  if (rng.chance(0.2))
    ev.expired_before = static_cast<timestamp_us>(rng.below(40));
  if (ev.type == op_type::fail || ev.type == op_type::info)
    ev.error = ev.type == op_type::fail ? errc::not_enough_nodes
                                        : errc::timeout;
  return ev;
}

} // namespace

TEST_CASE("random histories get a verdict, never an assertion") {
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    prng rng{seed};
    history h;
    time_us now = 0;
    auto n = 1 + rng.below(40);
    for (uint64_t i = 0; i < n; ++i)
      h.add(random_event(rng, now));
    // Through the file format too: what `logstore check` would read.
    std::stringstream text;
    h.write_jsonl(text);
    history back;
    std::string err;
    REQUIRE_MESSAGE(history::read_jsonl(text, back, err), err);
    auto result = check_history(back);
    CHECK(result.properties.size() == all_properties().size());
  }
}
