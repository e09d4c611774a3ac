// logstore — the history: recording, names, and the JSON Lines reader.
// Layer: core. This is the ONE core translation unit that includes
// nlohmann/json (header-only, slow to compile; reading only). Writing is
// hand-written in history_writer.cpp. Format: docs/history.md.
//
// The reader takes untrusted input (G8: it must survive fuzzing): it never
// throws, never asserts on input, and reports the first problem as
// "line N: what is wrong".
#include "core/history/history.hpp"

#include "core/base/assert.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <istream>
#include <limits>

namespace logstore {

std::string_view to_string(op_type x) {
  switch (x) {
    case op_type::invoke: return "invoke";
    case op_type::ok: return "ok";
    case op_type::fail: return "fail";
    case op_type::info: return "info";
  }
  return "unknown";
}

std::string_view to_string(op_fn x) {
  switch (x) {
    case op_fn::append: return "append";
    case op_fn::read: return "read";
    case op_fn::final_read: return "final-read";
    case op_fn::nemesis: return "nemesis";
  }
  return "unknown";
}

uint64_t history::add(history_event ev) {
  LOGSTORE_ASSERT(events_.empty() || events_.back().time <= ev.time);
  ev.index = events_.size();
  events_.push_back(std::move(ev));
  LOGSTORE_ASSERT(events_.back().index + 1 == events_.size());
  return events_.back().index;
}

namespace {

using json = nlohmann::json;

/// Finds the enum value named `str` among `all`.
template <class Enum, size_t N>
bool parse_name(std::string_view str, const Enum (&all)[N], Enum& x) {
  for (auto candidate : all)
    if (to_string(candidate) == str) {
      x = candidate;
      return true;
    }
  return false;
}

constexpr op_type all_op_types[] = {op_type::invoke, op_type::ok,
                                    op_type::fail, op_type::info};
constexpr op_fn all_op_fns[] = {op_fn::append, op_fn::read, op_fn::final_read,
                                op_fn::nemesis};

bool parse_u64(std::string_view str, uint64_t& x) {
  if (str.empty())
    return false;
  auto res = std::from_chars(str.data(), str.data() + str.size(), x);
  return res.ec == std::errc{} && res.ptr == str.data() + str.size();
}

/// Parses "client:seq:index" (decimal, nothing else).
bool parse_entry_id(std::string_view str, entry_ref& e) {
  auto first = str.find(':');
  auto second = first == str.npos ? str.npos : str.find(':', first + 1);
  if (second == str.npos)
    return false;
  uint64_t index = 0;
  if (!parse_u64(str.substr(0, first), e.client)
      || !parse_u64(str.substr(first + 1, second - first - 1), e.seq)
      || !parse_u64(str.substr(second + 1), index)
      || index > std::numeric_limits<uint32_t>::max())
    return false;
  e.index = static_cast<uint32_t>(index);
  return true;
}

/// Captures nlohmann's parse error text without exceptions: the reader
/// parses with allow_exceptions=false and, only on failure, reparses with
/// this SAX handler to learn what was wrong and where.
struct parse_error_capture : nlohmann::json_sax<json> {
  std::string what;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 12:
    // syntax error ..." becomes "column 12: syntax error ...": each line is
    // parsed alone, so nlohmann's own line number is always 1.
    std::string_view text = ex.what();
    auto pos = text.find("column ");
    if (pos == text.npos)
      pos = text.find("] ") == text.npos ? 0 : text.find("] ") + 2;
    what = text.substr(pos);
    return false;
  }
};

std::string describe_parse_error(const std::string& line) {
  parse_error_capture capture;
  json::sax_parse(line, &capture, json::input_format_t::json, true, false);
  return capture.what.empty() ? "invalid JSON" : capture.what;
}

/// True for a JSON integer that fits int64_t (nlohmann stores every
/// non-negative integer as unsigned).
bool is_int64(const json& v) {
  if (v.is_number_unsigned())
    return v.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()};
  return v.is_number_integer();
}

/// Where a field lives, for error messages only: "", "value." or
/// "value.entries[3].". Spelled out only when something is wrong.
struct where {
  const char* prefix = "";
  size_t index = SIZE_MAX; ///< set for the elements of an array

  std::string name(const char* key) const {
    std::string out = prefix;
    if (index != SIZE_MAX)
      out += "[" + std::to_string(index) + "].";
    return out + key;
  }
};

