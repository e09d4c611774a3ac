// logstore — structured events: what a node did and why, in plain words.
// Layer: core (interface only). The simulator collects events stamped with
// virtual time (kept out of the determinism hash only by choice: they are
// deterministic too); the real cluster writes them as JSON lines on stderr.
#pragma once

#include "core/base/types.hpp"

#include <string>
#include <string_view>

namespace logstore {

enum class log_level : uint8_t { debug, info, warn, error };

std::string_view to_string(log_level x);

class event_sink {
public:
  virtual ~event_sink() = default;

  /// `event` is a stable snake_case name (e.g. "store_timeout"); `text`
  /// explains it for a human reader.
  virtual void emit(time_us now, log_level level, const std::string& node,
                    std::string_view event, std::string text)
    = 0;

  /// Adds `n` to the count of `event` without a line (a counter for
  /// metrics, too frequent to log). Ignored unless a sink counts.
  virtual void tally(std::string_view event, uint64_t n) {
    (void) event, (void) n;
  }

  /// `node` (the master) now holds `subject` to be `state` ("up",
  /// "suspect", "dead"). Structured, so no one parses event text for it;
  /// sent whatever the log level. Ignored unless a sink wants it.
  virtual void on_verdict(time_us now, const std::string& node,
                          const std::string& subject, std::string_view state) {
    (void) now, (void) node, (void) subject, (void) state;
  }
  /// Epochs, structured for the oracle (single-active-master): `node` is a
  /// master that became "active" or "standby" at `epoch`, a master that
  /// "acked" a write under `epoch`, or a storage node that "promised"
  /// `epoch` or "accepted" a command of `epoch`.
  virtual void on_epoch(time_us now, const std::string& node,
                        std::string_view what, uint64_t epoch) {
    (void) now, (void) node, (void) what, (void) epoch;
  }
};

} // namespace logstore
