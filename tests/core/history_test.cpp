// Reference: docs/history.md (line shapes, escaping, reader errors).
// Checks that write_jsonl writes the documented line shapes, that
// read_jsonl gives back exactly what was written (events and bytes), that
// strings are escaped, and that bad input yields "line N: ..." errors and
// never a crash.
#include "core/history/history.hpp"

#include "history_builder.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <sstream>

using namespace logstore;
using namespace logstore::test;

namespace {

bool same_event(const history_event& x, const history_event& y) {
  return x.index == y.index && x.time == y.time && x.process == y.process
         && x.type == y.type && x.f == y.f && x.client == y.client
         && x.seq == y.seq && x.entries == y.entries && x.batch == y.batch
         && x.range == y.range && x.complete == y.complete
         && x.missing == y.missing && x.error == y.error && x.text == y.text
         && x.node == y.node;
}

std::string to_jsonl(const history& h) {
  std::ostringstream out;
  h.write_jsonl(out);
  return out.str();
}

std::string line_of(const history_event& ev) {
  std::ostringstream out;
  history::write_event(out, ev);
  return out.str();
}

/// Parses `text`; returns the error ("" on success).
std::string parse_error(const std::string& text) {
  std::istringstream in{text};
  history h;
  std::string err;
  if (history::read_jsonl(in, h, err))
    return "";
  CHECK(h.size() == 0); // `out` is untouched on error
  return err;
}

/// One of every kind of event.
history sample_history() {
  history_builder b;
  b.at(1000).append(3, 3, 17, {make_entry(3, 17, 0, 1700000000123)});
  b.at(1500).read(4, {100, 200});
  b.at(2000).append_ok(3, 42);
  b.at(2500).nemesis("crash storage-2");
  b.at(3000).read_ok(4, {make_entry(3, 17, 0, 150)}, {{110, 120}, {130, 140}});
  b.at(3100).append(5, 5, 1, make_batch(5, 1, 3, 500));
  b.at(3200).append(6, 6, 1, {});
  b.at(3300).fail(6, errc::not_enough_nodes, "only 1 of 2 nodes alive");
  b.at(9000).info(5, errc::timeout, "no answer in 2s");
  b.at(9100).read(7, {0, 1000}, op_fn::final_read);
  b.at(9200).read_ok(7, make_batch(3, 17, 2, 0));
  b.at(9300).read(8, {5, 6});
  b.at(9400).info(8);
  return b.get();
}

} // namespace

TEST_CASE("op_type and op_fn have stable names") {
  CHECK(to_string(op_type::invoke) == "invoke");
  CHECK(to_string(op_type::ok) == "ok");
  CHECK(to_string(op_type::fail) == "fail");
  CHECK(to_string(op_type::info) == "info");
  CHECK(to_string(op_fn::append) == "append");
  CHECK(to_string(op_fn::read) == "read");
  CHECK(to_string(op_fn::final_read) == "final-read");
  CHECK(to_string(op_fn::nemesis) == "nemesis");
}

TEST_CASE("add assigns the position as index") {
  history h;
  history_event ev;
  ev.index = 99;
  ev.time = 5;
  CHECK(h.add(ev) == 0);
  CHECK(h.add(ev) == 1);
  CHECK(h.events()[1].index == 1);
  CHECK(h.size() == 2);
}

