// Reference: src/core/history/checker.hpp (the properties) and docs/history.md
// ("Checking"). A clean history passes every property; each hand-built
// history below breaks exactly the property it names (and the test says
// which others it breaks too); the counters and latencies follow the
// documented rules; malformed histories never crash the checker.
#include "core/history/checker.hpp"

#include "history_builder.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace logstore;
using namespace logstore::test;

namespace {

/// The properties that failed.
std::set<std::string> failed(const check_result& r) {
  std::set<std::string> out;
  for (const auto& p : r.properties) {
    CHECK(p.held == (p.violations == 0));
    if (!p.held)
      out.insert(p.name);
  }
  return out;
}

const property_result& prop(const check_result& r, const std::string& name) {
  const auto* p = r.find(name);
  REQUIRE(p != nullptr);
  return *p;
}

bool example_has(const check_result& r, const std::string& name,
                 const std::string& text) {
  for (const auto& ex : prop(r, name).examples)
    if (ex.find(text) != std::string::npos)
      return true;
  return false;
}

/// Client 3 appends 3:17:0..2 (ts 100..102), acked at t=2000.
void acked_batch(history_builder& b) {
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 3, 100));
  b.at(2000).append_ok(1);
}

/// A final read of [0, 1000] at time `t` (default 9000) returning `entries`.
void final_read(history_builder& b, std::vector<entry_ref> entries,
                time_us t = 9000) {
  b.at(t).read(9, {0, 1000}, op_fn::final_read);
  b.at(t + 100).read_ok(9, std::move(entries));
}

using names = std::set<std::string>;

} // namespace

TEST_CASE("all properties are reported, in a stable order") {
  history_builder b;
  auto r = check_history(b.get());
  REQUIRE(r.properties.size() == all_properties().size());
  for (size_t i = 0; i < r.properties.size(); ++i)
    CHECK(r.properties[i].name == all_properties()[i]);
  CHECK(r.find("no-such-property") == nullptr);
}

TEST_CASE("a clean history passes every property") {
  history_builder b;
  acked_batch(b);
  b.at(2100).append(2, 2, 1, make_batch(2, 1, 2, 150));
  b.at(2200).info(2); // indefinite: may or may not appear
  b.at(2300).append(12, 2, 2, make_batch(2, 2, 1, 160)); // renumbered
  b.at(2400).fail(12, errc::replication_failed);
  b.at(3000).read(4, {100, 200});
  b.at(3500).read_ok(4, concat({make_batch(3, 17, 3, 100),
                                make_batch(2, 1, 2, 150)}));
  b.at(3600).read(4, {0, 1000});
  b.at(3700).read_ok(4, make_batch(3, 17, 2, 100), {{102, 120}});
  b.at(3800).nemesis("crash storage-2");
  b.at(4000).append(1, 3, 18, make_batch(3, 18, 2, 300));
  b.at(4500).read(4, {0, 1000});
  b.at(5000).append_ok(1);
  b.at(5100).read_ok(4, make_batch(3, 17, 3, 100));
  final_read(b, concat({make_batch(3, 17, 3, 100), make_batch(2, 1, 2, 150),
                        make_batch(3, 18, 2, 300)}));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{});
  for (const auto& p : r.properties)
    CHECK(p.examples.empty());
  CHECK(r.appends_invoked == 4);
  CHECK(r.appends_ok == 2);
  CHECK(r.appends_failed == 1);
  CHECK(r.appends_indefinite == 1);
  CHECK(r.reads_invoked == 3);
  CHECK(r.reads_ok == 3);
  CHECK(r.reads_incomplete == 1);
  CHECK(r.reads_failed == 0);
  CHECK(r.entries_acked == 5);
  CHECK(r.final_read_seen);
  CHECK(r.availability == doctest::Approx(0.5));
  CHECK(r.append_latency.count == 2);
  CHECK(r.append_latency.p50 == 1000);
  CHECK(r.read_latency.count == 3); // the final read is not counted
  CHECK(r.read_latency.p50 == 500);
  CHECK(r.read_latency.p90 == 600);
  CHECK(r.read_latency.max == 600);
}

