// logstore — benchmark: the durable storage engine on real files.
// Layer: bench (a plain main(); reads the steady clock, which core may not).
// 1. Durable append throughput with group commit: batches of K = 100 and
//    K = 1000 entries of 100 B, one fdatasync per G = 1, 8, 64 batches
//    (fsync policy `always`: every batch durable before it would be acked).
// 2. Recovery time (full CRC scan + index rebuild) of a data directory of
//    the given size, warm (page cache) and cold (pages dropped first with
//    posix_fadvise DONTNEED, which needs no root).
// Usage: durable_bench [recovery_mib=256] [seconds_per_cell=1.5] [dir=/tmp]
#include "core/base/crc32c.hpp"
#include "core/storage/posix_disk.hpp"
#include "core/storage/segment_store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace logstore;

namespace {

using bench_clock = std::chrono::steady_clock;
constexpr size_t entry_payload_bytes = 100;
constexpr size_t batch_pool = 64; // distinct prebuilt batches, reused

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

std::vector<stored_entry> make_batch(uint32_t k, uint64_t salt) {
  std::vector<stored_entry> xs;
  xs.reserve(k);
  for (uint32_t i = 0; i < k; ++i) {
    std::string payload(entry_payload_bytes, static_cast<char>('a' + i % 26));
    payload[0] = static_cast<char>('0' + salt % 10);
    xs.push_back({1'700'000'000'000'000 + i * 1000, "web-07",
                  std::move(payload), 3, salt, i});
  }
  return xs;
}

struct temp_dir {
  std::string path;
  explicit temp_dir(const std::string& base) {
    std::string tmpl = base + "/logstore-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::exit(2);
    }
    path = tmpl;
  }
  ~temp_dir() {
    posix_disk d{path};
    std::vector<std::string> names;
    d.list(names);
    for (const auto& n : names)
      ::unlink((path + "/" + n).c_str());
    ::rmdir(path.c_str());
  }
};

struct append_stats {
  uint64_t batches = 0;
  uint64_t entry_bytes = 0; // source + payload
  uint64_t syncs = 0;
  double seconds = 0;
};

// Appends batches of k entries, syncing every `group`, for about `budget`
// seconds (whole groups only).
append_stats run_appends(segment_store& store, uint32_t k, uint32_t group,
                         double budget, batch_id& next_id) {
  std::vector<std::vector<stored_entry>> pool;
  for (uint64_t i = 0; i < batch_pool; ++i)
    pool.push_back(make_batch(k, i));
  append_stats st;
  auto start = bench_clock::now();
  while (st.seconds < budget || st.syncs < 3) {
    for (uint32_t i = 0; i < group; ++i) {
      const auto& xs = pool[next_id % batch_pool];
      auto r = store.put(next_id++, xs.front().ts, xs.back().ts, xs);
      if (r != segment_store::put_result::stored) {
        std::fprintf(stderr, "put failed: %s\n", to_string(r).data());
        std::exit(1);
      }
      st.batches += 1;
      for (const auto& x : xs)
        st.entry_bytes += x.source.size() + x.payload.size();
    }
    if (store.sync() != disk_status::ok) {
      std::fprintf(stderr, "sync failed\n");
      std::exit(1);
    }
    st.syncs += 1;
    st.seconds = seconds_since(start);
  }
  return st;
}

void bench_appends(const std::string& base, double budget) {
  std::printf("durable append, fsync always, group commit "
              "(entries of %zu B payload + 6 B source)\n",
              entry_payload_bytes);
  std::printf("%6s %8s %10s %12s %12s %10s %12s\n", "K", "batches/", "batches",
              "batches/s", "entries/s", "MB/s", "fsync/s");
  std::printf("%6s %8s\n", "", "fsync");
  for (uint32_t k : {100u, 1000u}) {
    for (uint32_t group : {1u, 8u, 64u}) {
      temp_dir dir{base};
      posix_disk d{dir.path};
      segment_store store{d, {}};
      store.recover();
      batch_id next = 1;
      auto st = run_appends(store, k, group, budget, next);
      std::printf("%6u %8u %10llu %12.0f %12.0f %10.1f %12.0f\n", k, group,
                  static_cast<unsigned long long>(st.batches),
                  st.batches / st.seconds, st.batches * k / st.seconds,
                  st.entry_bytes / st.seconds / 1e6, st.syncs / st.seconds);
    }
  }
}

void drop_page_cache(const std::string& dir) {
  posix_disk d{dir};
  std::vector<std::string> names;
  d.list(names);
  for (const auto& n : names) {
    int fd = ::open((dir + "/" + n).c_str(), O_RDONLY);
    if (fd < 0)
      continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

void time_recovery(const std::string& dir, const char* label) {
  posix_disk d{dir};
  segment_store store{d, {}};
  auto start = bench_clock::now();
  auto report = store.recover();
  auto secs = seconds_since(start);
  uint64_t bytes = 0;
  for (const auto& s : store.segments())
    bytes += s.bytes;
  std::printf("recovery %-5s %8.1f MiB %4u segments %8llu frames %8.3f s "
              "%8.0f MiB/s  issues=%zu\n",
              label, bytes / 1048576.0, report.segments,
              static_cast<unsigned long long>(report.frames), secs,
              bytes / 1048576.0 / secs, report.issues.size());
}

void bench_recovery(const std::string& base, uint64_t mib) {
  temp_dir dir{base};
  {
    posix_disk d{dir.path};
    segment_store store{d, {}};
    store.recover();
    batch_id next = 1;
    auto pool = make_batch(1000, 1);
    uint64_t written = 0;
    while (written < mib << 20) {
      for (int i = 0; i < 64; ++i) {
        store.put(next++, pool.front().ts, pool.back().ts, pool);
        written += pool.size() * (entry_payload_bytes + 6);
      }
      store.sync();
    }
  }
  std::printf("recovery of a data directory, K=1000 batches (target ~%llu "
              "MiB)\n",
              static_cast<unsigned long long>(mib));
  time_recovery(dir.path, "warm");
  drop_page_cache(dir.path);
  time_recovery(dir.path, "cold");
}

void bench_crc() {
  std::string data(64 << 20, 'x');
  for (int hw = 0; hw < 2; ++hw) {
    if (hw == 1 && !crc32c::hardware_available())
      break;
    auto start = bench_clock::now();
    uint32_t crc = 0;
    for (int i = 0; i < 4; ++i)
      crc = hw != 0 ? crc32c::extend_hardware(crc, data.data(), data.size())
                    : crc32c::extend_portable(crc, data.data(), data.size());
    auto secs = seconds_since(start);
    std::printf("crc32c %-8s %8.0f MB/s (crc %08x)\n",
                hw != 0 ? "sse4.2" : "table", 4 * data.size() / secs / 1e6,
                crc);
  }
}

} // namespace

int main(int argc, char** argv) {
  uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
  double budget = argc > 2 ? std::strtod(argv[2], nullptr) : 1.5;
  std::string base = argc > 3 ? argv[3] : "/tmp";
  std::printf("durable_bench: recovery_mib=%llu seconds_per_cell=%.1f "
              "dir=%s\n",
              static_cast<unsigned long long>(mib), budget, base.c_str());
  bench_crc();
  bench_appends(base, budget);
  bench_recovery(base, mib);
  return 0;
}
