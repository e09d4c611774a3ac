// logstore — `disk` over a real directory (POSIX; Linux fdatasync).
// Layer: core, the one I/O file (posix_disk.hpp says why). No clock, no
// randomness; errors become disk_status values, never exceptions.
#include "core/storage/posix_disk.hpp"

#include "core/base/assert.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace logstore {

namespace {

disk_status from_errno(int err) {
  switch (err) {
    case ENOENT:
      return disk_status::not_found;
    case ENOSPC:
    case EDQUOT:
      return disk_status::no_space;
    default:
      return disk_status::io_error;
  }
}

bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".."
         && name.find('/') == std::string::npos;
}

} // namespace

posix_disk::~posix_disk() {
  for (auto& kv : fds_)
    ::close(kv.second);
}

disk_status posix_disk::make_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST)
    return disk_status::ok;
  return from_errno(errno);
}

disk_status posix_disk::check() const {
  struct stat st;
  if (::stat(dir_.c_str(), &st) != 0)
    return from_errno(errno);
  return S_ISDIR(st.st_mode) ? disk_status::ok : disk_status::io_error;
}

std::string posix_disk::path(const std::string& name) const {
  LOGSTORE_ASSERT(plain_name(name));
  return dir_ + "/" + name;
}

disk_status posix_disk::descriptor(const std::string& name, bool create,
                                   int& fd) {
  auto i = fds_.find(name);
  if (i != fds_.end()) {
    fd = i->second;
    return disk_status::ok;
  }
  if (fds_.size() >= open_files_max)
    close_descriptor(fds_.begin()->first);
  auto p = path(name);
  int flags = O_RDWR | O_APPEND | O_CLOEXEC;
  fd = ::open(p.c_str(), flags);
  if (fd < 0 && errno == ENOENT && create) {
    fd = ::open(p.c_str(), flags | O_CREAT | O_EXCL, 0644);
    if (fd >= 0)
      created_.insert(name);
  }
  if (fd < 0)
    return from_errno(errno);
  fds_.emplace(name, fd);
  LOGSTORE_ASSERT(fds_.size() <= open_files_max); // invariant 2
  return disk_status::ok;
}

void posix_disk::close_descriptor(const std::string& name) {
  auto i = fds_.find(name);
  if (i == fds_.end())
    return;
  ::close(i->second);
  fds_.erase(i);
}

disk_status posix_disk::sync_directory() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return from_errno(errno);
  auto rc = ::fsync(fd);
  auto err = errno;
  ::close(fd);
  if (rc != 0)
    return from_errno(err);
  created_.clear();
  return disk_status::ok;
}

disk_status posix_disk::list(std::vector<std::string>& names) {
  names.clear();
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr)
    return from_errno(errno);
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!plain_name(name))
      continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
        && S_ISREG(st.st_mode))
      names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return disk_status::ok;
}

disk_status posix_disk::size(const std::string& name, uint64_t& out) {
  struct stat st;
  if (::stat(path(name).c_str(), &st) != 0)
    return from_errno(errno);
  out = static_cast<uint64_t>(st.st_size);
  return disk_status::ok;
}

disk_status posix_disk::read(const std::string& name, uint64_t offset,
                             size_t n, std::string& out) {
  out.clear();
  int fd = -1;
  if (auto st = descriptor(name, false, fd); st != disk_status::ok)
    return st;
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    auto got = ::pread(fd, out.data() + done, n - done,
                       static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      out.clear();
      return from_errno(errno);
    }
    if (got == 0)
      break; // end of file
    done += static_cast<size_t>(got);
  }
  out.resize(done);
  LOGSTORE_ASSERT(out.size() <= n);
  return disk_status::ok;
}

disk_status posix_disk::append(const std::string& name,
                               std::string_view bytes) {
  int fd = -1;
  if (auto st = descriptor(name, true, fd); st != disk_status::ok)
    return st;
  size_t done = 0;
  while (done < bytes.size()) {
    auto put = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (put < 0 && errno == EINTR)
      continue;
    if (put < 0)
      return from_errno(errno); // a prefix may be in the file (disk.hpp)
    done += static_cast<size_t>(put);
  }
  LOGSTORE_ASSERT(done == bytes.size());
  return disk_status::ok;
}

disk_status posix_disk::sync(const std::string& name) {
  int fd = -1;
  if (auto st = descriptor(name, false, fd); st != disk_status::ok)
    return st;
  if (::fdatasync(fd) != 0)
    return from_errno(errno);
  // Contract 2: a new file exists durably only once its directory entry is.
  if (created_.count(name) != 0)
    return sync_directory();
  return disk_status::ok;
}

disk_status posix_disk::truncate(const std::string& name, uint64_t size) {
  int fd = -1;
  if (auto st = descriptor(name, false, fd); st != disk_status::ok)
    return st;
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return from_errno(errno);
  if (size > static_cast<uint64_t>(st.st_size))
    return disk_status::io_error;
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0
      || ::fdatasync(fd) != 0)
    return from_errno(errno);
  return disk_status::ok;
}

disk_status posix_disk::remove(const std::string& name) {
  close_descriptor(name);
  if (::unlink(path(name).c_str()) != 0)
    return from_errno(errno);
  created_.erase(name);
  return sync_directory();
}

disk_status posix_disk::rename(const std::string& from,
                               const std::string& to) {
  auto target = path(to);
  struct stat st;
  if (::stat(target.c_str(), &st) == 0)
    return disk_status::io_error; // never replace a file
  close_descriptor(from);
  if (::rename(path(from).c_str(), target.c_str()) != 0)
    return from_errno(errno);
  created_.erase(from);
  return sync_directory();
}

} // namespace logstore
