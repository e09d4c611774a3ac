// logstore — `disk` over a real directory (open/pread/write/fdatasync).
// Layer: core, although it does I/O: the storage engine must be testable
// against real files (kill -9 tests, benchmarks) from core_tests, which
// links logstore_core only. It is the one I/O file in core; nothing else in
// core includes it, and it reads no clock and no randomness.
//
// Durability as disk.hpp promises: sync() is fdatasync(), plus an fsync of
// the directory the first time a newly created file is synced;
// truncate/remove/rename fdatasync the file or fsync the directory before
// returning.
//
// Invariants:
//  1. every cached descriptor in fds_ is open, O_RDWR|O_APPEND, and names
//     dir_/<key>.
//  2. fds_.size() <= open_files_max.
#pragma once

#include "core/base/disk.hpp"

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace logstore {

class posix_disk final : public disk {
public:
  /// Open descriptors kept at most (older segments are reopened on read).
  static constexpr size_t open_files_max = 64;

  /// Uses directory `dir`; touches nothing until the first call.
  explicit posix_disk(std::string dir) : dir_(std::move(dir)) {
  }
  ~posix_disk() override;

  posix_disk(const posix_disk&) = delete;
  posix_disk& operator=(const posix_disk&) = delete;

  /// Creates `dir` if missing (one level, like mkdir). ok when it exists.
  static disk_status make_directory(const std::string& dir);

  /// ok when the directory exists and is readable.
  disk_status check() const;

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

  const std::string& directory() const {
    return dir_;
  }

private:
  std::string path(const std::string& name) const;
  /// The cached descriptor of `name`; opens it (creating when `create`).
  disk_status descriptor(const std::string& name, bool create, int& fd);
  void close_descriptor(const std::string& name);
  disk_status sync_directory();

  std::string dir_;
  std::unordered_map<std::string, int> fds_;
  /// Created since the directory was last synced.
  std::unordered_set<std::string> created_;
};

} // namespace logstore
