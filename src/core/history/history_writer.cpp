// logstore — the history's JSON Lines writer (docs/history.md).
// Layer: core. A hand-written streaming writer: fixed key order, so the same
// history always gives the same bytes (goal G2), and fast enough for
// histories with millions of entry references. Reading lives in history.cpp
// (the one translation unit that includes nlohmann/json).
#include "core/history/history.hpp"

#include "core/base/assert.hpp"
#include "core/base/json_text.hpp"

#include <charconv>
#include <limits>
#include <ostream>
#include <string_view>

namespace logstore {

namespace {

/// Flush the buffer to the stream once it holds this many bytes.
constexpr size_t write_buffer_bytes_max = 1 << 16;

template <class Integer>
void put_int(std::string& out, Integer x) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  LOGSTORE_ASSERT(res.ec == std::errc{});
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

void put_string(std::string& out, std::string_view str) {
  append_json_string(out, str);
}

void put_entry(std::string& out, const entry_ref& e) {
  out += "{\"id\":\"";
  put_int(out, e.client);
  out += ':';
  put_int(out, e.seq);
  out += ':';
  put_int(out, e.index);
  out += "\",\"ts\":";
  put_int(out, e.ts);
  out += ",\"source\":";
  put_string(out, e.source);
  out += '}';
}

void put_entries(std::string& out, const std::vector<entry_ref>& entries) {
  out += "\"entries\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0)
      out += ',';
    put_entry(out, entries[i]);
  }
  out += ']';
}

void put_append_value(std::string& out, const history_event& ev) {
  out += "{\"client\":";
  put_int(out, ev.client);
  out += ",\"seq\":";
  put_int(out, ev.seq);
  out += ',';
  put_entries(out, ev.entries);
  if (ev.type == op_type::ok) {
    out += ",\"batch\":";
    put_int(out, ev.batch);
  }
  out += '}';
}

void put_read_value(std::string& out, const history_event& ev) {
  out += "{\"from\":";
  put_int(out, ev.range.from);
  out += ",\"to\":";
  put_int(out, ev.range.to);
  if (ev.type == op_type::ok) {
    out += ev.complete ? ",\"complete\":true" : ",\"complete\":false";
    out += ",\"missing\":[";
    for (size_t i = 0; i < ev.missing.size(); ++i) {
      out += i > 0 ? ",[" : "[";
      put_int(out, ev.missing[i].from);
      out += ',';
      put_int(out, ev.missing[i].to);
      out += ']';
    }
    out += "],";
    if (ev.expired_before != std::numeric_limits<timestamp_us>::min()) {
      out += "\"expired_before\":";
      put_int(out, ev.expired_before);
      out += ',';
    }
    put_entries(out, ev.entries);
  }
  out += '}';
}

void put_value(std::string& out, const history_event& ev) {
  switch (ev.f) {
    case op_fn::append: put_append_value(out, ev); return;
    case op_fn::read:
    case op_fn::final_read: put_read_value(out, ev); return;
    case op_fn::nemesis: put_string(out, ev.text); return;
  }
  LOGSTORE_ASSERT_MSG(false, "unknown op_fn");
}

/// "definite" mirrors the type: fail = definite, info = indefinite. The
/// checker trusts the type; the flag is there for human readers.
void put_error(std::string& out, const history_event& ev) {
  out += ",\"error\":{\"code\":";
  put_int(out, static_cast<unsigned>(ev.error));
  out += ",\"name\":";
  put_string(out, to_string(ev.error));
  bool definite = ev.type == op_type::fail;
  out += definite ? ",\"definite\":true" : ",\"definite\":false";
  out += ",\"text\":";
  put_string(out, ev.text);
  out += '}';
}

bool has_error(const history_event& ev) {
  return ev.f != op_fn::nemesis
         && (ev.type == op_type::fail || ev.type == op_type::info);
}

/// Appends one event as a JSON object (no newline) to `out`.
void put_event(std::string& out, const history_event& ev) {
  out += "{\"index\":";
  put_int(out, ev.index);
  out += ",\"time\":";
  put_int(out, ev.time);
  out += ",\"process\":";
  if (ev.f == op_fn::nemesis)
    out += "\"nemesis\"";
  else
    put_int(out, ev.process);
  out += ",\"type\":\"";
  out += to_string(ev.type);
  out += "\",\"f\":\"";
  out += to_string(ev.f);
  out += "\",\"value\":";
  put_value(out, ev);
  if (!ev.node.empty()) {
    out += ",\"node\":";
    put_string(out, ev.node);
  }
  if (has_error(ev))
    put_error(out, ev);
  out += '}';
}

} // namespace

void history::write_event(std::ostream& out, const history_event& ev) {
  std::string buf;
  put_event(buf, ev);
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

void history::write_jsonl(std::ostream& out) const {
  write_jsonl([&out](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  });
}

void history::write_jsonl(
  const std::function<void(std::string_view)>& sink) const {
  std::string buf;
  buf.reserve(write_buffer_bytes_max + 4096);
  for (const auto& ev : events_) {
    LOGSTORE_ASSERT(ev.index == static_cast<uint64_t>(&ev - events_.data()));
    put_event(buf, ev);
    buf += '\n';
    if (buf.size() >= write_buffer_bytes_max) {
      sink(buf);
      buf.clear();
    }
  }
  if (!buf.empty())
    sink(buf);
}

} // namespace logstore
