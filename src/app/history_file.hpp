// logstore — a history file shared by several client commands: `append
// --history F` and `read --history F [--final]` each add their operations to
// the same JSON-lines file, which `logstore check F` then judges.
// Layer: app.
#pragma once

#include "core/history/history.hpp"

#include <string>

namespace logstore::app {

/// Loads `path` into `h` (a missing file is an empty history). Empty on
/// success, else what is wrong.
std::string load_history(const std::string& path, history& h);

/// Appends events [first, h.size()) to `path`. Empty on success.
std::string append_history(const std::string& path, const history& h,
                           size_t first);

/// Monotonic microseconds (CLOCK_MONOTONIC: shared by all processes of a
/// machine, so one file can collect several commands' operations).
time_us monotonic_us();

} // namespace logstore::app
