// logstore — network addresses as operators type them: "HOST:PORT",
// "[IPv6]:PORT". Also RFC 3339 time stamps (logs, --from/--to).
// Layer: net (standard library only, no CAF): the CLI, the runtime and the
// directory share these parsers, so every command accepts the same forms.
#pragma once

#include "core/base/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logstore::net {

struct endpoint {
  std::string host; ///< name or address, without IPv6 brackets
  uint16_t port = 0;
};

/// Parses "host:port" or "[v6addr]:port"; on error returns nullopt and sets
/// `err` to a sentence saying what is wrong. Port 0 is allowed only when
/// `allow_zero_port` (listen addresses: "pick a free port").
std::optional<endpoint> parse_endpoint(std::string_view str, std::string& err,
                                       bool allow_zero_port = false);

/// "host:port", with brackets around IPv6 literals.
std::string to_string(const endpoint& x);

/// Formats microseconds since the Unix epoch as RFC 3339 UTC with six
/// fractional digits, e.g. "2025-11-25T05:20:01.123456Z".
std::string format_rfc3339(timestamp_us t);

/// Parses a time given on the command line: an integer (microseconds since
/// the epoch) or RFC 3339 ("2025-01-01T00:00:00Z", fractions and +hh:mm
/// offsets allowed, 't'/'z'/space accepted). nullopt + `err` on failure.
std::optional<timestamp_us> parse_time_arg(std::string_view str,
                                           std::string& err);

/// Microseconds since the Unix epoch, from the wall clock.
timestamp_us wall_now_us();

} // namespace logstore::net
