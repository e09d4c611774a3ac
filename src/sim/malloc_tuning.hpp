// logstore — allocator settings for processes that run simulations.
// Layer: sim (called by `logstore sim` and bench/sim_bench.cpp before the
// first run; never by the cluster's servers).
//
// A run allocates and frees its whole world (actors, histories, simulated
// disks' indexes, messages). glibc gives freed memory back to the kernel
// (trim above 128 KiB free at the top of the heap; large blocks are mmap'd
// and unmapped on free), so the next run of a sweep faults every page in
// again: a page fault here costs ~3 us (a virtual machine) and zeroing the
// page more. Keeping freed memory in the process made sim_bench's T7 run
// 0.58 s instead of 0.68 s (measured, two runs each). Deterministic either
// way: nothing in a trace depends on addresses.
#pragma once

#include <malloc.h>

namespace logstore::sim {

inline void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 1 << 30); // trim only beyond 1 GiB free
  mallopt(M_MMAP_THRESHOLD, 1 << 28); // blocks below 256 MiB from the heap
}

} // namespace logstore::sim
