// logstore — in-memory disk with crash semantics (model in sim_disk.hpp).
// Layer: core (standard library only; no CAF, no clock).
#include "core/storage/sim_disk.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace logstore {

// -- chunked_bytes -------------------------------------------------------------

sim_disk::chunked_bytes::chunked_bytes(chunked_bytes&& other) noexcept
  : chunks_(std::move(other.chunks_)), size_(other.size_) {
  other.chunks_.clear();
  other.size_ = 0;
}

sim_disk::chunked_bytes&
sim_disk::chunked_bytes::operator=(chunked_bytes&& other) noexcept {
  if (this != &other) {
    release();
    chunks_ = std::move(other.chunks_);
    size_ = other.size_;
    other.chunks_.clear();
    other.size_ = 0;
  }
  return *this;
}

sim_disk::chunked_bytes::~chunked_bytes() {
  release();
}

void sim_disk::chunked_bytes::release() noexcept {
  for (auto* c : chunks_)
    chunk_pool::give(c);
  chunks_.clear();
  size_ = 0;
}

size_t sim_disk::chunked_bytes::held(size_t i) const {
  return i + 1 < chunks_.size()
           ? chunk_bytes
           : static_cast<size_t>(size_ - uint64_t{i} * chunk_bytes);
}

void sim_disk::chunked_bytes::append(std::string_view bytes) {
  while (!bytes.empty()) {
    auto used = static_cast<size_t>(size_ % chunk_bytes);
    if (used == 0 && size_ == uint64_t{chunks_.size()} * chunk_bytes)
      chunks_.push_back(chunk_pool::take()); // every chunk is full
    auto n = std::min(bytes.size(), chunk_bytes - used);
    std::memcpy(chunks_.back() + used, bytes.data(), n);
    bytes.remove_prefix(n);
    size_ += n;
  }
}

void sim_disk::chunked_bytes::append_zeros(uint64_t n) {
  static const std::string zeros(chunk_bytes, '\0');
  while (n > 0) {
    auto k = static_cast<size_t>(std::min<uint64_t>(n, chunk_bytes));
    append(std::string_view{zeros.data(), k});
    n -= k;
  }
}

void sim_disk::chunked_bytes::shrink(uint64_t n) {
  LOGSTORE_ASSERT(n <= size_);
  auto keep_chunks = static_cast<size_t>((n + chunk_bytes - 1) / chunk_bytes);
  for (size_t i = keep_chunks; i < chunks_.size(); ++i)
    chunk_pool::give(chunks_[i]);
  chunks_.resize(keep_chunks);
  size_ = n;
}

void sim_disk::chunked_bytes::read(uint64_t offset, size_t n,
                                   std::string& out) const {
  out.clear();
  if (offset >= size_)
    return;
  auto end = offset + std::min<uint64_t>(n, size_ - offset);
  out.reserve(static_cast<size_t>(end - offset));
  while (offset < end) {
    auto i = static_cast<size_t>(offset / chunk_bytes);
    auto at = static_cast<size_t>(offset % chunk_bytes);
    auto k = static_cast<size_t>(std::min<uint64_t>(end - offset,
                                                    held(i) - at));
    out.append(chunks_[i] + at, k);
    offset += k;
  }
}

void sim_disk::chunked_bytes::overwrite(uint64_t offset,
                                        std::string_view bytes) {
  LOGSTORE_ASSERT(offset + bytes.size() <= size_);
  while (!bytes.empty()) {
    auto i = static_cast<size_t>(offset / chunk_bytes);
    auto at = static_cast<size_t>(offset % chunk_bytes);
    auto k = std::min(bytes.size(), held(i) - at);
    std::memcpy(chunks_[i] + at, bytes.data(), k);
    bytes.remove_prefix(k);
    offset += k;
  }
}

void sim_disk::chunked_bytes::fill_zeros(uint64_t offset) {
  while (offset < size_) {
    auto i = static_cast<size_t>(offset / chunk_bytes);
    auto at = static_cast<size_t>(offset % chunk_bytes);
    auto k = held(i) - at;
    std::memset(chunks_[i] + at, 0, k);
    offset += k;
  }
}

// -- sim_disk -----------------------------------------------------------------

disk_status sim_disk::list(std::vector<std::string>& names) {
  names.clear();
  for (const auto& kv : files_)
    names.push_back(kv.first); // std::map: already sorted
  return disk_status::ok;
}

disk_status sim_disk::size(const std::string& name, uint64_t& out) {
  auto i = files_.find(name);
  if (i == files_.end())
    return disk_status::not_found;
  out = i->second.data.size();
  return disk_status::ok;
}

disk_status sim_disk::read(const std::string& name, uint64_t offset, size_t n,
                           std::string& out) {
  out.clear();
  auto i = files_.find(name);
  if (i == files_.end())
    return disk_status::not_found;
  auto& f = i->second;
  ++f.reads;
  f.data.read(offset, n, out);
  LOGSTORE_ASSERT(out.size() <= n);
  return disk_status::ok;
}

