// logstore — batch frame codec (layout in frame.hpp).
// Layer: core (standard library only; no CAF, no clock, no I/O).
// Explicit little-endian byte-by-byte encoding: no struct casts, no host
// byte order, no unaligned loads. The decoder is written for hostile input
// (it is fuzzed): every read goes through a bounds-checked cursor.
#include "core/base/frame.hpp"

#include "core/base/assert.hpp"
#include "core/base/crc32c.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace logstore {

namespace {

constexpr size_t crc_offset = 4;
constexpr size_t length_offset = 8;
constexpr size_t covered_offset = 8; // both CRCs start here
constexpr size_t hcrc_offset = 60;
constexpr size_t entry_bytes_min = 4; // ts, two lengths, index: 1 byte each
constexpr int varint_bytes_max = 10;

// --- encoding ----------------------------------------------------------------

void put_fixed(std::string& out, uint64_t x, int width) {
  for (int i = 0; i < width; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xffu));
}

void put_varint(std::string& out, uint64_t x) {
  while (x >= 0x80) {
    out.push_back(static_cast<char>((x & 0x7fu) | 0x80u));
    x >>= 7;
  }
  out.push_back(static_cast<char>(x));
}

void put_bytes(std::string& out, const std::string& bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

uint64_t zigzag(int64_t x) {
  auto u = static_cast<uint64_t>(x);
  return (u << 1) ^ (x < 0 ? ~uint64_t{0} : 0);
}

int64_t unzigzag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

void overwrite_u32(std::string& out, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out[at + static_cast<size_t>(i)]
      = static_cast<char>((x >> (8 * i)) & 0xffu);
}

// Writes the fixed header with placeholder length and CRCs.
size_t begin_frame(std::string& out, frame_type type, batch_id id,
                   client_id client, sequence_nr seq, timestamp_us min_ts,
                   timestamp_us max_ts, uint32_t count) {
  auto start = out.size();
  out.append(frame_magic, sizeof(frame_magic));
  put_fixed(out, 0, 4); // crc
  put_fixed(out, 0, 4); // length
  put_fixed(out, frame_version, 1);
  put_fixed(out, static_cast<uint8_t>(type), 1);
  put_fixed(out, 0, 2);
  put_fixed(out, id, 8);
  put_fixed(out, client, 8);
  put_fixed(out, seq, 8);
  put_fixed(out, static_cast<uint64_t>(min_ts), 8);
  put_fixed(out, static_cast<uint64_t>(max_ts), 8);
  put_fixed(out, count, 4);
  put_fixed(out, 0, 4); // hcrc
  LOGSTORE_ASSERT(out.size() - start == frame_header_bytes);
  return start;
}

// Fills in length, hcrc and crc once the body is written.
void finish_frame(std::string& out, size_t start) {
  auto size = out.size() - start;
  LOGSTORE_ASSERT(size >= frame_header_bytes);
  LOGSTORE_ASSERT(size - length_offset - 4 <= UINT32_MAX);
  overwrite_u32(out, start + length_offset,
                static_cast<uint32_t>(size - length_offset - 4));
  auto* base = out.data() + start;
  auto hcrc = crc32c::value(base + covered_offset,
                            hcrc_offset - covered_offset);
  overwrite_u32(out, start + hcrc_offset, crc32c::mask(hcrc));
  auto crc = crc32c::value(base + covered_offset, size - covered_offset);
  overwrite_u32(out, start + crc_offset, crc32c::mask(crc));
}

// --- decoding ----------------------------------------------------------------

uint64_t get_fixed(const char* p, int width) {
  uint64_t x = 0;
  for (int i = width - 1; i >= 0; --i)
    x = (x << 8) | static_cast<uint8_t>(p[i]);
  return x;
}

// A bounds-checked reader over the frame body. Accepts only the encoder's
// (shortest) varints, so a verified frame has exactly one byte form.
struct cursor {
  const char* pos;
  const char* end;

  bool varint(uint64_t& x) {
    x = 0;
    for (int i = 0; i < varint_bytes_max; ++i) {
      if (pos == end)
        return false;
      auto byte = static_cast<uint8_t>(*pos++);
      if (i == varint_bytes_max - 1 && byte > 1)
        return false; // more than 64 bits
      x |= uint64_t{byte & 0x7fu} << (7 * i);
      if ((byte & 0x80u) == 0)
        return i == 0 || byte != 0; // canonical: no redundant zero groups
    }
    return false;
  }

  // Points `view` at a varint-length-prefixed byte string.
  bool bytes(std::string_view& view) {
    uint64_t n = 0;
    if (!varint(n) || n > static_cast<uint64_t>(end - pos))
      return false;
    view = std::string_view{pos, static_cast<size_t>(n)};
    pos += n;
    return true;
  }
};

decode_result fail(decode_status status, const char* what) {
  decode_result r;
  r.status = status;
  r.what = what;
  return r;
}

// Parses the verified fixed header into `h`.
void read_header(const char* p, frame_header& h) {
  h.type = static_cast<frame_type>(static_cast<uint8_t>(p[13]));
  h.id = get_fixed(p + 16, 8);
  h.client = get_fixed(p + 24, 8);
  h.seq = get_fixed(p + 32, 8);
  h.min_ts = static_cast<timestamp_us>(get_fixed(p + 40, 8));
  h.max_ts = static_cast<timestamp_us>(get_fixed(p + 48, 8));
  h.count = static_cast<uint32_t>(get_fixed(p + 56, 4));
}

// Checks the header fields that the CRC cannot vouch for.
const char* check_header(const char* p, const frame_header& h) {
  if (static_cast<uint8_t>(p[12]) != frame_version)
    return "unknown version";
  if (get_fixed(p + 14, 2) != 0)
    return "reserved bits set";
  if (h.type != frame_type::batch && h.type != frame_type::tombstone)
    return "unknown frame type";
  if (h.min_ts > h.max_ts)
    return "min_ts > max_ts";
  if (h.type == frame_type::tombstone
      && (h.count != 0 || h.client != 0 || h.seq != 0))
    return "tombstone with entries or identity";
  if (h.type == frame_type::batch && h.count == 0)
    return "batch without entries";
  return nullptr;
}

// Walks (and optionally copies) the entries of a CRC-verified body.
const char* read_entries(cursor c, frame_header& h,
                         std::vector<stored_entry>* out) {
  if (h.count > static_cast<size_t>(c.end - c.pos) / entry_bytes_min)
    return "count exceeds body";
  if (out != nullptr)
    out->reserve(out->size() + h.count);
  auto prev = h.min_ts;
  uint64_t prev_index = 0;
  std::string_view prev_source;
  h.entry_bytes = 0;
  for (uint32_t i = 0; i < h.count; ++i) {
    uint64_t delta = 0;
    uint64_t index = 0;
    std::string_view source;
    std::string_view payload;
    if (!c.varint(delta) || !c.bytes(source) || !c.bytes(payload)
        || !c.varint(index))
      return "entry runs past the frame";
    auto ts = static_cast<timestamp_us>(static_cast<uint64_t>(h.min_ts)
                                        + static_cast<uint64_t>(
                                          unzigzag(delta)));
    // Read order within one writer (read_order_less): ts, source, index;
    // each identity once.
    if (ts < prev || ts > h.max_ts || index > UINT32_MAX
        || (i > 0 && ts == prev
            && std::tie(source, index) <= std::tie(prev_source, prev_index)))
      return "entry out of order or range";
    if ((i == 0 && ts != h.min_ts) || (i + 1 == h.count && ts != h.max_ts))
      return "entry times disagree with header";
    prev = ts;
    prev_index = index;
    prev_source = source;
    h.entry_bytes += source.size() + payload.size();
    if (out != nullptr)
      out->push_back(stored_entry{ts, std::string{source},
                                  std::string{payload}, h.client, h.seq,
                                  static_cast<uint32_t>(index)});
  }
  if (c.pos != c.end)
    return "trailing bytes after entries";
  return nullptr;
}

} // namespace

