// logstore — the real cluster's event sink: one JSON object per line on
// stderr, {"ts","level","node","event","msg"}, with a stable snake_case event
// name per line. It also counts events by name for the metrics endpoint.
// Layer: net. Thread-safe: actors on several scheduler threads emit at once.
#pragma once

#include "core/base/event_log.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace logstore::net {

class json_log final : public event_sink {
public:
  /// Lines below `print_min` are counted but not printed.
  explicit json_log(log_level print_min = log_level::info,
                    std::FILE* out = stderr)
    : print_min_(print_min), out_(out) {
  }

  /// `now` (the actor clock) is ignored: lines carry wall time, which is
  /// what an operator correlates across machines.
  void emit(time_us now, log_level level, const std::string& node,
            std::string_view event, std::string text) override;

  void tally(std::string_view event, uint64_t n) override;

  /// How many times `event` was emitted (printed or not), plus its tallies.
  uint64_t count(const std::string& event) const;

private:
  log_level print_min_;
  std::FILE* out_;
  mutable std::mutex mtx_;
  std::map<std::string, uint64_t, std::less<>> counts_;
};

/// Parses "debug", "info", "warn" or "error".
bool parse_log_level(const std::string& str, log_level& out);

} // namespace logstore::net
