// logstore — log level names.
#include "core/base/event_log.hpp"

namespace logstore {

std::string_view to_string(log_level x) {
  switch (x) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "unknown";
}

} // namespace logstore