TEST_CASE("no-lost-acked-writes: the final read lacks an acked entry") {
  history_builder b;
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 3, 100));
  b.at(1500).read(9, {0, 1000}, op_fn::final_read);
  b.at(2000).append_ok(1); // acked after the final read began
  b.at(2500).read_ok(9, make_batch(3, 17, 2, 100));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"no-lost-acked-writes"});
  CHECK(prop(r, "no-lost-acked-writes").violations == 1);
  CHECK(example_has(r, "no-lost-acked-writes", "lost write: entry 3:17:2"));
  CHECK(example_has(r, "no-lost-acked-writes",
                    "append #0 (ok #2 at t=0.002s)"));
  CHECK(example_has(r, "no-lost-acked-writes", "final read #1"));
}

TEST_CASE("no-lost-acked-writes: a final read after the ack also fails "
          "complete-reads-see-acked") {
  history_builder b;
  acked_batch(b);
  final_read(b, make_batch(3, 17, 1, 100));
  auto r = check_history(b.get());
  CHECK(failed(r)
        == names{"no-lost-acked-writes", "complete-reads-see-acked"});
  CHECK(prop(r, "no-lost-acked-writes").violations == 2);
  CHECK(prop(r, "complete-reads-see-acked").violations == 2);
}

TEST_CASE("no-lost-acked-writes: no final read, or one that is not usable") {
  SUBCASE("none at all") {
    history_builder b;
    acked_batch(b);
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"no-lost-acked-writes"});
    CHECK(prop(r, "no-lost-acked-writes").examples
          == std::vector<std::string>{"no final read in history"});
    CHECK_FALSE(r.final_read_seen);
  }
  SUBCASE("incomplete over acknowledged entries") {
    history_builder b;
    acked_batch(b);
    b.at(9000).read(9, {0, 1000}, op_fn::final_read);
    b.at(9100).read_ok(9, {}, {{100, 200}});
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"no-lost-acked-writes"});
    CHECK(prop(r, "no-lost-acked-writes").violations == 3);
    CHECK(example_has(r, "no-lost-acked-writes",
                      "is incomplete and names it missing (in [100, 200])"));
  }
  SUBCASE("incomplete only where nothing was acknowledged") {
    // The gap holds copies of an append that never got an ok (its batch
    // lost with its only copy): nothing promised is missing.
    history_builder b;
    acked_batch(b);
    b.at(3000).append(2, 4, 1, make_batch(4, 1, 2, 500));
    b.at(4000).info(2, errc::timeout, "no answer");
    b.at(9000).read(9, {0, 1000}, op_fn::final_read);
    b.at(9100).read_ok(9, make_batch(3, 17, 3, 100), {{500, 501}});
    auto r = check_history(b.get());
    CHECK(failed(r).empty());
  }
  SUBCASE("failed") {
    history_builder b;
    acked_batch(b);
    b.at(9000).read(9, {0, 1000}, op_fn::final_read);
    b.at(9100).info(9, errc::timeout, "no answer");
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"no-lost-acked-writes"});
    CHECK(r.final_read_seen);
    CHECK(example_has(r, "no-lost-acked-writes",
                      "did not succeed: info #3 at t=0.009s: timeout"));
  }
  SUBCASE("a later complete final read is used") {
    history_builder b;
    acked_batch(b);
    b.at(9000).read(9, {0, 1000}, op_fn::final_read);
    b.at(9100).fail(9, errc::unavailable);
    final_read(b, make_batch(3, 17, 3, 100), 9200);
    CHECK(failed(check_history(b.get())) == names{});
  }
}

