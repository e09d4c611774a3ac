// logstore — the one JSON string writer of the whole program: histories,
// run reports, log lines, read and status output, metrics labels.
// Layer: core/base (standard library only).
//
// Bytes >= 0x80 pass through unchanged, so UTF-8 stays UTF-8; '"', '\' and
// every control character are escaped (\n \r \t \b \f by name, the others
// as \u00XX), so any byte string becomes valid JSON and nothing is dropped.
#pragma once

#include <string>
#include <string_view>

namespace logstore {

namespace detail {

inline bool json_needs_escape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

inline void json_put_escaped(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  static constexpr char hex[] = "0123456789abcdef";
  auto u = static_cast<unsigned char>(c);
  out += "\\u00";
  out += hex[u >> 4];
  out += hex[u & 0xf];
}

} // namespace detail

/// Appends `str` to `out` as a quoted JSON string.
inline void append_json_string(std::string& out, std::string_view str) {
  out += '"';
  size_t run = 0; // start of the current run of bytes that need no escape
  for (size_t i = 0; i < str.size(); ++i) {
    if (!detail::json_needs_escape(str[i]))
      continue;
    out.append(str.data() + run, i - run);
    detail::json_put_escaped(out, str[i]);
    run = i + 1;
  }
  out.append(str.data() + run, str.size() - run);
  out += '"';
}

/// `str` as a quoted JSON string.
inline std::string json_string(std::string_view str) {
  std::string out;
  out.reserve(str.size() + 2);
  append_json_string(out, str);
  return out;
}

/// The inside of a JSON string, without the quotes (for text written
/// between quotes the caller already wrote).
inline std::string json_escape(std::string_view str) {
  auto out = json_string(str);
  return out.substr(1, out.size() - 2);
}

} // namespace logstore
