// logstore — an in-memory `disk` with crash semantics and fault injection.
// Layer: core (standard library only; no CAF, no clock). Lives in core, not
// src/sim, so core_tests can drive the storage engine on it; the simulator
// keeps one per storage node, surviving the node's crashes.
// Deterministic: every random choice comes from the prng given at
// construction (fork it from the world's seed).
//
// Model. Each file is `data` plus a count of `synced` leading bytes.
//   append   grows data (the unsynced tail); beyond the capacity it writes
//            the prefix that fits and returns no_space (like write(2)).
//   sync     synced = data.size(); the file now survives crashes.
//   crash    per file, per crash_mode: keep only synced bytes; or keep a
//            random prefix of the unsynced tail (a torn write); or keep a
//            random length of it but as zeros (size extended, blocks never
//            written). A file never synced vanishes when nothing is kept.
//   truncate / rename / remove are durable at once (disk.hpp, contract 3).
// Faults: flip a bit; a misdirected write (the next append's bytes land at
// a random synced offset of a random file; the intended file gets zeros);
// slow fsync (a latency the caller reads and waits out in virtual time);
// failing fsync; full disk.
//
// Invariants:
//  1. for every file, synced <= data.size().
//  2. used_bytes() == sum of data sizes <= capacity, except after a
//     capacity shrink below current use (then appends fail).
#pragma once

#include "core/base/disk.hpp"
#include "core/base/prng.hpp"
#include "core/base/types.hpp"
#include "core/storage/chunk_pool.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logstore {

enum class crash_mode : uint8_t {
  lose_unsynced, ///< power loss on a well-behaved disk
  torn_prefix,   ///< a random prefix of the unsynced tail survives
  zero_fill,     ///< a random length of the unsynced tail survives, zeroed
};

/// Where a fault landed (for the test or scenario to report).
struct disk_fault {
  std::string file;
  uint64_t offset = 0;
  uint64_t bytes = 0; ///< 1 for a bit flip
};

class sim_disk final : public disk {
public:
  explicit sim_disk(prng rng) : rng_(rng) {
  }

  // --- disk ------------------------------------------------------------------
  disk_status list(std::vector<std::string>& names) override;
  disk_status size(const std::string& name, uint64_t& out) override;
  disk_status read(const std::string& name, uint64_t offset, size_t n,
                   std::string& out) override;
  disk_status append(const std::string& name,
                     std::string_view bytes) override;
  disk_status sync(const std::string& name) override;
  disk_status truncate(const std::string& name, uint64_t size) override;
  disk_status remove(const std::string& name) override;
  disk_status rename(const std::string& from,
                     const std::string& to) override;

  // --- crashes and faults ---------------------------------------------------
  /// The machine loses power: every file keeps what `mode` says.
  void crash(crash_mode mode);
  /// The disk is replaced by an empty one (every file gone).
  void wipe() {
    files_.clear();
  }

  /// Flips bit `bit` (0-7) of byte `offset`. False when out of range.
  bool flip_bit(const std::string& name, uint64_t offset, uint8_t bit);

  /// Flips one random bit among all synced bytes; nullopt when none.
  std::optional<disk_fault> flip_random_bit();

  /// Arms a misdirected write for the next append that has a place to go.
  void misdirect_next_append() {
    misdirect_armed_ = true;
  }

  /// Where the last misdirected write landed (nullopt: none happened yet).
  const std::optional<disk_fault>& last_misdirect() const {
    return last_misdirect_;
  }

  /// Total bytes over all files; appends beyond it fail. Default: no limit.
  void set_capacity_bytes(uint64_t x) {
    capacity_bytes_ = x;
  }

  /// How long one fsync takes; the caller waits it out (virtual time).
  void set_sync_latency_us(time_us x) {
    sync_latency_us_ = x;
  }
  time_us sync_latency_us() const {
    return sync_latency_us_;
  }

  /// While set, sync() returns io_error and makes nothing durable.
  void set_fail_sync(bool x) {
    fail_sync_ = x;
  }

  // --- inspection -----------------------------------------------------------
  uint64_t used_bytes() const {
    return used_bytes_;
  }
  uint64_t synced_bytes(const std::string& name) const;
  uint64_t read_count(const std::string& name) const;
  uint64_t sync_count() const {
    return sync_count_;
  }

private:
  /// A file's bytes in fixed-size chunks: appending never moves what is
  /// already written (one growing std::string copied and re-faulted whole
  /// megabytes on every doubling; that was most of a durable run's time).
  class chunked_bytes {
  public:
    static constexpr size_t chunk_bytes = chunk_pool::chunk_bytes;
    chunked_bytes() = default;
    chunked_bytes(const chunked_bytes&) = delete;
    chunked_bytes& operator=(const chunked_bytes&) = delete;
    chunked_bytes(chunked_bytes&& other) noexcept;
    chunked_bytes& operator=(chunked_bytes&& other) noexcept;
    ~chunked_bytes();
    uint64_t size() const {
      return size_;
    }
    bool empty() const {
      return size_ == 0;
    }
    void append(std::string_view bytes);
    void append_zeros(uint64_t n);
    /// REQUIRES: n <= size().
    void shrink(uint64_t n);
    /// Copies [offset, offset + n) clipped to size() into `out`.
    void read(uint64_t offset, size_t n, std::string& out) const;
    /// Overwrites [offset, offset + bytes.size()) in place.
    /// REQUIRES: offset + bytes.size() <= size().
    void overwrite(uint64_t offset, std::string_view bytes);
    /// Zeros every byte from `offset` to the end.
    void fill_zeros(uint64_t offset);
    /// REQUIRES: offset < size().
    char& at(uint64_t offset) {
      return chunks_[offset / chunk_bytes][offset % chunk_bytes];
    }

  private:
    /// Bytes held by chunk i: chunk_bytes for all but the last.
    size_t held(size_t i) const;
    void release() noexcept;

    std::vector<char*> chunks_; ///< from chunk_pool; all full but the last
    uint64_t size_ = 0;
  };

  struct file {
    chunked_bytes data;
    uint64_t synced = 0;
    bool durable = false; ///< synced at least once: survives a crash
    uint64_t reads = 0;
  };

  /// Writes `bytes` over a random synced region; false when none fits.
  bool misdirect(std::string_view bytes);

  std::map<std::string, file> files_;
  prng rng_;
  uint64_t capacity_bytes_ = UINT64_MAX;
  uint64_t used_bytes_ = 0;
  uint64_t sync_count_ = 0;
  time_us sync_latency_us_ = 0;
  bool fail_sync_ = false;
  bool misdirect_armed_ = false;
  std::optional<disk_fault> last_misdirect_;
};

} // namespace logstore
