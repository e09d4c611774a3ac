// logstore — segment scan: sequential verify, then a resynchronising search
// for magic bytes after the first bad frame.
// Layer: core (standard library only; files only through `disk`).
#include "core/storage/segment_scan.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

namespace logstore {

namespace {

constexpr size_t chunk_bytes = 4u << 20;
constexpr const char* segment_prefix = "seg-";
constexpr const char* segment_suffix = ".log";
constexpr const char* quarantine_suffix = ".log.corrupt";

// A read-through buffer over one file. at(offset, want) returns at least
// min(want, file_bytes - offset) bytes starting at `offset`.
class file_window {
public:
  file_window(disk& d, const std::string& name, uint64_t file_bytes)
    : disk_(d), name_(name), file_bytes_(file_bytes) {
  }

  disk_status status() const {
    return status_;
  }

  std::string_view at(uint64_t offset, size_t want) {
    LOGSTORE_ASSERT(offset <= file_bytes_);
    auto need = static_cast<size_t>(
      std::min<uint64_t>(want, file_bytes_ - offset));
    if (offset >= start_ && offset + need <= start_ + buffer_.size())
      return view_from(offset);
    auto st = disk_.read(name_, offset, std::max(need, chunk_bytes), buffer_);
    start_ = offset;
    if (st != disk_status::ok || buffer_.size() < need) {
      // Failed or short read (the file shrank under us): stop the scan.
      status_ = st != disk_status::ok ? st : disk_status::io_error;
      buffer_.clear();
      return {};
    }
    return view_from(offset);
  }

private:
  std::string_view view_from(uint64_t offset) const {
    auto skip = static_cast<size_t>(offset - start_);
    return std::string_view{buffer_}.substr(skip);
  }

  disk& disk_;
  const std::string& name_;
  uint64_t file_bytes_;
  uint64_t start_ = 0;
  std::string buffer_;
  disk_status status_ = disk_status::ok;
};

// Decodes the frame at `offset`, widening the window once when torn.
decode_result decode_at(file_window& w, uint64_t offset, uint32_t max,
                        frame_header& h) {
  auto v = w.at(offset, frame_header_bytes);
  auto r = decode_frame(v, max, h, nullptr);
  if (r.status == decode_status::torn && r.bytes_needed > v.size()) {
    LOGSTORE_ASSERT(r.bytes_needed <= max);
    auto wide = w.at(offset, r.bytes_needed);
    if (wide.size() > v.size())
      r = decode_frame(wide, max, h, nullptr);
  }
  return r;
}

bool all_zero(file_window& w, uint64_t from, uint64_t to) {
  while (from < to && w.status() == disk_status::ok) {
    auto v = w.at(from, chunk_bytes);
    if (v.empty())
      return false;
    auto n = std::min<uint64_t>(v.size(), to - from);
    for (size_t i = 0; i < n; ++i)
      if (v[i] != 0)
        return false;
    from += n;
  }
  return true;
}

// Offset of the next magic at or after `from`, or `to` when none.
uint64_t find_magic(file_window& w, uint64_t from, uint64_t to) {
  std::string_view magic{frame_magic, sizeof(frame_magic)};
  while (from + magic.size() <= to && w.status() == disk_status::ok) {
    auto v = w.at(from, chunk_bytes);
    auto hit = v.find(magic);
    if (hit != std::string_view::npos)
      return from + hit;
    if (v.size() < magic.size())
      break;
    from += v.size() - (magic.size() - 1); // a match may straddle chunks
  }
  return to;
}

void note_damaged(const decode_result& r, const frame_header& h,
                  segment_scan& out) {
  if (r.header_valid && h.type != frame_type::tombstone)
    out.damaged_ids.push_back(h.id);
}

// The first bad frame starts right after the last good one, so even with
// a damaged magic its header can be checked: put the magic back and see
// whether hcrc agrees. (Only here: elsewhere a frame start is a guess.)
void salvage_header(file_window& w, uint64_t offset, uint32_t max,
                    segment_scan& out) {
  std::string header{w.at(offset, frame_header_bytes)};
  if (header.size() < frame_header_bytes)
    return;
  header.replace(0, sizeof(frame_magic), frame_magic, sizeof(frame_magic));
  frame_header h;
  auto r = decode_frame(header, max, h, nullptr);
  note_damaged(r, h, out);
}

// Everything after the first bad frame: what can still be identified.
void scan_damage(file_window& w, uint32_t max, segment_scan& out) {
  auto end = out.file_bytes;
  auto pos = find_magic(w, *out.bad_offset + 1, end);
  while (pos < end && w.status() == disk_status::ok) {
    frame_header h;
    auto r = decode_at(w, pos, max, h);
    note_damaged(r, h, out);
    if (r.status == decode_status::ok) {
      out.frames_after_bad.push_back(scanned_frame{pos, h});
      pos += r.consumed;
    } else {
      pos += 1;
    }
    pos = find_magic(w, pos, end);
  }
}

} // namespace

std::string segment_file_name(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%06u%s", segment_prefix, number,
                segment_suffix);
  return buf;
}