disk_status sim_disk::append(const std::string& name,
                             std::string_view bytes) {
  auto& f = files_[name];
  LOGSTORE_ASSERT(f.synced <= f.data.size());
  auto room = used_bytes_ < capacity_bytes_ ? capacity_bytes_ - used_bytes_
                                            : uint64_t{0};
  if (bytes.size() > room) {
    f.data.append(bytes.substr(0, static_cast<size_t>(room)));
    used_bytes_ += room;
    return disk_status::no_space;
  }
  if (misdirect_armed_ && misdirect(bytes)) {
    misdirect_armed_ = false;
    f.data.append_zeros(bytes.size()); // the intended blocks stay unwritten
  } else {
    f.data.append(bytes);
  }
  used_bytes_ += bytes.size();
  LOGSTORE_ASSERT(f.synced <= f.data.size());
  return disk_status::ok;
}

disk_status sim_disk::sync(const std::string& name) {
  auto i = files_.find(name);
  if (i == files_.end())
    return disk_status::not_found;
  if (fail_sync_)
    return disk_status::io_error;
  ++sync_count_;
  i->second.synced = i->second.data.size();
  i->second.durable = true;
  return disk_status::ok;
}

disk_status sim_disk::truncate(const std::string& name, uint64_t size) {
  auto i = files_.find(name);
  if (i == files_.end())
    return disk_status::not_found;
  auto& f = i->second;
  if (size > f.data.size())
    return disk_status::io_error;
  used_bytes_ -= f.data.size() - size;
  f.data.shrink(size);
  f.synced = std::min(f.synced, size);
  LOGSTORE_ASSERT(f.synced <= f.data.size());
  return disk_status::ok;
}

disk_status sim_disk::remove(const std::string& name) {
  auto i = files_.find(name);
  if (i == files_.end())
    return disk_status::not_found;
  LOGSTORE_ASSERT(used_bytes_ >= i->second.data.size());
  used_bytes_ -= i->second.data.size();
  files_.erase(i);
  return disk_status::ok;
}

disk_status sim_disk::rename(const std::string& from, const std::string& to) {
  auto i = files_.find(from);
  if (i == files_.end())
    return disk_status::not_found;
  if (files_.count(to) != 0)
    return disk_status::io_error;
  auto f = std::move(i->second);
  files_.erase(i);
  f.durable = true; // contract 3: the rename itself is durable
  files_.emplace(to, std::move(f));
  return disk_status::ok;
}

void sim_disk::crash(crash_mode mode) {
  for (auto i = files_.begin(); i != files_.end();) {
    auto& f = i->second;
    LOGSTORE_ASSERT(f.synced <= f.data.size());
    auto unsynced = f.data.size() - f.synced;
    uint64_t keep = 0;
    if (mode != crash_mode::lose_unsynced && unsynced > 0)
      keep = rng_.below(unsynced + 1);
    auto old_size = f.data.size();
    f.data.shrink(f.synced + keep);
    if (mode == crash_mode::zero_fill)
      f.data.fill_zeros(f.synced);
    used_bytes_ -= old_size - f.data.size();
    f.synced = f.data.size();
    if (!f.durable && f.data.empty()) {
      i = files_.erase(i);
      continue;
    }
    f.durable = true;
    ++i;
  }
  misdirect_armed_ = false;
}

bool sim_disk::flip_bit(const std::string& name, uint64_t offset,
                        uint8_t bit) {
  auto i = files_.find(name);
  if (i == files_.end() || offset >= i->second.data.size() || bit > 7)
    return false;
  auto& byte = i->second.data.at(offset);
  byte = static_cast<char>(static_cast<uint8_t>(byte) ^ (1u << bit));
  return true;
}

std::optional<disk_fault> sim_disk::flip_random_bit() {
  uint64_t total = 0;
  for (const auto& kv : files_)
    total += kv.second.synced;
  if (total == 0)
    return std::nullopt;
  auto pick = rng_.below(total);
  for (auto& kv : files_) {
    if (pick >= kv.second.synced) {
      pick -= kv.second.synced;
      continue;
    }
    auto bit = static_cast<uint8_t>(rng_.below(8));
    auto flipped = flip_bit(kv.first, pick, bit);
    LOGSTORE_ASSERT(flipped);
    return disk_fault{kv.first, pick, 1};
  }
  LOGSTORE_ASSERT_MSG(false, "pick below total must land in a file");
  return std::nullopt;
}

bool sim_disk::misdirect(std::string_view bytes) {
  std::vector<file*> targets;
  std::vector<const std::string*> names;
  for (auto& kv : files_) {
    if (kv.second.synced >= bytes.size() && !bytes.empty()) {
      targets.push_back(&kv.second);
      names.push_back(&kv.first);
    }
  }
  if (targets.empty())
    return false;
  auto k = rng_.below(targets.size());
  auto& f = *targets[k];
  auto offset = rng_.below(f.synced - bytes.size() + 1);
  f.data.overwrite(offset, bytes);
  last_misdirect_ = disk_fault{*names[k], offset, bytes.size()};
  LOGSTORE_ASSERT(offset + bytes.size() <= f.synced);
  return true;
}

uint64_t sim_disk::synced_bytes(const std::string& name) const {
  auto i = files_.find(name);
  return i == files_.end() ? 0 : i->second.synced;
}

uint64_t sim_disk::read_count(const std::string& name) const {
  auto i = files_.find(name);
  return i == files_.end() ? 0 : i->second.reads;
}

} // namespace logstore
