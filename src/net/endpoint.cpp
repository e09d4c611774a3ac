// logstore — endpoint and time-stamp parsing and formatting.
#include "net/endpoint.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace logstore::net {

namespace {

bool parse_uint(std::string_view str, uint64_t& out) {
  if (str.empty())
    return false;
  auto res = std::from_chars(str.data(), str.data() + str.size(), out);
  return res.ec == std::errc{} && res.ptr == str.data() + str.size();
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

/// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

std::optional<timestamp_us> parse_rfc3339(std::string_view s) {
  unsigned y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-'
      || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d)
      || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi)
      || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
      frac_us += (s[pos] - '0') * scale;
      scale /= 10;
    }
    if (pos == start)
      return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    unsigned oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':'
        || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_s = (s[pos] == '+' ? 1 : -1) * static_cast<int64_t>(oh * 3600
                                                               + om * 60);
    pos += 6;
  } else {
    return std::nullopt; // RFC 3339 requires a zone
  }
  if (pos != s.size())
    return std::nullopt;
  auto days = days_from_civil(y, mo, d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return secs * 1'000'000 + frac_us;
}

} // namespace

std::optional<endpoint> parse_endpoint(std::string_view str, std::string& err,
                                       bool allow_zero_port) {
  endpoint out;
  std::string_view port_str;
  if (!str.empty() && str.front() == '[') {
    auto close = str.find(']');
    if (close == std::string_view::npos || close + 1 >= str.size()
        || str[close + 1] != ':') {
      err = "'" + std::string{str} + "' is not [IPv6]:PORT";
      return std::nullopt;
    }
    out.host = std::string{str.substr(1, close - 1)};
    port_str = str.substr(close + 2);
  } else {
    auto colon = str.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      err = "'" + std::string{str} + "' is not HOST:PORT (e.g. 10.0.0.1:7000)";
      return std::nullopt;
    }
    out.host = std::string{str.substr(0, colon)};
    if (out.host.find(':') != std::string::npos) {
      err = "'" + std::string{str}
            + "': write IPv6 addresses in brackets, e.g. [::1]:7000";
      return std::nullopt;
    }
    port_str = str.substr(colon + 1);
  }
  uint64_t port = 0;
  if (out.host.empty() || !parse_uint(port_str, port) || port > 65535
      || (port == 0 && !allow_zero_port)) {
    err = "'" + std::string{str} + "' has no valid port (1-65535)";
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::string to_string(const endpoint& x) {
  if (x.host.find(':') != std::string::npos)
    return "[" + x.host + "]:" + std::to_string(x.port);
  return x.host + ":" + std::to_string(x.port);
}

std::string format_rfc3339(timestamp_us t) {
  auto secs = t >= 0 ? t / 1'000'000 : (t - 999'999) / 1'000'000;
  auto us = t - secs * 1'000'000;
  auto days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60), static_cast<long long>(us));
  return buf;
}

std::optional<timestamp_us> parse_time_arg(std::string_view str,
                                           std::string& err) {
  int64_t value = 0;
  auto res = std::from_chars(str.data(), str.data() + str.size(), value);
  if (!str.empty() && res.ec == std::errc{} && res.ptr == str.data() + str.size())
    return value;
  if (auto t = parse_rfc3339(str))
    return t;
  err = "'" + std::string{str}
        + "' is neither microseconds since the epoch (e.g. 1700000000000000) "
          "nor an RFC 3339 time (e.g. 2025-01-01T00:00:00Z)";
  return std::nullopt;
}

timestamp_us wall_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch())
    .count();
}

} // namespace logstore::net
