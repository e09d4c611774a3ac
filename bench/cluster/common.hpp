// logstore — cluster_bench: what every part of the benchmark shares: the
// clock, the entry size and range size, and the timestamps of the two data
// sets.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cluster_bench {

using clk = std::chrono::steady_clock;

constexpr size_t payload_size = 100;
constexpr uint32_t range_size = 1000;
/// Timestamps (us) of the read data set: [read_base, read_base + N).
constexpr int64_t read_base = 1'000'000;
/// Timestamps of appended entries start here, far from the read data set.
constexpr int64_t append_base = 4'000'000'000'000'000;

inline double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

/// The payload of every entry, both systems: `payload_size` letters.
inline std::string payload_text() {
  std::string p;
  for (size_t i = 0; i < payload_size; ++i)
    p += static_cast<char>('a' + (i * 7) % 26);
  return p;
}

} // namespace cluster_bench