// What each field type accepts, how the message names it, and the copy.
bool accepts(const json& v, int64_t&) { return is_int64(v); }
bool accepts(const json& v, uint64_t&) { return v.is_number_unsigned(); }
bool accepts(const json& v, bool&) { return v.is_boolean(); }
bool accepts(const json& v, std::string&) { return v.is_string(); }
const char* expected(int64_t&) { return "a 64-bit integer"; }
const char* expected(uint64_t&) { return "a non-negative integer"; }
const char* expected(bool&) { return "true or false"; }
const char* expected(std::string&) { return "a string"; }
void assign(const json& v, int64_t& x) { x = v.get<int64_t>(); }
void assign(const json& v, uint64_t& x) { x = v.get<uint64_t>(); }
void assign(const json& v, bool& x) { x = v.get<bool>(); }
void assign(const json& v, std::string& x) {
  x = v.get_ref<const std::string&>();
}

/// Reads typed fields out of one parsed line. Every getter returns false
/// (or nullptr) after recording "line N: ..." in `err`; the caller returns
/// at once.
class line_reader {
public:
  line_reader(uint64_t line, std::string& err) : line_(line), err_(err) {
    // nop
  }

  bool fail(const std::string& what) {
    err_ = "line " + std::to_string(line_) + ": " + what;
    return false;
  }

  const json* field(const json& obj, const char* key, const where& at) {
    auto i = obj.find(key);
    if (i == obj.end()) {
      fail("missing field \"" + at.name(key) + "\"");
      return nullptr;
    }
    return &*i;
  }

  template <class T>
  bool get(const json& obj, const char* key, const where& at, T& x) {
    auto* v = field(obj, key, at);
    if (v == nullptr)
      return false;
    if (!accepts(*v, x))
      return fail("field \"" + at.name(key) + "\" must be " + expected(x));
    assign(*v, x);
    return true;
  }

  /// The field if it is an array (`want_array`) or else an object.
  const json* get_container(const json& obj, const char* key,
                            const where& at, bool want_array) {
    auto* v = field(obj, key, at);
    if (v != nullptr && (want_array ? !v->is_array() : !v->is_object())) {
      fail("field \"" + at.name(key) + "\" must be "
           + (want_array ? "an array" : "an object"));
      return nullptr;
    }
    return v;
  }

private:
  uint64_t line_;
  std::string& err_;
};

constexpr bool want_array = true;
constexpr bool want_object = false;
const where top{};
const where in_value{"value."};
const where in_error{"error."};

bool read_entries(line_reader& rd, const json& value,
                  std::vector<entry_ref>& out) {
  auto* arr = rd.get_container(value, "entries", in_value, want_array);
  if (arr == nullptr)
    return false;
  out.reserve(arr->size());
  std::string id;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto& obj = (*arr)[i];
    where at{"value.entries", i};
    if (!obj.is_object())
      return rd.fail("\"value.entries[" + std::to_string(i)
                     + "]\" must be an object");
    entry_ref e;
    if (!rd.get(obj, "id", at, id) || !rd.get(obj, "ts", at, e.ts)
        || !rd.get(obj, "source", at, e.source))
      return false;
    if (!parse_entry_id(id, e))
      return rd.fail("field \"" + at.name("id")
                     + "\" must look like client:seq:index, got \"" + id
                     + "\"");
    out.push_back(std::move(e));
  }
  return true;
}

bool read_missing(line_reader& rd, const json& value,
                  std::vector<time_range>& out) {
  auto* arr = rd.get_container(value, "missing", in_value, want_array);
  if (arr == nullptr)
    return false;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto& pair = (*arr)[i];
    if (!pair.is_array() || pair.size() != 2 || !is_int64(pair[0])
        || !is_int64(pair[1]))
      return rd.fail("\"value.missing[" + std::to_string(i)
                     + "]\" must be [from, to] with 64-bit integers");
    out.push_back(time_range{pair[0].get<int64_t>(), pair[1].get<int64_t>()});
  }
  return true;
}

bool read_append_value(line_reader& rd, const json& value, history_event& ev) {
  if (!value.is_object())
    return rd.fail("field \"value\" must be an object for f=append");
  if (!rd.get(value, "client", in_value, ev.client)
      || !rd.get(value, "seq", in_value, ev.seq)
      || !read_entries(rd, value, ev.entries))
    return false;
  return ev.type != op_type::ok || rd.get(value, "batch", in_value, ev.batch);
}

bool read_read_value(line_reader& rd, const json& value, history_event& ev) {
  if (!value.is_object())
    return rd.fail("field \"value\" must be an object for f="
                   + std::string{to_string(ev.f)});
  if (!rd.get(value, "from", in_value, ev.range.from)
      || !rd.get(value, "to", in_value, ev.range.to))
    return false;
  if (ev.type != op_type::ok)
    return true;
  // "expired_before" is optional: absent means nothing expired.
  if (value.contains("expired_before")
      && !rd.get(value, "expired_before", in_value, ev.expired_before))
    return false;
  return rd.get(value, "complete", in_value, ev.complete)
         && read_missing(rd, value, ev.missing)
         && read_entries(rd, value, ev.entries);
}

