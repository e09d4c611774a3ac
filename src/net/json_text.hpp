// logstore — writing JSON strings by hand (log lines, read output, metrics
// labels). Layer: net, standard library only. Bytes >= 0x80 pass through, so
// UTF-8 stays UTF-8; '"', '\' and control characters are escaped.
#pragma once

#include <string>
#include <string_view>

namespace logstore::net {

/// Appends `str` to `out` as a quoted JSON string.
inline void append_json_string(std::string& out, std::string_view str) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char c : str) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

inline std::string json_string(std::string_view str) {
  std::string out;
  out.reserve(str.size() + 2);
  append_json_string(out, str);
  return out;
}

} // namespace logstore::net
