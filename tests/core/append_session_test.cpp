// logstore — the client session both runtimes share
// (src/core/client/append_session.hpp; docs/protocol.md, "From outcome to
// history").
#include "core/client/append_session.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("append session: retryable errors are retried with the same "
          "attempt count and a doubling back-off") {
  retry_policy p;
  p.retries = 3;
  append_attempts a{p};
  CHECK(a.begin() == 0);
  auto d = a.on_error(errc::timeout);
  CHECK(d.retry);
  CHECK(d.delay == 100'000);
  CHECK(a.begin() == 1);
  d = a.on_error(errc::in_doubt);
  CHECK(d.retry);
  CHECK(d.delay == 200'000);
  CHECK(a.begin() == 2);
  d = a.on_error(errc::unavailable);
  CHECK(d.retry);
  CHECK(d.delay == 400'000);
  CHECK(a.begin() == 3);
  d = a.on_error(errc::timeout);
  CHECK_FALSE(d.retry); // retries used up: it may be stored
  CHECK(d.outcome == op_type::info);
  CHECK(a.attempts() == 4);
}

TEST_CASE("append session: back-off stops doubling at backoff_max") {
  retry_policy p;
  CHECK(backoff(p, 1) == 100'000);
  CHECK(backoff(p, 5) == 1'600'000);
  CHECK(backoff(p, 6) == 2'000'000);
  CHECK(backoff(p, 60) == 2'000'000);
}

TEST_CASE("append session: a definite answer is final, even after a "
          "timeout") {
  append_attempts a;
  a.begin();
  CHECK(a.on_error(errc::timeout).retry);
  a.begin();
  auto d = a.on_error(errc::replication_failed);
  CHECK_FALSE(d.retry);
  CHECK(d.outcome == op_type::fail);
  append_attempts b;
  b.begin();
  d = b.on_error(errc::malformed_request);
  CHECK_FALSE(d.retry);
  CHECK(d.outcome == op_type::fail);
}

TEST_CASE("append session: unreachable is definite only if no attempt got "
          "out") {
  retry_policy p;
  p.retries = 1;
  SUBCASE("never reached") {
    append_attempts a{p};
    a.begin();
    CHECK(a.on_error(errc::unreachable).retry);
    a.begin();
    auto d = a.on_error(errc::unreachable);
    CHECK_FALSE(d.retry);
    CHECK(d.outcome == op_type::fail);
    CHECK_FALSE(a.maybe_sent());
  }
  SUBCASE("an earlier attempt timed out") {
    append_attempts a{p};
    a.begin();
    CHECK(a.on_error(errc::timeout).retry);
    a.begin();
    auto d = a.on_error(errc::unreachable);
    CHECK_FALSE(d.retry);
    CHECK(d.outcome == op_type::info); // the first may be stored
    CHECK(a.maybe_sent());
  }
}

TEST_CASE("append session: retries = 0 gives one attempt") {
  retry_policy p;
  p.retries = 0;
  append_attempts a{p};
  a.begin();
  auto d = a.on_error(errc::in_doubt);
  CHECK_FALSE(d.retry);
  CHECK(d.outcome == op_type::info);
}

TEST_CASE("read outcome: refused is definite, timed out is indefinite") {
  CHECK(read_outcome(errc::unavailable) == op_type::fail);
  CHECK(read_outcome(errc::timeout) == op_type::info);
}

TEST_CASE("process ids: an indefinite outcome retires its process") {
  process_ids ids{3, 4};
  auto a = ids.take();
  CHECK(a == 3);
  auto b = ids.take(); // concurrent: a second process
  CHECK(b == 7);
  ids.release(a, op_type::ok);
  CHECK(ids.take() == 3); // free again after ok
  ids.release(b, op_type::info);
  CHECK(ids.take() == 11); // 7 is never used again
  ids.release(11, op_type::fail);
  CHECK(ids.take() == 11);
}

TEST_CASE("history events of an append carry every entry and the node") {
  append_req req;
  req.client = 2;
  req.seq = 9;
  req.entries.resize(2);
  req.entries[0].ts = 10;
  req.entries[0].source = "a";
  req.entries[1].ts = 20;
  req.entries[1].source = "b";
  auto inv = append_event(op_type::invoke, req, 100, 5, "master");
  CHECK(inv.type == op_type::invoke);
  CHECK(inv.node.empty());
  REQUIRE(inv.entries.size() == 2);
  CHECK(inv.entries[1].index == 1);
  CHECK(inv.entries[1].ts == 20);
  auto ok = append_event(op_type::ok, req, 200, 5, "master", 42);
  CHECK(ok.batch == 42);
  CHECK(ok.node == "master");
  CHECK(ok.client == 2);
  CHECK(ok.seq == 9);
  auto fail = append_event(op_type::fail, req, 300, 5, "master", 0,
                           errc::replication_failed);
  CHECK(fail.error == errc::replication_failed);
}

TEST_CASE("history event of a read holds its result") {
  read_result res;
  res.complete = false;
  res.missing = {{5, 6}};
  res.entries.resize(1);
  res.entries[0].client = 1;
  res.entries[0].seq = 2;
  res.entries[0].ts = 5;
  auto ev = read_event(op_type::ok, op_fn::read, {0, 10}, 50, 1, "master",
                       errc::none, &res);
  CHECK_FALSE(ev.complete);
  CHECK(ev.missing.size() == 1);
  REQUIRE(ev.entries.size() == 1);
  CHECK(ev.entries[0].seq == 2);
  auto failed = read_event(op_type::fail, op_fn::read, {0, 10}, 60, 1,
                           "master", errc::unavailable, nullptr);
  CHECK(failed.entries.empty());
  CHECK(failed.error == errc::unavailable);
}