bool read_error(line_reader& rd, const json& obj, history_event& ev) {
  auto* error = rd.get_container(obj, "error", top, want_object);
  uint64_t code = 0;
  bool definite = false;
  if (error == nullptr || !rd.get(*error, "code", in_error, code)
      || !rd.get(*error, "definite", in_error, definite)
      || !rd.get(*error, "text", in_error, ev.text))
    return false;
  if (code > std::numeric_limits<uint8_t>::max()
      || to_string(static_cast<errc>(code)) == "unknown")
    return rd.fail("unknown error code " + std::to_string(code));
  if (definite != (ev.type == op_type::fail))
    return rd.fail(std::string{"error.definite must be "}
                   + (definite ? "false" : "true") + " when type is "
                   + std::string{to_string(ev.type)});
  ev.error = static_cast<errc>(code);
  return true;
}

bool read_process(line_reader& rd, const json& obj, history_event& ev) {
  if (ev.f != op_fn::nemesis)
    return rd.get(obj, "process", top, ev.process);
  std::string name;
  if (!rd.get(obj, "process", top, name))
    return false;
  if (name != "nemesis")
    return rd.fail("process of a nemesis event must be \"nemesis\"");
  ev.process = 0;
  return true;
}

bool read_kind(line_reader& rd, const json& obj, history_event& ev) {
  std::string type;
  std::string f;
  if (!rd.get(obj, "type", top, type) || !rd.get(obj, "f", top, f))
    return false;
  if (!parse_name(type, all_op_types, ev.type))
    return rd.fail("unknown type \"" + type + "\"");
  if (!parse_name(f, all_op_fns, ev.f))
    return rd.fail("unknown f \"" + f + "\"");
  return true;
}

bool read_value(line_reader& rd, const json& obj, history_event& ev) {
  auto* value = rd.field(obj, "value", top);
  if (value == nullptr)
    return false;
  switch (ev.f) {
    case op_fn::append: return read_append_value(rd, *value, ev);
    case op_fn::read:
    case op_fn::final_read: return read_read_value(rd, *value, ev);
    case op_fn::nemesis:
      if (!value->is_string())
        return rd.fail("field \"value\" must be a string for f=nemesis");
      ev.text = value->get<std::string>();
      return true;
  }
  return rd.fail("unknown f");
}

bool read_event(line_reader& rd, const json& obj, history_event& ev) {
  if (!rd.get(obj, "index", top, ev.index) || !rd.get(obj, "time", top, ev.time)
      || !read_kind(rd, obj, ev) || !read_process(rd, obj, ev)
      || !read_value(rd, obj, ev))
    return false;
  if (obj.contains("node") && !rd.get(obj, "node", top, ev.node))
    return false;
  bool has_error = ev.f != op_fn::nemesis
                   && (ev.type == op_type::fail || ev.type == op_type::info);
  return !has_error || read_error(rd, obj, ev);
}

/// Checks a parsed event against the history so far (invariants 1 and 3 of
/// history.hpp), so that history::add's assertions cannot fire on input.
bool fits(line_reader& rd, const history& h, const history_event& ev) {
  if (ev.index != h.size())
    return rd.fail("index " + std::to_string(ev.index) + " but expected "
                   + std::to_string(h.size()));
  if (h.size() > 0 && ev.time < h.events().back().time)
    return rd.fail("time " + std::to_string(ev.time)
                   + " is before the previous event's time "
                   + std::to_string(h.events().back().time));
  return true;
}

} // namespace

bool history::read_jsonl(std::istream& in, history& out, std::string& err) {
  history result;
  std::string line;
  for (uint64_t line_number = 1; std::getline(in, line); ++line_number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue; // blank lines are allowed
    line_reader rd{line_number, err};
    auto obj = json::parse(line, nullptr, false);
    if (obj.is_discarded())
      return rd.fail("bad JSON: " + describe_parse_error(line));
    if (!obj.is_object())
      return rd.fail("expected a JSON object");
    if (obj.contains("run") && !obj.contains("index"))
      continue; // a run header line (docs/history.md): not an event
    history_event ev;
    if (!read_event(rd, obj, ev) || !fits(rd, result, ev))
      return false;
    result.add(std::move(ev));
  }
  if (in.bad()) {
    err = "read error";
    return false;
  }
  out = std::move(result);
  return true;
}

} // namespace logstore