TEST_CASE("lines have the documented shape") {
  auto h = sample_history();
  const auto& ev = h.events();
  CHECK(line_of(ev[0])
        == R"({"index":0,"time":1000,"process":3,"type":"invoke","f":"append",)"
           R"("value":{"client":3,"seq":17,"entries":[{"id":"3:17:0",)"
           R"("ts":1700000000123,"source":"client-3"}]}})");
  CHECK(line_of(ev[1])
        == R"({"index":1,"time":1500,"process":4,"type":"invoke","f":"read",)"
           R"("value":{"from":100,"to":200}})");
  CHECK(line_of(ev[2])
        == R"({"index":2,"time":2000,"process":3,"type":"ok","f":"append",)"
           R"("value":{"client":3,"seq":17,"entries":[{"id":"3:17:0",)"
           R"("ts":1700000000123,"source":"client-3"}],"batch":42},)"
           R"("node":"master"})");
  CHECK(line_of(ev[3])
        == R"({"index":3,"time":2500,"process":"nemesis","type":"info",)"
           R"("f":"nemesis","value":"crash storage-2"})");
  CHECK(line_of(ev[4])
        == R"({"index":4,"time":3000,"process":4,"type":"ok","f":"read",)"
           R"("value":{"from":100,"to":200,"complete":false,)"
           R"("missing":[[110,120],[130,140]],"entries":[{"id":"3:17:0",)"
           R"("ts":150,"source":"client-3"}]},"node":"master"})");
  CHECK(line_of(ev[7])
        == R"({"index":7,"time":3300,"process":6,"type":"fail","f":"append",)"
           R"("value":{"client":6,"seq":1,"entries":[]},"error":{"code":1,)"
           R"("name":"not_enough_nodes","definite":true,)"
           R"("text":"only 1 of 2 nodes alive"}})");
  CHECK(line_of(ev[12])
        == R"({"index":12,"time":9400,"process":8,"type":"info","f":"read",)"
           R"("value":{"from":5,"to":6},"error":{"code":4,"name":"timeout",)"
           R"("definite":false,"text":""}})");
}

TEST_CASE("write then read gives back the same events and bytes") {
  auto h = sample_history();
  auto text = to_jsonl(h);
  std::istringstream in{text};
  history back;
  std::string err;
  REQUIRE_MESSAGE(history::read_jsonl(in, back, err), err);
  REQUIRE(back.size() == h.size());
  for (size_t i = 0; i < h.size(); ++i)
    CHECK_MESSAGE(same_event(h.events()[i], back.events()[i]), "event ", i);
  CHECK(to_jsonl(back) == text);
}

TEST_CASE("extreme numbers survive the round trip") {
  history_builder b;
  auto big = std::numeric_limits<uint64_t>::max();
  auto low = std::numeric_limits<int64_t>::min();
  auto high = std::numeric_limits<int64_t>::max();
  b.at(0).append(big, big, big, {entry_ref{big, big, UINT32_MAX, low, ""}});
  b.at(high).read(1, {low, high});
  b.read_ok(1, {}, {{low, high}});
  auto text = to_jsonl(b.get());
  std::istringstream in{text};
  history back;
  std::string err;
  REQUIRE_MESSAGE(history::read_jsonl(in, back, err), err);
  CHECK(to_jsonl(back) == text);
  CHECK(back.events()[0].entries[0].client == big);
  CHECK(back.events()[0].entries[0].ts == low);
  CHECK(back.events()[2].missing[0] == time_range{low, high});
}

TEST_CASE("strings are escaped and survive the round trip") {
  std::string nasty = "q\"b\\s/n\nr\rt\tb\bf\fc\x01\x1f del\x7f utf8:\xc3\xa9";
  history_builder b;
  b.at(1).append(1, 1, 1, {entry_ref{1, 1, 0, 5, nasty}});
  b.at(2).info(1, errc::timeout, nasty);
  b.at(3).nemesis(nasty);
  auto text = to_jsonl(b.get());
  CHECK(text.find(R"(q\"b\\s/n\nr\rt\tb\bf\fc\u0001\u001f del)")
        != std::string::npos);
  CHECK(text.find("\xc3\xa9") != std::string::npos); // UTF-8 passes through
  std::istringstream in{text};
  history back;
  std::string err;
  REQUIRE_MESSAGE(history::read_jsonl(in, back, err), err);
  CHECK(back.events()[0].entries[0].source == nasty);
  CHECK(back.events()[1].text == nasty);
  CHECK(back.events()[2].text == nasty);
}

TEST_CASE("blank lines and a run header are skipped") {
  auto text = "\n" + to_jsonl(sample_history()) + "  \n";
  text = R"({"run":{"seed":42}})" + std::string{"\n"} + text;
  std::istringstream in{text};
  history back;
  std::string err;
  REQUIRE_MESSAGE(history::read_jsonl(in, back, err), err);
  CHECK(back.size() == sample_history().size());
}