void encode_batch_frame(batch_id id, client_id client, sequence_nr seq,
                        timestamp_us min_ts, timestamp_us max_ts,
                        const std::vector<stored_entry>& entries,
                        std::string& out) {
  LOGSTORE_ASSERT(!entries.empty());
  LOGSTORE_ASSERT(entries.size() <= UINT32_MAX);
  LOGSTORE_ASSERT(entries.front().ts == min_ts);
  LOGSTORE_ASSERT(entries.back().ts == max_ts);
  auto start = begin_frame(out, frame_type::batch, id, client, seq, min_ts,
                           max_ts, static_cast<uint32_t>(entries.size()));
  for (const auto& x : entries) {
    LOGSTORE_ASSERT(x.client == client && x.seq == seq);
    LOGSTORE_ASSERT(x.ts >= min_ts && x.ts <= max_ts);
    put_varint(out, zigzag(static_cast<int64_t>(static_cast<uint64_t>(x.ts)
                                                - static_cast<uint64_t>(
                                                  min_ts))));
    put_bytes(out, x.source);
    put_bytes(out, x.payload);
    put_varint(out, x.index);
  }
  finish_frame(out, start);
}

void encode_tombstone_frame(batch_id id, timestamp_us min_ts,
                            timestamp_us max_ts, std::string& out) {
  LOGSTORE_ASSERT(min_ts <= max_ts);
  auto start = begin_frame(out, frame_type::tombstone, id, 0, 0, min_ts,
                           max_ts, 0);
  finish_frame(out, start);
  LOGSTORE_ASSERT(out.size() - start == frame_header_bytes);
}

