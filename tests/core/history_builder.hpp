// logstore — a small builder for hand-written histories in tests.
// Layer: tests (core tier; no CAF). Completions copy the open invoke's
// fields, as the real recorder does, so tests only state what matters.
#pragma once

#include "core/history/history.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace logstore::test {

/// An entry written by `client` (source "client-<client>").
inline entry_ref make_entry(client_id client, sequence_nr seq, uint32_t index,
                            timestamp_us ts) {
  return entry_ref{client, seq, index, ts, "client-" + std::to_string(client)};
}

/// `n` entries of batch (client, seq) with timestamps ts0, ts0 + 1, ...
inline std::vector<entry_ref> make_batch(client_id client, sequence_nr seq,
                                         uint32_t n, timestamp_us ts0) {
  std::vector<entry_ref> out;
  for (uint32_t i = 0; i < n; ++i)
    out.push_back(make_entry(client, seq, i, ts0 + i));
  return out;
}

/// Concatenates entry lists (e.g. what a read returns).
inline std::vector<entry_ref> concat(std::vector<std::vector<entry_ref>> xs) {
  std::vector<entry_ref> out;
  for (auto& x : xs)
    out.insert(out.end(), x.begin(), x.end());
  return out;
}

class history_builder {
public:
  /// Sets the time (µs) of the events that follow. Never goes back.
  history_builder& at(time_us t) {
    now_ = t;
    return *this;
  }

  uint64_t append(uint64_t process, client_id client, sequence_nr seq,
                  std::vector<entry_ref> entries) {
    history_event ev = make(process, op_type::invoke, op_fn::append);
    ev.client = client;
    ev.seq = seq;
    ev.entries = std::move(entries);
    return invoke(std::move(ev));
  }

  uint64_t append_ok(uint64_t process, batch_id batch = 1) {
    auto ev = complete(process, op_type::ok);
    ev.batch = batch;
    ev.node = "master";
    return h_.add(std::move(ev));
  }

  uint64_t read(uint64_t process, time_range range,
                op_fn f = op_fn::read) {
    history_event ev = make(process, op_type::invoke, f);
    ev.range = range;
    return invoke(std::move(ev));
  }

  /// A complete read when `missing` is empty.
  uint64_t read_ok(uint64_t process, std::vector<entry_ref> entries,
                   std::vector<time_range> missing = {}) {
    auto ev = complete(process, op_type::ok);
    ev.entries = std::move(entries);
    ev.complete = missing.empty();
    ev.missing = std::move(missing);
    ev.node = "master";
    return h_.add(std::move(ev));
  }

  /// A definite failure (type fail).
  uint64_t fail(uint64_t process, errc code = errc::replication_failed,
                std::string text = "") {
    auto ev = complete(process, op_type::fail);
    ev.error = code;
    ev.text = std::move(text);
    return h_.add(std::move(ev));
  }

  /// An indefinite outcome (type info).
  uint64_t info(uint64_t process, errc code = errc::timeout,
                std::string text = "") {
    auto ev = complete(process, op_type::info);
    ev.error = code;
    ev.text = std::move(text);
    return h_.add(std::move(ev));
  }

  uint64_t nemesis(std::string text) {
    history_event ev = make(0, op_type::info, op_fn::nemesis);
    ev.text = std::move(text);
    return h_.add(std::move(ev));
  }

  const history& get() const {
    return h_;
  }

private:
  history_event make(uint64_t process, op_type type, op_fn f) const {
    history_event ev;
    ev.time = now_;
    ev.process = process;
    ev.type = type;
    ev.f = f;
    return ev;
  }

  uint64_t invoke(history_event ev) {
    open_[ev.process] = ev;
    return h_.add(std::move(ev));
  }

  /// The completion of `process`'s open operation, with its request fields.
  history_event complete(uint64_t process, op_type type) {
    auto i = open_.find(process);
    history_event ev = i != open_.end()
                         ? i->second
                         : make(process, type, op_fn::append);
    if (i != open_.end())
      open_.erase(i);
    ev.time = now_;
    ev.type = type;
    return ev;
  }

  history h_;
  time_us now_ = 0;
  std::map<uint64_t, history_event> open_;
};

} // namespace logstore::test