TEST_CASE("no-phantom-entries: an entry nobody wrote") {
  history_builder b;
  acked_batch(b);
  b.at(3000).read(2, {0, 1000});
  b.at(3100).read_ok(2, concat({make_batch(3, 17, 3, 100),
                                {make_entry(9, 9, 0, 500)}}));
  final_read(b, make_batch(3, 17, 3, 100));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"no-phantom-entries"});
  CHECK(example_has(r, "no-phantom-entries",
                    "read #2 of [0, 1000] (invoked t=0.003s) returned entry "
                    "9:9:0 (ts=500, source=\"client-9\"), which no append "
                    "wrote"));
}

TEST_CASE("no-phantom-entries: an entry of a definitely failed append") {
  history_builder b;
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 1, 100));
  b.at(2000).fail(1, errc::replication_failed);
  final_read(b, make_batch(3, 17, 1, 100));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"no-phantom-entries"});
  CHECK(example_has(r, "no-phantom-entries",
                    "append #0 (fail #1 at t=0.002s: replication_failed), "
                    "failed definitely"));
}

TEST_CASE("no-phantom-entries: an entry of an indefinite append is fine") {
  history_builder b;
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 2, 100));
  b.at(2000).info(1, errc::timeout);
  b.at(3000).read(2, {0, 1000});
  b.at(3100).read_ok(2, make_batch(3, 17, 1, 100)); // seen, partly
  final_read(b, make_batch(3, 17, 2, 100));
  CHECK(failed(check_history(b.get())) == names{});
}

TEST_CASE("no-phantom-entries: different ts or source, or read too early") {
  SUBCASE("ts differs") {
    history_builder b;
    acked_batch(b);
    auto changed = make_batch(3, 17, 3, 100);
    changed[2].ts = 150;
    final_read(b, changed);
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"no-phantom-entries"});
    CHECK(example_has(r, "no-phantom-entries",
                      "but append #0 wrote it with ts=102"));
  }
  SUBCASE("source differs") {
    history_builder b;
    acked_batch(b);
    auto changed = make_batch(3, 17, 3, 100);
    changed[2].source = "client-4";
    final_read(b, changed);
    CHECK(failed(check_history(b.get())) == names{"no-phantom-entries"});
  }
  SUBCASE("returned before the append was invoked") {
    history_builder b;
    b.at(500).read(2, {0, 1000});
    b.at(600).read_ok(2, make_batch(3, 17, 1, 100));
    b.at(1000).append(1, 3, 17, make_batch(3, 17, 1, 100));
    b.at(2000).append_ok(1);
    final_read(b, make_batch(3, 17, 1, 100));
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"no-phantom-entries"});
    CHECK(example_has(r, "no-phantom-entries", "before append #2 wrote it"));
  }
}

TEST_CASE("no-duplicates: an entry twice in one read") {
  history_builder b;
  acked_batch(b);
  auto twice = make_batch(3, 17, 3, 100);
  twice.insert(twice.begin() + 1, twice[1]);
  final_read(b, twice);
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"no-duplicates"});
  CHECK(prop(r, "no-duplicates").violations == 1);
  CHECK(example_has(r, "no-duplicates",
                    "entry 3:17:1 (ts=101, source=\"client-3\") more than "
                    "once (again at position 2)"));
}

TEST_CASE("reads-sorted: entries out of (ts, source, id) order") {
  history_builder b;
  acked_batch(b);
  auto swapped = make_batch(3, 17, 3, 100);
  std::swap(swapped[0], swapped[2]);
  final_read(b, swapped);
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"reads-sorted"});
  CHECK(prop(r, "reads-sorted").violations == 2); // 102 > 101, 101 > 100
  CHECK(example_has(r, "reads-sorted", "is not sorted: position 1"));
}

TEST_CASE("reads-sorted: equal ts is ordered by source, then identity") {
  history_builder b;
  b.at(1000).append(1, 3, 17, {make_entry(3, 17, 0, 100)});
  b.at(1000).append(2, 2, 5, {make_entry(2, 5, 0, 100)});
  b.at(2000).append_ok(1);
  b.at(2000).append_ok(2);
  final_read(b, {make_entry(3, 17, 0, 100), make_entry(2, 5, 0, 100)});
  CHECK(failed(check_history(b.get())) == names{"reads-sorted"});
  history_builder good;
  good.at(1000).append(1, 3, 17, {make_entry(3, 17, 0, 100)});
  good.at(1000).append(2, 2, 5, {make_entry(2, 5, 0, 100)});
  good.at(2000).append_ok(1);
  good.at(2000).append_ok(2);
  final_read(good, {make_entry(2, 5, 0, 100), make_entry(3, 17, 0, 100)});
  CHECK(failed(check_history(good.get())) == names{});
}

