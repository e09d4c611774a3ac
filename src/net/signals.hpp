// logstore — SIGINT/SIGTERM as an event the main thread can wait for.
// Layer: net. The handler only writes one byte to a self-pipe (async-signal
// safe); the main thread polls the pipe with a timeout and then runs the
// shutdown sequence itself (runtime.hpp), never inside the handler.
#pragma once

#include "core/base/types.hpp"

namespace logstore::net {

/// Installs the handlers (idempotent). Call before starting any thread.
void install_stop_signals();

/// Waits up to `timeout` (us; negative = forever) for SIGINT or SIGTERM.
/// Returns true once one has arrived (and keeps returning true).
bool wait_for_stop_signal(time_us timeout);

/// The number of the signal that arrived, or 0.
int stop_signal_number();

} // namespace logstore::net
