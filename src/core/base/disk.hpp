// logstore — the seam between the storage engine and a directory of files.
// Layer: core (standard library only). Two implementations: sim_disk (in
// memory, crash semantics and fault injection, deterministic) and posix_disk
// (real files). Like LevelDB's Env: the engine never touches the OS itself.
//
// Every operation returns a disk_status value; nothing throws. Names are
// plain file names inside the one directory (no '/').
//
// Durability contract (both implementations, and what the engine relies on):
//  1. append() data is volatile until sync() of that file returns ok.
//  2. A file created by append() exists durably once it has been synced.
//  3. truncate(), remove() and rename() are durable when they return ok
//     (posix_disk syncs the directory / file; sim_disk applies them to the
//     durable state at once).
//  4. A crash keeps, per file, the synced bytes plus possibly a prefix of
//     the unsynced bytes (a torn write). Synced bytes are never lost by a
//     crash; they may still rot (a flipped bit) or be overwritten by a
//     misdirected write, which is what checksums are for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logstore {

enum class disk_status : uint8_t {
  ok = 0,
  /// The device is full: the write did not happen (a partial append may
  /// have left bytes behind; the caller truncates them).
  no_space = 1,
  /// Any other failure of the device or the OS.
  io_error = 2,
  /// The named file does not exist.
  not_found = 3,
};

/// Stable snake_case name for logs and reports.
inline std::string_view to_string(disk_status x) {
  switch (x) {
    case disk_status::ok:
      return "ok";
    case disk_status::no_space:
      return "no_space";
    case disk_status::io_error:
      return "io_error";
    case disk_status::not_found:
      return "not_found";
  }
  return "unknown";
}

class disk {
public:
  virtual ~disk() = default;

  /// Names of all regular files in the directory, sorted ascending.
  virtual disk_status list(std::vector<std::string>& names) = 0;

  /// Current size of `name` (including unsynced bytes).
  virtual disk_status size(const std::string& name, uint64_t& out) = 0;

  /// Reads up to `n` bytes at `offset` into `out` (replacing its contents).
  /// Fewer bytes (possibly none) when the file ends first; that is ok.
  virtual disk_status read(const std::string& name, uint64_t offset,
                           size_t n, std::string& out)
    = 0;

  /// Appends `bytes` at the end of `name`, creating the file if needed.
  virtual disk_status append(const std::string& name, std::string_view bytes)
    = 0;

  /// Makes everything appended to `name` so far durable (fdatasync), and
  /// the file's existence too (contract 2).
  virtual disk_status sync(const std::string& name) = 0;

  /// Shrinks `name` to `size` bytes. REQUIRES: size <= current size.
  virtual disk_status truncate(const std::string& name, uint64_t size) = 0;

  virtual disk_status remove(const std::string& name) = 0;

  /// Renames `from` to `to` atomically, replacing nothing: not_found when
  /// `from` is missing, io_error when `to` exists.
  virtual disk_status rename(const std::string& from, const std::string& to)
    = 0;
};

} // namespace logstore