decode_result decode_frame(std::string_view bytes, uint32_t frame_bytes_max,
                           frame_header& header,
                           std::vector<stored_entry>* entries) {
  LOGSTORE_ASSERT(frame_bytes_max >= frame_header_bytes);
  const auto n = bytes.size();
  const char* p = bytes.data();
  auto torn = [](size_t needed, bool header_valid) {
    auto r = fail(decode_status::torn, "frame ends early");
    r.bytes_needed = std::max(needed, frame_header_bytes);
    r.header_valid = header_valid;
    return r;
  };
  if (n == 0)
    return torn(frame_header_bytes, false);
  if (std::memcmp(p, frame_magic, std::min(n, sizeof(frame_magic))) != 0) {
    auto r = fail(decode_status::corrupt, "bad magic");
    r.magic_mismatch = true;
    return r;
  }
  if (n < length_offset + 4)
    return torn(frame_header_bytes, false);
  // The length is checked before anything is sized or read from it.
  auto total = length_offset + 4 + get_fixed(p + length_offset, 4);
  if (total > frame_bytes_max)
    return fail(decode_status::corrupt, "length exceeds frame_bytes_max");
  if (total < frame_header_bytes)
    return fail(decode_status::corrupt, "length below header size");
  if (n < frame_header_bytes)
    return torn(total, false);
  auto hcrc = crc32c::value(p + covered_offset, hcrc_offset - covered_offset);
  if (crc32c::unmask(static_cast<uint32_t>(get_fixed(p + hcrc_offset, 4)))
      != hcrc)
    return fail(decode_status::corrupt, "header checksum mismatch");
  header = frame_header{};
  read_header(p, header);
  header.frame_bytes = static_cast<uint32_t>(total);
  header.crc = crc32c::unmask(static_cast<uint32_t>(get_fixed(p + 4, 4)));
  if (n < total)
    return torn(total, true);
  auto fail_valid_header = [](const char* what) {
    auto r = fail(decode_status::corrupt, what);
    r.header_valid = true;
    return r;
  };
  if (crc32c::value(p + covered_offset, total - covered_offset) != header.crc)
    return fail_valid_header("checksum mismatch");
  if (auto what = check_header(p, header))
    return fail_valid_header(what);
  auto before = entries != nullptr ? entries->size() : 0;
  cursor body{p + frame_header_bytes, p + total};
  if (auto what = read_entries(body, header, entries)) {
    if (entries != nullptr)
      entries->resize(before); // all or nothing
    return fail_valid_header(what);
  }
  decode_result ok;
  ok.status = decode_status::ok;
  ok.consumed = total;
  ok.header_valid = true;
  LOGSTORE_ASSERT(ok.consumed >= frame_header_bytes && ok.consumed <= n);
  return ok;
}

void slice_entries(std::vector<stored_entry>&& entries, time_range r,
                   std::vector<stored_entry>& out) {
  if (r.from > r.to)
    return;
  auto first = std::lower_bound(entries.begin(), entries.end(), r.from,
                                [](const stored_entry& x, timestamp_us ts) {
                                  return x.ts < ts;
                                });
  auto last = std::upper_bound(first, entries.end(), r.to,
                               [](timestamp_us ts, const stored_entry& x) {
                                 return ts < x.ts;
                               });
  if (out.empty() && first == entries.begin() && last == entries.end()) {
    out = std::move(entries); // the whole batch lies in r: no second pass
    return;
  }
  out.insert(out.end(), std::make_move_iterator(first),
             std::make_move_iterator(last));
}

} // namespace logstore
