// logstore — CRC32C (Castagnoli), the checksum of every segment frame.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// SSE4.2 `crc32` instruction when the CPU has it, slicing-by-8 tables
// otherwise; both give identical results (tests/core/crc32c_test.cpp).
// Stored CRCs are masked as in LevelDB (util/crc32c.h), because computing
// the CRC of bytes that embed CRCs is problematic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logstore::crc32c {

/// Returns the CRC32C of `init_crc`'s message followed by data[0, n).
/// `init_crc` is a finished CRC (0 for the empty message), like LevelDB's
/// crc32c::Extend.
uint32_t extend(uint32_t init_crc, const void* data, size_t n);

/// CRC32C of data[0, n).
inline uint32_t value(const void* data, size_t n) {
  return extend(0, data, n);
}

inline uint32_t value(std::string_view bytes) {
  return extend(0, bytes.data(), bytes.size());
}

/// The table-driven path, always available (exposed for tests and benches).
uint32_t extend_portable(uint32_t init_crc, const void* data, size_t n);

/// The SSE4.2 path. REQUIRES: hardware_available().
uint32_t extend_hardware(uint32_t init_crc, const void* data, size_t n);

/// Whether this CPU runs extend_hardware (x86-64 with SSE4.2).
bool hardware_available();

constexpr uint32_t mask_delta = 0xa282ead8u;

/// Rotate right by 15 bits, add a constant (LevelDB's mask).
inline uint32_t mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + mask_delta;
}

/// Inverse of mask().
inline uint32_t unmask(uint32_t masked) {
  auto rot = masked - mask_delta;
  return (rot >> 17) | (rot << 15);
}

} // namespace logstore::crc32c