std::string quarantine_file_name(uint32_t number) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s%06u%s", segment_prefix, number,
                quarantine_suffix);
  return buf;
}

bool parse_segment_file_name(const std::string& name, uint32_t& number,
                             bool& quarantined) {
  auto prefix = std::strlen(segment_prefix);
  if (name.compare(0, prefix, segment_prefix) != 0)
    return false;
  size_t i = prefix;
  uint64_t value = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9' && i < 16)
    value = value * 10 + static_cast<uint64_t>(name[i++] - '0');
  // UINT32_MAX itself is refused too: the next segment's number must fit.
  if (i - prefix < 6 || value >= UINT32_MAX)
    return false;
  auto rest = name.substr(i);
  if (rest != segment_suffix && rest != quarantine_suffix)
    return false;
  number = static_cast<uint32_t>(value);
  quarantined = rest == quarantine_suffix;
  // Only canonical spellings: a name must round-trip.
  return name == (quarantined ? quarantine_file_name(number)
                              : segment_file_name(number));
}

std::vector<segment_file>
select_segment_files(const std::vector<std::string>& names,
                     std::vector<std::string>& others) {
  std::map<uint32_t, segment_file> by_number;
  for (const auto& name : names) {
    segment_file x;
    if (!parse_segment_file_name(name, x.number, x.quarantined)) {
      others.push_back(name);
      continue;
    }
    x.name = name;
    auto [pos, fresh] = by_number.emplace(x.number, x);
    if (fresh)
      continue;
    if (pos->second.quarantined && !x.quarantined)
      std::swap(pos->second, x);
    others.push_back(x.name);
  }
  std::vector<segment_file> result;
  for (auto& kv : by_number)
    result.push_back(std::move(kv.second));
  return result;
}

segment_scan scan_segment(disk& d, const std::string& name,
                          uint32_t frame_bytes_max,
                          const frame_callback& on_frame) {
  segment_scan out;
  out.status = d.size(name, out.file_bytes);
  if (out.status != disk_status::ok)
    return out;
  file_window w{d, name, out.file_bytes};
  uint64_t pos = 0;
  decode_result r;
  while (pos < out.file_bytes) {
    frame_header h;
    r = decode_at(w, pos, frame_bytes_max, h);
    if (w.status() != disk_status::ok)
      break;
    if (r.status != decode_status::ok) {
      out.bad_offset = pos;
      out.what = r.what;
      if (r.magic_mismatch)
        salvage_header(w, pos, frame_bytes_max, out);
      else
        note_damaged(r, h, out);
      break;
    }
    LOGSTORE_ASSERT(r.consumed == h.frame_bytes);
    ++out.frame_count;
    if (on_frame)
      on_frame(scanned_frame{pos, h});
    pos += r.consumed;
  }
  if (out.bad_offset) {
    scan_damage(w, frame_bytes_max, out);
    bool prefix_like = r.status == decode_status::torn
                       || all_zero(w, *out.bad_offset, out.file_bytes);
    out.torn_tail_candidate = prefix_like && out.frames_after_bad.empty();
  }
  out.status = w.status();
  LOGSTORE_ASSERT(out.bad_offset || pos == out.file_bytes
                  || out.status != disk_status::ok);
  return out;
}

} // namespace logstore
