// logstore — the one JSON string writer (src/core/base/json_text.hpp).
#include "core/base/json_text.hpp"

#include <doctest/doctest.h>

using namespace logstore;

TEST_CASE("json strings: quotes, backslashes and named control characters") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("a\"b") == "\"a\\\"b\"");
  CHECK(json_string("a\\b") == "\"a\\\\b\"");
  CHECK(json_string("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(json_string("") == "\"\"");
}

TEST_CASE("json strings: other control characters become \\u00XX, none is "
          "dropped") {
  CHECK(json_string(std::string_view{"\x01", 1}) == "\"\\u0001\"");
  CHECK(json_string("\x1f") == "\"\\u001f\"");
  CHECK(json_string(std::string_view{"a\0b", 3}) == "\"a\\u0000b\"");
  CHECK(json_string("\x7f") == "\"\x7f\""); // DEL is allowed in JSON
}

TEST_CASE("json strings: UTF-8 passes through unchanged") {
  CHECK(json_string("\xc2\xb5s \xe2\x9c\x93") == "\"\xc2\xb5s \xe2\x9c\x93\"");
}

TEST_CASE("json strings: appending and the unquoted form agree") {
  std::string out = "x=";
  append_json_string(out, "a\"\n");
  CHECK(out == "x=\"a\\\"\\n\"");
  CHECK(json_escape("a\"\n") == "a\\\"\\n");
}
