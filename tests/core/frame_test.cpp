// Reference: src/core/base/frame.hpp (layout, torn vs corrupt) and
// docs/storage.md, "The frame". Checks the round trip, that EVERY truncation point
// of a frame decodes as torn, that EVERY single-bit flip is corrupt, that a
// declared length above the maximum is rejected before any allocation, and
// that CRC-valid but malformed contents are still rejected.
#include "core/base/frame.hpp"

#include "core/base/crc32c.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

using namespace logstore;

// --- allocation counter (for "rejected before allocating") -------------------

namespace {
std::atomic<bool> counting{false};
std::atomic<size_t> allocations{0};
} // namespace

void* operator new(size_t n) {
  if (counting.load(std::memory_order_relaxed))
    allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n))
    return p;
  throw std::bad_alloc{};
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace {

std::vector<stored_entry> sample_entries() {
  return {{-5, "web-1", "hello", 9, 4, 2},
          {100, "", "", 9, 4, 0},
          {100, "db", std::string(300, 'x'), 9, 4, 1},
          {1'700'000'000'000'000, "z", std::string("\0\1\2", 3), 9, 4, 3}};
}

std::string sample_frame() {
  auto xs = sample_entries();
  std::string out;
  encode_batch_frame(77, 9, 4, xs.front().ts, xs.back().ts, xs, out);
  return out;
}

void put_u32(std::string& s, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    s[at + static_cast<size_t>(i)] = static_cast<char>((x >> (8 * i)) & 0xff);
}

// Recomputes both CRCs after a test edits a frame on purpose.
void reseal(std::string& s) {
  put_u32(s, 60, crc32c::mask(crc32c::value(s.data() + 8, 52)));
  put_u32(s, 4, crc32c::mask(crc32c::value(s.data() + 8, s.size() - 8)));
}

decode_result decode(const std::string& s, std::vector<stored_entry>* out,
                     uint32_t max = 1u << 20) {
  frame_header h;
  return decode_frame(s, max, h, out);
}

} // namespace

TEST_CASE("a batch frame round-trips") {
  auto frame = sample_frame();
  std::string twice = frame + frame;
  frame_header h;
  std::vector<stored_entry> out;
  auto r = decode_frame(twice, 1u << 20, h, &out);
  REQUIRE(r.status == decode_status::ok);
  CHECK(r.consumed == frame.size());
  CHECK(r.header_valid);
  CHECK(out == sample_entries());
  CHECK(h.type == frame_type::batch);
  CHECK(h.id == 77);
  CHECK(h.client == 9);
  CHECK(h.seq == 4);
  CHECK(h.min_ts == -5);
  CHECK(h.max_ts == 1'700'000'000'000'000);
  CHECK(h.count == 4);
  CHECK(h.frame_bytes == frame.size());
  CHECK(h.entry_bytes == 5 + 5 + 2 + 300 + 1 + 3);
  // Without an output vector the frame is still fully verified.
  CHECK(decode(frame, nullptr).status == decode_status::ok);
}

TEST_CASE("a tombstone frame round-trips and is header-sized") {
  std::string out;
  encode_tombstone_frame(5, 10, 20, out);
  CHECK(out.size() == frame_header_bytes);
  frame_header h;
  std::vector<stored_entry> entries;
  auto r = decode_frame(out, 1u << 20, h, &entries);
  REQUIRE(r.status == decode_status::ok);
  CHECK(h.type == frame_type::tombstone);
  CHECK(h.id == 5);
  CHECK(h.min_ts == 10);
  CHECK(h.max_ts == 20);
  CHECK(entries.empty());
}

TEST_CASE("every truncation point decodes as torn, never ok or a crash") {
  auto frame = sample_frame();
  for (size_t n = 0; n < frame.size(); ++n) {
    // A fresh heap copy of exactly n bytes, so ASan sees any over-read.
    std::string prefix = frame.substr(0, n);
    frame_header h;
    std::vector<stored_entry> out;
    auto r = decode_frame(prefix, 1u << 20, h, &out);
    INFO("prefix length " << n);
    REQUIRE(r.status == decode_status::torn);
    CHECK(r.consumed == 0);
    CHECK(out.empty());
    CHECK(r.bytes_needed > n);
    CHECK(r.bytes_needed <= frame.size());
    CHECK(r.header_valid == (n >= frame_header_bytes));
  }
}

TEST_CASE("every single-bit flip is detected as corrupt") {
  auto frame = sample_frame();
  for (size_t byte = 0; byte < frame.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = frame;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      std::vector<stored_entry> out;
      auto r = decode(bad, &out);
      INFO("byte " << byte << " bit " << bit);
      // A flip in the length field may make the frame look longer than
      // the bytes at hand; the header CRC still catches it.
      REQUIRE(r.status == decode_status::corrupt);
      CHECK(out.empty());
      // Flips in the body leave the (separately checked) header usable.
      if (byte >= frame_header_bytes)
        CHECK(r.header_valid);
    }
  }
}

TEST_CASE("a declared length above the maximum is rejected before "
          "allocating") {
  auto frame = sample_frame();
  // The real frame is larger than a small maximum: rejected outright.
  CHECK(decode(frame, nullptr, 128).status == decode_status::corrupt);
  auto huge = frame.substr(0, 16);
  put_u32(huge, 8, 0xfffffff0u);
  std::vector<stored_entry> out;
  allocations = 0;
  counting = true;
  auto r = decode(huge, &out, 1u << 20);
  counting = false;
  CHECK(r.status == decode_status::corrupt);
  CHECK(std::string{r.what} == "length exceeds frame_bytes_max");
  CHECK(allocations.load() == 0);
  CHECK(out.capacity() == 0);
}

TEST_CASE("an absurd entry count with valid CRCs is rejected without "
          "reserving") {
  auto frame = sample_frame();
  put_u32(frame, 56, 0xffffffffu);
  reseal(frame);
  std::vector<stored_entry> out;
  allocations = 0;
  counting = true;
  auto r = decode(frame, &out);
  counting = false;
  CHECK(r.status == decode_status::corrupt);
  CHECK(allocations.load() == 0);
  CHECK(r.header_valid);
}

TEST_CASE("CRC-valid but malformed contents are corrupt") {
  auto base = sample_frame();
  SUBCASE("unknown version") {
    base[12] = 2;
  }
  SUBCASE("unknown type") {
    base[13] = 7;
  }
  SUBCASE("reserved bits") {
    base[14] = 1;
  }
  SUBCASE("min_ts after max_ts") {
    put_u32(base, 44, 0x7fffffffu);
  }
  SUBCASE("fewer entries than counted") {
    put_u32(base, 56, 5);
  }
  SUBCASE("trailing bytes") {
    base.push_back('\0');
    put_u32(base, 8, static_cast<uint32_t>(base.size() - 12));
  }
  SUBCASE("non-canonical varint (a redundant zero group)") {
    base.resize(frame_header_bytes);
    put_u32(base, 56, 1);
    put_u32(base, 40, 0); // min_ts = max_ts = 0
    put_u32(base, 44, 0);
    put_u32(base, 48, 0);
    put_u32(base, 52, 0);
    base.append("\x80\x00\x00\x00\x00", 5); // ts 0 in two bytes
    put_u32(base, 8, static_cast<uint32_t>(base.size() - 12));
  }
  SUBCASE("overlong varint") {
    base.resize(frame_header_bytes);
    put_u32(base, 56, 1);
    base.append(11, '\x80');
    put_u32(base, 8, static_cast<uint32_t>(base.size() - 12));
  }
  reseal(base);
  std::vector<stored_entry> out;
  auto r = decode(base, &out);
  CHECK(r.status == decode_status::corrupt);
  CHECK(out.empty());
}

TEST_CASE("garbage and zeros are corrupt, an empty input is torn") {
  CHECK(decode(std::string(100, '\0'), nullptr).status
        == decode_status::corrupt);
  CHECK(decode("LGB2", nullptr).status == decode_status::corrupt);
  CHECK(decode("LG", nullptr).status == decode_status::torn);
  CHECK(decode("", nullptr).status == decode_status::torn);
}
