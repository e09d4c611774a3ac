// logstore — CRC32C: slicing-by-8 tables and the SSE4.2 instruction.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// The tables are built at compile time. The hardware path is compiled with
// a per-function target attribute, so the rest of the build needs no -msse4.2
// and the binary still runs on CPUs without it.
#include "core/base/crc32c.hpp"

#include "core/base/assert.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#  define LOGSTORE_CRC32C_X86 1
#  include <nmmintrin.h>
#else
#  define LOGSTORE_CRC32C_X86 0
#endif

namespace logstore::crc32c {

namespace {

constexpr uint32_t polynomial = 0x82f63b78u; // Castagnoli, reflected

struct tables {
  uint32_t t[8][256] = {};
};

constexpr tables make_tables() {
  tables x;
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1u) != 0 ? polynomial : 0u);
    x.t[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (int k = 1; k < 8; ++k)
      x.t[k][i] = (x.t[k - 1][i] >> 8) ^ x.t[0][x.t[k - 1][i] & 0xffu];
  return x;
}

constexpr tables table = make_tables();
static_assert(table.t[0][1] == 0xf26b8303u, "CRC32C table sanity");

uint64_t load_u64_le(const uint8_t* p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i)
    x = (x << 8) | p[i];
  return x;
}

#if LOGSTORE_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t
hardware_loop(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t wide = crc;
  // memcpy keeps unaligned loads well-defined (UBSan in the fuzz build).
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    wide = _mm_crc32_u64(wide, word);
  }
  auto narrow = static_cast<uint32_t>(wide);
  for (; n > 0; --n, ++p)
    narrow = _mm_crc32_u8(narrow, *p);
  return narrow;
}

bool detect_hardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}
#endif

bool use_hardware() {
#if LOGSTORE_CRC32C_X86
  static const bool available = detect_hardware();
  return available;
#else
  return false;
#endif
}

} // namespace

uint32_t extend_portable(uint32_t init_crc, const void* data, size_t n) {
  LOGSTORE_ASSERT(data != nullptr || n == 0);
  auto p = static_cast<const uint8_t*>(data);
  uint32_t crc = init_crc ^ 0xffffffffu;
  for (; n >= 8; n -= 8, p += 8) {
    auto x = load_u64_le(p) ^ crc;
    crc = table.t[7][x & 0xff] ^ table.t[6][(x >> 8) & 0xff]
          ^ table.t[5][(x >> 16) & 0xff] ^ table.t[4][(x >> 24) & 0xff]
          ^ table.t[3][(x >> 32) & 0xff] ^ table.t[2][(x >> 40) & 0xff]
          ^ table.t[1][(x >> 48) & 0xff] ^ table.t[0][x >> 56];
  }
  for (; n > 0; --n, ++p)
    crc = (crc >> 8) ^ table.t[0][(crc ^ *p) & 0xffu];
  return crc ^ 0xffffffffu;
}

uint32_t extend_hardware(uint32_t init_crc, const void* data, size_t n) {
  LOGSTORE_ASSERT(data != nullptr || n == 0);
  LOGSTORE_ASSERT(hardware_available());
#if LOGSTORE_CRC32C_X86
  auto p = static_cast<const uint8_t*>(data);
  return hardware_loop(init_crc ^ 0xffffffffu, p, n) ^ 0xffffffffu;
#else
  return extend_portable(init_crc, data, n);
#endif
}

bool hardware_available() {
  return use_hardware();
}

uint32_t extend(uint32_t init_crc, const void* data, size_t n) {
  if (use_hardware())
    return extend_hardware(init_crc, data, n);
  return extend_portable(init_crc, data, n);
}

} // namespace logstore::crc32c
