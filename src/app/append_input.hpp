// logstore — `logstore append` input: reading standard input line by line
// (with an idle timeout, so a slow producer's partial batch still goes out)
// and turning each line into an entry.
// Layer: app. The one app translation unit that includes nlohmann/json.
#pragma once

#include "core/base/types.hpp"

#include <string>
#include <string_view>

namespace logstore::app {

enum class line_kind { entry, blank, malformed };

/// A line starting with '{' must be a JSON object {"ts": <int64 us>,
/// "source": "...", "msg": "..."} ("source" defaults to `source`); any other
/// non-blank line is plain text stamped with `now` and `source`.
line_kind parse_input_line(std::string_view line, timestamp_us now,
                           const std::string& source, entry& out,
                           std::string& why);

enum class read_status { line, idle, eof };

/// Reads lines from a file descriptor with its own buffer.
class line_source {
public:
  explicit line_source(int fd) : fd_(fd) {
  }

  /// Next line without its '\n' (and '\r'). `idle` when nothing complete
  /// arrived within `wait_us` (negative = wait forever).
  read_status next(std::string& line, int64_t wait_us);

private:
  int fd_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
};

} // namespace logstore::app
