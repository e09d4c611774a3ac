// logstore — the simulated disk's chunk pool (see chunk_pool.hpp).
#include "core/storage/chunk_pool.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace logstore::chunk_pool {

namespace {

constexpr size_t block_bytes = size_t{2} << 20;
static_assert(block_bytes % chunk_bytes == 0);

struct pool {
  std::mutex mutex; // sweeps are sequential; a real node may share it
  std::vector<char*> free;
  std::vector<char*> blocks; // never freed: the process keeps its peak
};

pool& the_pool() {
  static auto* p = new pool; // outlives every static user; not destroyed
  return *p;
}

char* new_block() {
  void* p = std::aligned_alloc(block_bytes, block_bytes);
  if (p == nullptr)
    throw std::bad_alloc{};
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: without transparent huge pages this changes nothing.
  (void) madvise(p, block_bytes, MADV_HUGEPAGE);
#endif
  return static_cast<char*>(p);
}

} // namespace

char* take() {
  auto& p = the_pool();
  std::lock_guard<std::mutex> guard{p.mutex};
  if (p.free.empty()) {
    char* block = new_block();
    p.blocks.push_back(block);
    p.free.reserve(p.blocks.size() * (block_bytes / chunk_bytes));
    // Hand out the block's chunks from its start: the last one pushed is
    // taken first.
    for (size_t off = block_bytes; off > 0; off -= chunk_bytes)
      p.free.push_back(block + off - chunk_bytes);
  }
  char* c = p.free.back();
  p.free.pop_back();
  return c;
}

void give(char* chunk) noexcept {
  if (chunk == nullptr)
    return;
  auto& p = the_pool();
  std::lock_guard<std::mutex> guard{p.mutex};
  p.free.push_back(chunk); // reserved for every chunk: never allocates
}

} // namespace logstore::chunk_pool
