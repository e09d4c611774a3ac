// logstore — JSON-lines event sink.
#include "net/json_log.hpp"

#include "net/endpoint.hpp"
#include "core/base/json_text.hpp"

namespace logstore::net {

void json_log::emit(time_us, log_level level, const std::string& node,
                    std::string_view event, std::string text) {
  std::string line;
  if (level >= print_min_) {
    line.reserve(96 + text.size());
    line += "{\"ts\":\"";
    line += format_rfc3339(wall_now_us());
    line += "\",\"level\":\"";
    line += to_string(level);
    line += "\",\"node\":";
    append_json_string(line, node);
    line += ",\"event\":";
    append_json_string(line, event);
    line += ",\"msg\":";
    append_json_string(line, text);
    line += "}\n";
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto i = counts_.find(event); i != counts_.end())
    ++i->second;
  else
    counts_.emplace(std::string{event}, 1);
  if (!line.empty()) {
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }
}

void json_log::tally(std::string_view event, uint64_t n) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto i = counts_.find(event); i != counts_.end())
    i->second += n;
  else
    counts_.emplace(std::string{event}, n);
}

uint64_t json_log::count(const std::string& event) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = counts_.find(event);
  return i == counts_.end() ? 0 : i->second;
}

bool parse_log_level(const std::string& str, log_level& out) {
  for (auto x : {log_level::debug, log_level::info, log_level::warn,
                 log_level::error})
    if (str == to_string(x)) {
      out = x;
      return true;
    }
  return false;
}

} // namespace logstore::net
