// logstore — append input parsing.
#include "app/append_input.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace logstore::app {

line_kind parse_input_line(std::string_view line, timestamp_us now,
                           const std::string& source, entry& out,
                           std::string& why) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos)
    return line_kind::blank;
  if (line.front() != '{') {
    out = entry{now, source, std::string{line}};
    return line_kind::entry;
  }
  auto obj = nlohmann::json::parse(line, nullptr, false);
  if (obj.is_discarded() || !obj.is_object()) {
    why = "not valid JSON (a line starting with '{' must be a JSON object)";
    return line_kind::malformed;
  }
  auto ts = obj.find("ts");
  if (ts == obj.end() || !ts->is_number_integer()) {
    why = "\"ts\" must be an integer (microseconds since the epoch)";
    return line_kind::malformed;
  }
  if (ts->is_number_unsigned()
      && ts->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    why = "\"ts\" does not fit in 64 signed bits";
    return line_kind::malformed;
  }
  auto msg = obj.find("msg");
  if (msg == obj.end() || !msg->is_string()) {
    why = "\"msg\" must be a string";
    return line_kind::malformed;
  }
  auto src = obj.find("source");
  if (src != obj.end() && !src->is_string()) {
    why = "\"source\" must be a string";
    return line_kind::malformed;
  }
  out.ts = ts->get<int64_t>();
  out.source = src != obj.end() ? src->get<std::string>() : source;
  out.payload = msg->get<std::string>();
  return line_kind::entry;
}

read_status line_source::next(std::string& line, int64_t wait_us) {
  for (;;) {
    auto nl = buf_.find('\n', pos_);
    if (nl != std::string::npos || (eof_ && pos_ < buf_.size())) {
      auto end = nl == std::string::npos ? buf_.size() : nl;
      line.assign(buf_, pos_, end - pos_);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
      if (pos_ > (1u << 20)) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      return read_status::line;
    }
    if (eof_)
      return read_status::eof;
    pollfd p{fd_, POLLIN, 0};
    int ms = wait_us < 0 ? -1 : static_cast<int>(wait_us / 1000);
    int n = ::poll(&p, 1, ms);
    if (n == 0)
      return read_status::idle;
    if (n < 0 && errno == EINTR)
      return read_status::idle;
    char chunk[65536];
    auto got = ::read(fd_, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      eof_ = true;
    else
      buf_.append(chunk, static_cast<size_t>(got));
  }
}

} // namespace logstore::app