TEST_CASE("reads-in-range: the range is inclusive, nothing outside it") {
  history_builder b;
  acked_batch(b); // ts 100, 101, 102
  b.at(3000).read(2, {100, 101});
  b.at(3100).read_ok(2, make_batch(3, 17, 3, 100));
  final_read(b, make_batch(3, 17, 3, 100));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"reads-in-range"});
  CHECK(prop(r, "reads-in-range").violations == 1);
  CHECK(example_has(r, "reads-in-range",
                    "read #2 of [100, 101] (invoked t=0.003s) returned entry "
                    "3:17:2 (ts=102, source=\"client-3\"), outside the range"));
}

TEST_CASE("complete-reads-see-acked: a complete read misses an earlier ack") {
  history_builder b;
  acked_batch(b);
  b.at(3000).read(2, {101, 500});
  b.at(3100).read_ok(2, {});
  final_read(b, make_batch(3, 17, 3, 100));
  auto r = check_history(b.get());
  // 3:17:1 (ts 101) and 3:17:2 (ts 102) are lacking; 3:17:0 (ts 100) is
  // outside the range.
  CHECK(failed(r) == names{"complete-reads-see-acked"});
  CHECK(prop(r, "complete-reads-see-acked").violations == 2);
  CHECK(example_has(r, "complete-reads-see-acked",
                    "complete read #2 of [101, 500] (invoked t=0.003s) lacks "
                    "entry 3:17:1 (ts=101), acknowledged before the read "
                    "began: append #0 (ok #1 at t=0.002s)"));
}

TEST_CASE("complete-reads-see-acked: only the lacking entry, nothing else") {
  history_builder b;
  acked_batch(b);
  b.at(3000).read(2, {0, 1000});
  b.at(3100).read_ok(2,
                     {make_entry(3, 17, 0, 100), make_entry(3, 17, 2, 102)});
  final_read(b, make_batch(3, 17, 3, 100));
  auto r = check_history(b.get());
  CHECK(failed(r) == names{"complete-reads-see-acked"});
  CHECK(prop(r, "complete-reads-see-acked").violations == 1);
  CHECK(example_has(r, "complete-reads-see-acked", "lacks entry 3:17:1"));
}

TEST_CASE("complete-reads-see-acked: an ack after the read began is not "
          "required") {
  history_builder b;
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 3, 100));
  b.at(1500).read(2, {0, 1000});
  b.at(2000).append_ok(1);
  b.at(2000).read(5, {0, 1000}); // invoked at the ack time: not strictly after
  b.at(2500).read_ok(2, {});
  b.at(2500).read_ok(5, {});
  final_read(b, make_batch(3, 17, 3, 100));
  CHECK(failed(check_history(b.get())) == names{});
}

TEST_CASE("reads-honest: an incomplete read must name what it lacks") {
  SUBCASE("lacking inside a missing range is honest") {
    history_builder b;
    acked_batch(b);
    b.at(3000).read(2, {0, 1000});
    b.at(3100).read_ok(2, {make_entry(3, 17, 0, 100)},
                       {{101, 101}, {102, 300}});
    final_read(b, make_batch(3, 17, 3, 100));
    CHECK(failed(check_history(b.get())) == names{});
  }
  SUBCASE("lacking outside every missing range is not") {
    history_builder b;
    acked_batch(b);
    b.at(3000).read(2, {0, 1000});
    b.at(3100).read_ok(2, {make_entry(3, 17, 0, 100)}, {{102, 300}});
    final_read(b, make_batch(3, 17, 3, 100));
    auto r = check_history(b.get());
    CHECK(failed(r) == names{"reads-honest"});
    CHECK(prop(r, "reads-honest").violations == 1);
    CHECK(example_has(r, "reads-honest",
                      "incomplete read #2 of [0, 1000] (invoked t=0.003s) "
                      "lacks entry 3:17:1 (ts=101)"));
    CHECK(example_has(r, "reads-honest",
                      "outside its missing ranges [102, 300]"));
  }
}