TEST_CASE("bad input gives a line number and a reason") {
  auto good = to_jsonl(sample_history());
  auto first = good.substr(0, good.find('\n') + 1);
  auto with = [&](const std::string& line) { return first + line + "\n"; };
  const char* prefix = R"({"index":1,"time":5,"process":1,"type":)";
  auto append = [&](const std::string& value) {
    return with(prefix + std::string{R"("invoke","f":"append","value":)"}
                + value + "}");
  };
  CHECK(parse_error(with("{\"index\":1,"))
        == "line 2: bad JSON: column 12: syntax error while parsing object key"
           " - unexpected end of input; expected string literal");
  CHECK(parse_error(with("[1,2]")) == "line 2: expected a JSON object");
  CHECK(parse_error(with(R"({"index":1})"))
        == R"(line 2: missing field "time")");
  CHECK(parse_error(with(R"({"index":1,"time":"5"})"))
        == R"(line 2: field "time" must be a 64-bit integer)");
  CHECK(parse_error(with(R"({"index":-1,"time":5})"))
        == R"(line 2: field "index" must be a non-negative integer)");
  CHECK(parse_error(with(prefix + std::string{R"("done","f":"read"})"}))
        == R"(line 2: unknown type "done")");
  CHECK(parse_error(append(R"({"client":1,"seq":2})"))
        == R"(line 2: missing field "value.entries")");
  CHECK(parse_error(append(R"({"client":1,"seq":2,"entries":[)"
                           R"({"id":"1:2","ts":1,"source":""}]})"))
        == R"(line 2: field "value.entries[0].id" must look like)"
           R"( client:seq:index, got "1:2")");
  CHECK(parse_error(append(R"({"client":1,"seq":2,"entries":[)"
                           R"({"id":"1:2:0","ts":1.5,"source":""}]})"))
        == R"(line 2: field "value.entries[0].ts" must be a 64-bit integer)");
  CHECK(parse_error(with(R"({"index":7,"time":5,"process":1,"type":"invoke",)"
                         R"("f":"read","value":{"from":1,"to":2}})"))
        == "line 2: index 7 but expected 1");
  CHECK(parse_error(with(R"({"index":1,"time":5,"process":1,"type":"invoke",)"
                         R"("f":"read","value":{"from":1,"to":2}})"))
        == "line 2: time 5 is before the previous event's time 1000");
}

TEST_CASE("bad error objects and nemesis lines are rejected") {
  auto fail_line = [](const std::string& error) {
    return R"({"index":0,"time":1,"process":1,"type":"fail","f":"read",)"
           R"("value":{"from":1,"to":2},"error":)"
           + error + "}\n";
  };
  CHECK(parse_error(fail_line(R"({"code":4,"definite":false,"text":""})"))
        == "line 1: error.definite must be true when type is fail");
  CHECK(parse_error(fail_line(R"({"code":200,"definite":true,"text":""})"))
        == "line 1: unknown error code 200");
  CHECK(parse_error(fail_line("3"))
        == R"(line 1: field "error" must be an object)");
  CHECK(parse_error(R"({"index":0,"time":1,"process":3,"type":"info",)"
                    R"("f":"nemesis","value":"x"})")
        == R"(line 1: field "process" must be a string)");
}

TEST_CASE("hostile input does not crash the reader") {
  CHECK(parse_error(std::string(100000, '[')).rfind("line 1: bad JSON", 0)
        == 0);
  auto nul = std::string{"{\"index\":0,"} + '\0' + "}";
  CHECK(parse_error(nul).rfind("line 1: bad JSON", 0) == 0);
  CHECK(parse_error("{\"a\":\"\xff\xfe\"}\n").rfind("line 1: bad JSON", 0)
        == 0);
  CHECK(parse_error("{\"index\":0,\"time\":1e400}\n")
        == "line 1: bad JSON: number overflow parsing '1e400'");
  CHECK(parse_error("{\"index\":0,\"time\":1e10}\n")
        == R"(line 1: field "time" must be a 64-bit integer)");
  CHECK(parse_error("{\"index\":18446744073709551616,\"time\":1}\n")
        == R"(line 1: field "index" must be a non-negative integer)");
}
