// Reference: src/core/base/disk.hpp (the contract) and src/core/storage/posix_disk.hpp;
// issue 5 ("real-file tests with kill -9 of a storage process mid-write").
// Runs in a fresh mkdtemp directory under /tmp. The kill -9 test forks a
// child that appends and syncs in a loop and reports each synced batch id
// through a pipe; the parent kills it mid-write, recovers, and checks that
// every reported id is present and exact.
#include "core/storage/posix_disk.hpp"

#include "core/storage/segment_store.hpp"
#include "segment_test_util.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace logstore;
using namespace logstore::test;

namespace {

// A temporary directory, removed with its files at scope exit.
struct temp_dir {
  std::string path;

  temp_dir() {
    char tmpl[] = "/tmp/logstore-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
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

// The batch the child writes for `id`: about 0.5 MB, so that a kill often
// lands inside a write(2) and leaves a torn frame behind.
std::vector<stored_entry> child_batch(batch_id id) {
  return make_batch(id, static_cast<timestamp_us>(id), 500, 1000);
}

[[noreturn]] void child_main(const std::string& dir, batch_id first,
                             int report_fd) {
  posix_disk d{dir};
  segment_store store{d, small_segments(1 << 20)};
  if (store.recover().status != disk_status::ok)
    ::_exit(3);
  for (batch_id id = first;; id += 4) {
    for (batch_id k = id; k < id + 4; ++k) {
      auto xs = child_batch(k);
      if (store.put(k, xs.front().ts, xs.back().ts, xs)
          != segment_store::put_result::stored)
        ::_exit(4);
    }
    if (store.sync() != disk_status::ok)
      ::_exit(5);
    for (batch_id k = id; k < id + 4; ++k)
      if (::write(report_fd, &k, sizeof(k)) != sizeof(k))
        ::_exit(6);
  }
}

// Runs a child until it has reported `wanted` ids, kills it, and returns
// every id it reported.
std::vector<batch_id> run_and_kill(const std::string& dir, batch_id first,
                                   size_t wanted, useconds_t delay_us) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    child_main(dir, first, fds[1]);
  }
  ::close(fds[1]);
  std::vector<batch_id> acked;
  batch_id id = 0;
  bool killed = false;
  while (::read(fds[0], &id, sizeof(id)) == sizeof(id)) {
    acked.push_back(id);
    if (!killed && acked.size() >= wanted) {
      ::usleep(delay_us); // spread the kill over the child's write cycle
      ::kill(pid, SIGKILL); // ids already in the pipe are still read
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  return acked;
}

} // namespace

TEST_CASE("posix_disk honours the disk contract on real files") {
  temp_dir dir;
  posix_disk d{dir.path};
  CHECK(d.check() == disk_status::ok);
  CHECK(d.append("a", "hello ") == disk_status::ok);
  CHECK(d.append("a", "world") == disk_status::ok);
  CHECK(d.sync("a") == disk_status::ok);
  uint64_t size = 0;
  CHECK(d.size("a", size) == disk_status::ok);
  CHECK(size == 11);
  std::string out;
  CHECK(d.read("a", 6, 100, out) == disk_status::ok);
  CHECK(out == "world");
  CHECK(d.read("a", 50, 10, out) == disk_status::ok);
  CHECK(out.empty());
  CHECK(d.truncate("a", 5) == disk_status::ok);
  CHECK(d.read("a", 0, 100, out) == disk_status::ok);
  CHECK(out == "hello");
  CHECK(d.append("b", "x") == disk_status::ok);
  CHECK(d.rename("a", "b") == disk_status::io_error); // never replaces
  CHECK(d.rename("a", "c") == disk_status::ok);
  std::vector<std::string> names;
  CHECK(d.list(names) == disk_status::ok);
  CHECK(names == std::vector<std::string>{"b", "c"});
  CHECK(d.read("a", 0, 1, out) == disk_status::not_found);
  CHECK(d.size("a", size) == disk_status::not_found);
  CHECK(d.remove("b") == disk_status::ok);
  CHECK(d.remove("b") == disk_status::not_found);
  CHECK(posix_disk{dir.path + "/missing"}.check() == disk_status::not_found);
}

TEST_CASE("the engine on real files: restart, then a flipped bit on disk") {
  temp_dir dir;
  model m;
  {
    posix_disk d{dir.path};
    segment_store store{d, small_segments(4000)};
    CHECK(store.recover().issues.empty());
    for (batch_id id = 1; id <= 30; ++id)
      m.put(store, id, make_batch(id, static_cast<timestamp_us>(id)));
    CHECK(store.sync() == disk_status::ok);
  }
  {
    posix_disk d{dir.path};
    segment_store store{d, small_segments(4000)};
    auto report = store.recover();
    CHECK(report.issues.empty());
    CHECK(store.batches() == 30);
    check_served_batches_match(store, m);
  }
  // Rot one byte in the middle of the first segment.
  auto file = dir.path + "/seg-000001.log";
  int fd = ::open(file.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  char c = 0;
  REQUIRE(::pread(fd, &c, 1, 300) == 1);
  c = static_cast<char>(c ^ 0x10);
  REQUIRE(::pwrite(fd, &c, 1, 300) == 1);
  ::close(fd);
  posix_disk d{dir.path};
  segment_store store{d, small_segments(4000)};
  auto report = store.recover();
  CHECK(report.quarantined
        == std::vector<std::string>{"seg-000001.log.corrupt"});
  CHECK_FALSE(report.affected.empty());
  check_served_batches_match(store, m);
  CHECK(::access((dir.path + "/seg-000001.log.corrupt").c_str(), F_OK) == 0);
}

TEST_CASE("kill -9 mid-write: every batch synced before its id was "
          "reported survives") {
  temp_dir dir;
  std::set<batch_id> acked;
  const size_t rounds = 8;
  uint64_t torn_rounds = 0;
  for (size_t round = 0; round < rounds; ++round) {
    auto first = static_cast<batch_id>(round * 1'000'000 + 1);
    auto wanted = 8 + round * 3;
    auto delay = static_cast<useconds_t>((round % 4) * 700);
    auto got = run_and_kill(dir.path, first, wanted, delay);
    INFO("round " << round << ": " << got.size() << " ids reported");
    CHECK(got.size() >= wanted);
    acked.insert(got.begin(), got.end());
    posix_disk d{dir.path};
    segment_store store{d, small_segments(1 << 20)};
    auto report = store.recover();
    REQUIRE(report.status == disk_status::ok);
    CHECK(report.quarantined.empty());
    torn_rounds += report.truncated_bytes > 0 ? 1 : 0;
    for (auto id : acked)
      CHECK(store.contains(id));
    // Whatever is present (acked or not) is exactly what was written.
    for (auto id : store.ids()) {
      std::vector<stored_entry> out;
      REQUIRE(read_all(store, id, out) == segment_store::read_result::ok);
      CHECK(out == child_batch(id));
    }
  }
  MESSAGE(torn_rounds << " of " << rounds << " kills left a torn tail");
}