TEST_CASE("violations are all counted, examples are capped") {
  history_builder b;
  b.at(1000).append(1, 3, 17, make_batch(3, 17, 10, 100));
  b.at(2000).append_ok(1);
  b.at(3000).read(9, {0, 1000}, op_fn::final_read);
  b.at(3100).read_ok(9, {});
  check_options opts;
  opts.examples_max = 3;
  auto r = check_history(b.get(), opts);
  CHECK(prop(r, "no-lost-acked-writes").violations == 10);
  CHECK(prop(r, "no-lost-acked-writes").examples.size() == 3);
  CHECK(r.entries_acked == 10);
}

TEST_CASE("latency percentiles use the nearest rank") {
  history_builder b;
  for (uint64_t i = 1; i <= 1000; ++i) {
    b.at(static_cast<time_us>(i * 10'000)).append(i, i, 1, {});
    b.at(static_cast<time_us>(i * 10'000 + i)).append_ok(i);
  }
  auto r = check_history(b.get());
  CHECK(r.append_latency.count == 1000);
  CHECK(r.append_latency.p50 == 500);
  CHECK(r.append_latency.p90 == 900);
  CHECK(r.append_latency.p99 == 990);
  CHECK(r.append_latency.p999 == 999);
  CHECK(r.append_latency.max == 1000);
  CHECK(r.read_latency.count == 0);
  CHECK(r.availability == doctest::Approx(1.0));
}

TEST_CASE("malformed histories do not crash the checker") {
  history h;
  history_event orphan; // a completion with no invoke
  orphan.type = op_type::ok;
  orphan.f = op_fn::read;
  orphan.entries = {make_entry(1, 1, 0, 5)};
  h.add(orphan);
  history_event inv; // two invokes on one process, the first abandoned
  inv.process = 1;
  inv.entries = {make_entry(1, 1, 0, 5)};
  h.add(inv);
  h.add(inv);
  history_event wrong = orphan; // completes process 1 with the wrong f
  wrong.process = 1;
  h.add(wrong);
  history_event empty_range; // read with from > to
  empty_range.process = 2;
  empty_range.f = op_fn::read;
  empty_range.range = {10, 0};
  h.add(empty_range);
  empty_range.type = op_type::ok;
  h.add(empty_range);
  auto r = check_history(h);
  CHECK(r.appends_invoked == 2);
  CHECK(r.appends_indefinite == 2);
  CHECK(r.reads_ok == 1);
  CHECK(failed(r) == names{"no-lost-acked-writes"});
}

TEST_CASE("a large history is checked quickly") {
  // 20'000 appends of 10 entries, a read after every 10th, one final read.
  history_builder b;
  std::vector<entry_ref> all;
  time_us t = 0;
  for (uint64_t i = 0; i < 20'000; ++i) {
    auto batch = make_batch(1, i, 10, static_cast<timestamp_us>(i * 10));
    b.at(t += 10).append(1, 1, i, batch);
    b.at(t += 10).append_ok(1);
    all.insert(all.end(), batch.begin(), batch.end());
    if (i % 10 == 9) {
      auto from = static_cast<timestamp_us>((i - 9) * 10);
      b.at(t += 10).read(2, {from, from + 99});
      b.at(t += 10).read_ok(2, std::vector<entry_ref>(
                                 all.end() - 100, all.end()));
    }
  }
  final_read(b, all, t + 10);
  auto r = check_history(b.get());
  CHECK(r.entries_acked == 200'000);
  CHECK(r.reads_ok == 2'000);
}
