// logstore — fixed-size memory chunks for the simulated disk, kept for
// reuse. A simulated run writes tens of megabytes of segment bytes; taking
// them fresh from the heap cost one page fault per 4 KiB touched (measured:
// 35,000 faults, a third of a T7 run of bench/sim_bench.cpp), and a sweep
// paid them again for every seed. The pool carves chunks out of 2 MiB
// blocks that ask the kernel for huge pages, and keeps returned chunks for
// the next file or the next run: memory is reused, never given back, so it
// stays at the peak of the largest run in the process.
// Layer: core (standard library; madvise where the platform has it).
#pragma once

#include <cstddef>

namespace logstore::chunk_pool {

/// Every chunk's size.
constexpr size_t chunk_bytes = size_t{64} << 10;

/// A chunk of chunk_bytes with unspecified contents (never read before
/// written: callers track how much of it holds data).
char* take();

/// Returns a chunk from take() for reuse.
void give(char* chunk) noexcept;

} // namespace logstore::chunk_pool
