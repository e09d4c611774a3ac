// logstore — cluster_bench: the real cluster against Redis Streams, in the
// same run, on 127.0.0.1 (targets T1-T4, T8, T9 in ../shared/notes/targets.md).
//
// Starts, as child processes on random free loopback ports:
//   logstore: `logstore master` + 3 x `logstore storage`, --insecure,
//             replication factor 3, write quorum = all (the default), memory;
//   Redis:    3 x Debian's redis-server, 1 primary + 2 replicas (replicaof),
//             appendonly no, no snapshots; waits until both replicas are online.
// and measures, with 100-byte entries:
//   - append throughput and batch latency at K = 1, 100, 1000 entries per
//     batch, with 1 batch in flight (stop-and-wait) and with 8 in flight.
//     logstore: the `logstore append` client path (client_session ->
//     directory -> net_link -> master, pipelined by app::append_driver).
//     Redis: K pipelined XADDs then `WAIT 2 0` per batch (the analogue of RF 3,
//     ack from all copies); 8 in flight = 8 connections driven by one thread.
//   - 1000-entry range reads, 1 in flight: `logstore read`'s request
//     (read_req over a time range) against XRANGE ... COUNT 1000, both over a
//     preloaded store (default 1M entries).
// Configurations are measured in interleaved rounds (logstore, Redis,
// logstore, ...; default 5 rounds of 1.5 s after a 0.3 s warm-up) and the
// median round is reported, then: the CPU each side spent per 1000 entries
// (from /proc/PID/stat and getrusage), one bare request/response each (the
// per-hop cost), the ratios and the target verdicts. The machine is shared
// and noisy: only figures of the same run are compared. Every child is
// stopped on exit (also on Ctrl-C, on a fatal signal, after a 10-minute
// watchdog, and by PR_SET_PDEATHSIG if this process is killed). About 2-3
// minutes in all.
//
// Usage: cluster_bench [--logstore PATH] [--redis-server PATH] [--rounds N]
//          [--round-seconds S] [--read-entries N] [--read-batch K]
//          [--quick] [--keep-logs] [--only appends|reads] [--node-threads N]
// Exit codes: 0 ran (targets are reported, not enforced), 1 a cluster could
// not be started or died, 2 bad options.
#include "actors/protocol.hpp"
#include "app/append_driver.hpp"
#include "app/client_session.hpp"
#include "app/cluster_commands.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <array>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <numeric>
#include <poll.h>
#include <random>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace logstore;
using clk = std::chrono::steady_clock;

namespace {

// --- options -----------------------------------------------------------------

struct options {
  std::string logstore;
  std::string redis;
  int rounds = 5;
  double round_seconds = 1.5;
  double warmup_seconds = 0.3;
  uint64_t read_entries = 1'000'000;
  uint32_t read_batch = 100;
  double read_load_max_seconds = 90;
  bool keep_logs = false;
  std::string only; ///< "", "appends" or "reads" (for profiling one path)
  /// T5: storage nodes with --data-dir and --fsync always (group commit);
  /// Redis with appendonly yes + appendfsync always on every server.
  bool durable = false;
  std::string node_threads; ///< --threads for master and storage; "" = default
  unsigned max_seconds = 600; ///< watchdog: everything is killed after this
};

constexpr size_t payload_size = 100;
constexpr uint32_t range_size = 1000;
/// Timestamps (us) of the read data set: [read_base, read_base + N).
constexpr int64_t read_base = 1'000'000;
/// Timestamps of appended entries start here, far from the read data set.
constexpr int64_t append_base = 4'000'000'000'000'000;

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

std::string dirname_of(const std::string& path) {
  auto i = path.rfind('/');
  return i == std::string::npos ? "." : path.substr(0, i);
}

bool executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

std::string self_exe(const char* argv0) {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0)
    return std::string(buf, static_cast<size_t>(n));
  return argv0;
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  std::stringstream in{dirs};
  std::string dir;
  while (std::getline(in, dir, ':'))
    if (!dir.empty() && executable(dir + "/" + name))
      return dir + "/" + name;
  return {};
}

// --- child processes ----------------------------------------------------------

struct child {
  std::string name;
  pid_t pid = -1;
  bool running = false;
};

std::vector<child> children; // main thread only
constexpr int max_pids = 16;
volatile sig_atomic_t pid_table[max_pids];
volatile sig_atomic_t pid_count = 0;

void kill_all_children_now(int sig) {
  for (int i = 0; i < pid_count; ++i)
    if (pid_table[i] > 0)
      ::kill(static_cast<pid_t>(pid_table[i]), sig);
}

extern "C" void on_fatal_signal(int sig) {
  static const char msg[] = "\ncluster_bench: interrupted; killing the "
                            "cluster processes\n";
  [[maybe_unused]] auto n = ::write(2, msg, sizeof(msg) - 1);
  kill_all_children_now(SIGKILL);
  ::_exit(128 + sig);
}

extern "C" void on_watchdog(int) {
  static const char msg[] = "\ncluster_bench: run-time limit reached; killing "
                            "the cluster processes\n";
  [[maybe_unused]] auto n = ::write(2, msg, sizeof(msg) - 1);
  kill_all_children_now(SIGKILL);
  ::_exit(3);
}

/// fork + exec; stdin from /dev/null, stdout and stderr to `log_path`. The
/// child dies with us (PR_SET_PDEATHSIG), whatever ends this process.
pid_t start_child(const std::string& name, const std::vector<std::string>& argv,
                  const std::string& log_path) {
  std::vector<char*> ptrs;
  for (auto& a : argv)
    ptrs.push_back(const_cast<char*>(a.c_str()));
  ptrs.push_back(nullptr);
  int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                   0644);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0) {
    std::cerr << "cluster_bench: cannot open " << log_path << "\n";
    return -1;
  }
  auto parent = ::getpid();
  auto pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(ptrs[0], ptrs.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(in);
  if (pid < 0) {
    std::cerr << "cluster_bench: fork failed: " << std::strerror(errno) << "\n";
    return -1;
  }
  children.push_back({name, pid, true});
  if (pid_count < max_pids) {
    pid_table[pid_count] = pid;
    pid_count = pid_count + 1;
  }
  return pid;
}

/// Names of children that exited (reaps them).
std::string dead_children() {
  std::string out;
  for (auto& c : children) {
    int status = 0;
    if (c.running && ::waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.running = false;
      out += (out.empty() ? "" : ", ") + c.name;
    }
  }
  return out;
}

void stop_children() {
  for (auto& c : children)
    if (c.running)
      ::kill(c.pid, SIGTERM);
  auto deadline = clk::now() + std::chrono::seconds{3};
  for (auto& c : children) {
    while (c.running) {
      int status = 0;
      if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
        c.running = false;
      } else if (clk::now() > deadline) {
        ::kill(c.pid, SIGKILL);
        ::waitpid(c.pid, &status, 0);
        c.running = false;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
      }
    }
  }
  pid_count = 0;
}

/// `n` distinct free TCP ports on 127.0.0.1 (bound to port 0 together, then
/// released: another process could take one in between, which start-up
/// would report).
std::vector<uint16_t> free_ports(size_t n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      break;
    fds.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  for (auto fd : fds)
    ::close(fd);
  return ports;
}

/// "1.23 0.98 0.75": the 1, 5 and 15 minute load averages.
std::string load_average() {
  std::string out;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    double a = 0, b = 0, c = 0;
    if (std::fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", a, b, c);
      out = buf;
    }
    std::fclose(f);
  }
  return out;
}

// --- statistics -----------------------------------------------------------------

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size()));
  return xs[std::min(rank, xs.size() - 1)];
}

double median(std::vector<double> xs) {
  return percentile(std::move(xs), 50);
}

struct round_result {
  uint64_t entries = 0;
  double entries_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  uint64_t ops = 0;      ///< batches or reads
  uint64_t failures = 0; ///< not acked / incomplete / WAIT short of 2
  /// CPU ms (user + system, all threads) per 1000 entries of: the server
  /// side's coordinator (logstore master / Redis primary), its replicas (3
  /// storage nodes / 2 Redis replicas), and this client process.
  std::array<double, 3> cpu{};
};

round_result summarize(uint64_t entries, double secs,
                       const std::vector<double>& lat_us, uint64_t failures) {
  round_result r;
  r.entries = entries;
  r.entries_per_s = secs > 0 ? static_cast<double>(entries) / secs : 0;
  r.p50_ms = percentile(lat_us, 50) / 1000.0;
  r.p99_ms = percentile(lat_us, 99) / 1000.0;
  r.ops = lat_us.size();
  r.failures = failures;
  return r;
}

/// The reported figure of a configuration: median over its rounds.
struct figure {
  std::vector<round_result> rounds;
  bool valid() const {
    return !rounds.empty();
  }
  double rate() const {
    return pick([](const round_result& r) { return r.entries_per_s; });
  }
  double p50() const {
    return pick([](const round_result& r) { return r.p50_ms; });
  }
  double p99() const {
    return pick([](const round_result& r) { return r.p99_ms; });
  }
  double cpu(size_t i) const {
    return pick([i](const round_result& r) { return r.cpu[i]; });
  }
  uint64_t failures() const {
    uint64_t n = 0;
    for (auto& r : rounds)
      n += r.failures;
    return n;
  }
  template <class F>
  double pick(F f) const {
    std::vector<double> xs;
    for (auto& r : rounds)
      xs.push_back(f(r));
    return median(xs);
  }
};

/// CPU seconds (user + system, all threads) a process used so far; pid 0 =
/// this process.
double process_cpu(pid_t pid) {
  if (pid == 0) {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto tv = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return tv(ru.ru_utime) + tv(ru.ru_stime);
  }
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "r");
  if (f == nullptr)
    return 0;
  char buf[1024];
  auto n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Fields after "(comm)": state is field 3; utime and stime are 14 and 15.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr)
    return 0;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                  &utime, &stime)
      != 2)
    return 0;
  return static_cast<double>(utime + stime)
         / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// Three groups of processes whose CPU time a round reports.
using cpu_groups = std::array<std::vector<pid_t>, 3>;

std::array<double, 3> sample_cpu(const cpu_groups& groups) {
  std::array<double, 3> out{};
  for (size_t i = 0; i < 3; ++i)
    for (auto pid : groups[i])
      out[i] += process_cpu(pid);
  return out;
}

/// Runs one round and adds its CPU cost per 1000 entries.
template <class F>
round_result with_cpu(const cpu_groups& groups, F round) {
  auto before = sample_cpu(groups);
  round_result r = round();
  auto after = sample_cpu(groups);
  for (size_t i = 0; i < 3; ++i)
    r.cpu[i] = r.entries > 0 ? (after[i] - before[i]) * 1000.0
                                 / (static_cast<double>(r.entries) / 1000.0)
                             : 0;
  return r;
}

std::string thousands(double x) {
  auto n = static_cast<long long>(x + 0.5);
  auto s = std::to_string(n);
  std::string out;
  int k = 0;
  for (auto i = s.rbegin(); i != s.rend(); ++i) {
    if (k > 0 && k % 3 == 0)
      out.insert(out.begin(), ',');
    out.insert(out.begin(), *i);
    ++k;
  }
  return out;
}

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return buf;
}

std::string pad_left(const std::string& s, size_t n) {
  return s.size() >= n ? s : std::string(n - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, size_t n) {
  return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
}

std::string rounds_text(const figure& f) {
  std::string out;
  for (auto& r : f.rounds)
    out += (out.empty() ? "" : " ") + thousands(r.entries_per_s);
  return out;
}

// --- a tiny RESP client ---------------------------------------------------------

struct resp_reply {
  char type = 0;           ///< + - : $ *
  int64_t integer = 0;     ///< ':' value, '*' element count, '$' length
  std::string text;        ///< '+', '-', '$' contents
};

constexpr size_t resp_incomplete = static_cast<size_t>(-1);
constexpr size_t resp_bad = static_cast<size_t>(-2);

/// The end of the RESP value that starts at `p`, resp_incomplete when the
/// buffer does not hold all of it yet, resp_bad on a protocol error.
size_t resp_skip(const std::string& b, size_t p, int depth = 0) {
  if (p >= b.size())
    return resp_incomplete;
  auto eol = b.find("\r\n", p);
  if (eol == std::string::npos)
    return resp_incomplete;
  auto number = [&] { return std::strtoll(b.c_str() + p + 1, nullptr, 10); };
  switch (b[p]) {
    case '+':
    case '-':
    case ':':
      return eol + 2;
    case '$': {
      auto n = number();
      if (n < 0)
        return eol + 2;
      auto end = eol + 2 + static_cast<size_t>(n) + 2;
      return end <= b.size() ? end : resp_incomplete;
    }
    case '*': {
      auto n = number();
      if (depth > 8)
        return resp_bad;
      auto q = eol + 2;
      for (int64_t i = 0; i < n; ++i) {
        q = resp_skip(b, q, depth + 1);
        if (q == resp_incomplete || q == resp_bad)
          return q;
      }
      return q;
    }
    default:
      return resp_bad;
  }
}

void resp_append_command(std::string& out,
                         const std::vector<std::string>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (auto& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

class resp_conn {
public:
  resp_conn() = default;
  resp_conn(const resp_conn&) = delete;
  resp_conn& operator=(const resp_conn&) = delete;
  ~resp_conn() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  bool open(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (fd_ < 0
        || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      if (fd_ >= 0)
        ::close(fd_);
      fd_ = -1;
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return true;
  }

  int fd() const {
    return fd_;
  }

  bool send_all(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      auto n = ::send(fd_, data.data() + done, data.size() - done,
                      MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  /// One recv (blocking): false on EOF or error.
  bool fill() {
    if (pos_ > 0 && (pos_ == in_.size() || pos_ > (1u << 20))) {
      in_.erase(0, pos_);
      pos_ = 0;
    }
    char buf[1 << 16];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      in_.append(buf, static_cast<size_t>(n));
      return true;
    }
  }

  /// Takes one complete reply out of the buffer; false if none is complete.
  /// Throws on a protocol error.
  bool next(resp_reply& r) {
    auto end = resp_skip(in_, pos_);
    if (end == resp_incomplete)
      return false;
    if (end == resp_bad)
      throw std::runtime_error("Redis protocol error");
    r.type = in_[pos_];
    r.text.clear();
    auto eol = in_.find("\r\n", pos_);
    if (r.type == '+' || r.type == '-') {
      r.text = in_.substr(pos_ + 1, eol - pos_ - 1);
    } else {
      r.integer = std::strtoll(in_.c_str() + pos_ + 1, nullptr, 10);
      if (r.type == '$' && r.integer > 0)
        r.text = in_.substr(eol + 2, static_cast<size_t>(r.integer));
    }
    pos_ = end;
    return true;
  }

  /// Blocking: send one command, wait for its reply.
  bool command(const std::vector<std::string>& args, resp_reply& r) {
    std::string out;
    resp_append_command(out, args);
    if (!send_all(out))
      return false;
    while (!next(r))
      if (!fill())
        return false;
    return true;
  }

private:
  int fd_ = -1;
  std::string in_;
  size_t pos_ = 0;
};

// --- Redis ----------------------------------------------------------------------

struct redis_cluster {
  std::vector<uint16_t> ports; ///< [0] = primary
  cpu_groups cpu{{{}, {}, {0}}}; ///< primary, replicas, this process
  std::string version;
  bool up = false;
};

std::string payload_text() {
  std::string p;
  for (size_t i = 0; i < payload_size; ++i)
    p += static_cast<char>('a' + (i * 7) % 26);
  return p;
}

bool redis_start(const options& opt, const std::string& dir,
                 redis_cluster& rc) {
  rc.ports = free_ports(3);
  if (rc.ports.size() != 3)
    return false;
  for (size_t i = 0; i < 3; ++i) {
    auto p = std::to_string(rc.ports[i]);
    std::vector<std::string> argv{opt.redis, "--port", p, "--bind",
                                  "127.0.0.1", "--save", "", "--appendonly",
                                  opt.durable ? "yes" : "no", "--dir", dir,
                                  "--appendfilename", "redis-" + p + ".aof",
                                  "--appendfsync", "always", "--dbfilename",
                                  "redis-" + p + ".rdb", "--protected-mode",
                                  "no", "--daemonize", "no",
                                  "--repl-diskless-sync", "yes",
                                  "--repl-diskless-sync-delay", "0",
                                  "--loglevel", "warning"};
    if (i > 0) {
      argv.insert(argv.end(), {"--replicaof", "127.0.0.1",
                               std::to_string(rc.ports[0])});
    }
    auto name = i == 0 ? std::string{"redis-primary"}
                       : "redis-replica-" + std::to_string(i);
    auto pid = start_child(name, argv, dir + "/" + name + ".log");
    if (pid < 0)
      return false;
    rc.cpu[i == 0 ? 0 : 1].push_back(pid);
  }
  // Every server answers PING; then both replicas are online.
  auto deadline = clk::now() + std::chrono::seconds{20};
  for (auto port : rc.ports) {
    for (;;) {
      resp_conn c;
      resp_reply r;
      if (c.open(port) && c.command({"PING"}, r) && r.text == "PONG")
        break;
      if (clk::now() > deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  }
  resp_conn c;
  if (!c.open(rc.ports[0]))
    return false;
  for (;;) {
    resp_reply r;
    if (!c.command({"INFO", "replication"}, r))
      return false;
    size_t online = 0;
    for (size_t at = r.text.find("state=online"); at != std::string::npos;
         at = r.text.find("state=online", at + 1))
      ++online;
    if (r.text.find("connected_slaves:2") != std::string::npos && online == 2
        && c.command({"WAIT", "2", "1000"}, r) && r.integer == 2)
      break;
    if (clk::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  resp_reply r;
  if (c.command({"INFO", "server"}, r)) {
    auto at = r.text.find("redis_version:");
    if (at != std::string::npos)
      rc.version = r.text.substr(at + 14, r.text.find('\r', at) - at - 14);
  }
  rc.up = true;
  return true;
}

/// One round of appends: `in_flight` connections, each sending K pipelined
/// XADDs + WAIT 2 0 and waiting for all K+1 replies before its next batch.
round_result redis_append_round(const redis_cluster& rc, uint32_t k,
                                uint32_t in_flight, double secs) {
  std::string batch;
  auto payload = payload_text();
  for (uint32_t i = 0; i < k; ++i)
    resp_append_command(batch, {"XADD", "ap", "*", "m", payload});
  resp_append_command(batch, {"WAIT", "2", "0"});
  struct conn_state {
    resp_conn conn;
    uint32_t left = 0; ///< replies still expected
    clk::time_point sent;
    bool done = false;
  };
  std::vector<std::unique_ptr<conn_state>> conns;
  for (uint32_t i = 0; i < in_flight; ++i) {
    conns.push_back(std::make_unique<conn_state>());
    if (!conns.back()->conn.open(rc.ports[0]))
      throw std::runtime_error("cannot connect to the Redis primary");
  }
  std::vector<double> lat;
  lat.reserve(1 << 16);
  uint64_t entries = 0, short_waits = 0;
  auto t0 = clk::now();
  auto deadline = t0 + std::chrono::duration_cast<clk::duration>(
                         std::chrono::duration<double>(secs));
  auto launch = [&](conn_state& c) {
    c.left = k + 1;
    c.sent = clk::now();
    if (!c.conn.send_all(batch))
      throw std::runtime_error("Redis connection lost");
  };
  for (auto& c : conns)
    launch(*c);
  std::vector<pollfd> fds(conns.size());
  size_t active = conns.size();
  resp_reply r;
  while (active > 0) {
    for (size_t i = 0; i < conns.size(); ++i)
      fds[i] = {conns[i]->done ? -1 : conns[i]->conn.fd(), POLLIN, 0};
    if (::poll(fds.data(), fds.size(), 10'000) <= 0)
      throw std::runtime_error("Redis did not answer for 10 s");
    for (size_t i = 0; i < conns.size(); ++i) {
      if (fds[i].revents == 0)
        continue;
      auto& c = *conns[i];
      if (!c.conn.fill())
        throw std::runtime_error("Redis connection lost");
      while (c.left > 0 && c.conn.next(r)) {
        if (r.type == '-')
          throw std::runtime_error("Redis error: " + r.text);
        if (--c.left == 0) { // the WAIT reply
          if (r.integer < 2)
            ++short_waits;
          auto now = clk::now();
          lat.push_back(
            std::chrono::duration<double, std::micro>(now - c.sent).count());
          entries += k;
          if (now < deadline) {
            launch(c);
          } else {
            c.done = true;
            --active;
          }
        }
      }
    }
  }
  return summarize(entries, seconds_since(t0), lat, short_waits);
}

/// Loads `n` entries with explicit ids 1-0 .. n-0 into stream "rd".
double redis_load_reads(const redis_cluster& rc, uint64_t n) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  auto payload = payload_text();
  auto t0 = clk::now();
  resp_reply r;
  constexpr uint64_t chunk = 1000;
  for (uint64_t first = 1; first <= n; first += chunk) {
    std::string out;
    auto last = std::min(n, first + chunk - 1);
    for (auto i = first; i <= last; ++i)
      resp_append_command(out, {"XADD", "rd", std::to_string(i) + "-0", "m",
                                payload});
    bool sync = last == n || (last / chunk) % 100 == 0;
    if (sync)
      resp_append_command(out, {"WAIT", "2", "0"});
    if (!c.send_all(out))
      throw std::runtime_error("Redis connection lost");
    for (auto i = first; i <= last + (sync ? 1 : 0); ++i) {
      while (!c.next(r))
        if (!c.fill())
          throw std::runtime_error("Redis connection lost");
      if (r.type == '-')
        throw std::runtime_error("Redis error: " + r.text);
    }
  }
  return seconds_since(t0);
}

round_result redis_read_round(const redis_cluster& rc, uint64_t n,
                              double secs, std::mt19937_64& rng) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  std::uniform_int_distribution<uint64_t> start{1, n - range_size + 1};
  std::vector<double> lat;
  uint64_t entries = 0, bad = 0;
  resp_reply r;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto s = start(rng);
    auto t = clk::now();
    if (!c.command({"XRANGE", "rd", std::to_string(s) + "-0", "+", "COUNT",
                    std::to_string(range_size)},
                   r))
      throw std::runtime_error("Redis connection lost");
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
    if (r.type == '*' && r.integer == range_size)
      entries += range_size;
    else
      ++bad;
  }
  return summarize(entries, seconds_since(t0), lat, bad);
}

/// p50 of PING round trips for `secs` seconds (one connection).
double redis_ping_p50_us(const redis_cluster& rc, double secs) {
  resp_conn c;
  if (!c.open(rc.ports[0]))
    throw std::runtime_error("cannot connect to the Redis primary");
  std::vector<double> lat;
  resp_reply r;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto t = clk::now();
    if (!c.command({"PING"}, r))
      throw std::runtime_error("Redis connection lost");
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
  }
  return percentile(lat, 50);
}

// --- logstore ---------------------------------------------------------------------

struct logstore_cluster {
  uint16_t master_port = 0;
  std::vector<uint16_t> storage_ports;
  std::unique_ptr<app::client_session> session;
  cpu_groups cpu{{{}, {}, {0}}}; ///< master, storage nodes, this process
  caf::actor master;
  uint32_t write_quorum = 0;
  uint32_t replication_factor = 0;
  bool up = false;
};

bool logstore_start(const options& opt, const std::string& dir,
                    logstore_cluster& lc, std::string& why) {
  auto ports = free_ports(4);
  if (ports.size() != 4)
    return why = "no free ports", false;
  lc.master_port = ports[0];
  lc.storage_ports.assign(ports.begin() + 1, ports.end());
  auto master_addr = "127.0.0.1:" + std::to_string(lc.master_port);
  std::vector<std::string> extra;
  if (!opt.node_threads.empty())
    extra = {"--threads", opt.node_threads};
  std::vector<std::string> argv{opt.logstore, "master", "--listen",
                                master_addr, "--insecure",
                                "--replication-factor", "3"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto pid = start_child("logstore-master", argv, dir + "/master.log");
  if (pid < 0)
    return why = "cannot start the master", false;
  lc.cpu[0].push_back(pid);
  for (size_t i = 0; i < 3; ++i) {
    auto name = "storage-" + std::to_string(i + 1);
    argv = {opt.logstore, "storage", "--listen",
            "127.0.0.1:" + std::to_string(lc.storage_ports[i]),
            "--master", master_addr, "--name", name, "--insecure"};
    if (opt.durable)
      argv.insert(argv.end(), {"--data-dir", dir + "/" + name, "--fsync",
                               "always"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid = start_child("logstore-" + name, argv, dir + "/" + name + ".log");
    if (pid < 0)
      return why = "cannot start " + name, false;
    lc.cpu[1].push_back(pid);
  }
  app::client_args args;
  args.master = master_addr;
  args.transport.insecure = true;
  args.timeout_ms = 5000;
  args.connect_timeout_ms = 15000;
  lc.session = std::make_unique<app::client_session>(args);
  if (auto err = lc.session->start(); !err.empty())
    return why = err, false;
  lc.master = lc.session->master(why);
  if (!lc.master)
    return false;
  // Wait until all three storage nodes joined and are up.
  caf::scoped_actor self{lc.session->system()};
  auto deadline = clk::now() + std::chrono::seconds{20};
  for (;;) {
    uint32_t up = 0;
    self->request(lc.master, std::chrono::seconds{2}, status_req{})
      .receive(
        [&](status_reply& st) {
          for (auto& m : st.members)
            up += m.state == "up" ? 1 : 0;
          lc.write_quorum = st.write_quorum;
          lc.replication_factor = st.replication_factor;
        },
        [&](caf::error& e) { why = lc.session->system().render(e); });
    if (up == 3)
      break;
    if (clk::now() > deadline)
      return why = "only " + std::to_string(up)
                   + " of 3 storage nodes came up (" + why + ")",
             false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  lc.up = true;
  return true;
}

/// Sends batches of `k` entries through app::append_driver (what `logstore
/// append` does: ask for room, then hand the batch over) for `secs` seconds,
/// then drains. Timestamps come from `next_ts`.
round_result logstore_append_round(logstore_cluster& lc, uint32_t k,
                                   uint32_t in_flight, double secs,
                                   int64_t& next_ts,
                                   uint64_t max_entries = UINT64_MAX) {
  struct sink {
    std::mutex mtx;
    std::vector<double> lat;
  };
  auto lats = std::make_shared<sink>();
  lats->lat.reserve(1 << 16);
  app::driver_options d;
  d.master = lc.master;
  d.in_flight = in_flight;
  d.timeout = lc.session->request_timeout();
  d.on_complete = [lats](sequence_nr, op_type type, time_us latency) {
    if (type != op_type::ok)
      return;
    std::lock_guard<std::mutex> guard{lats->mtx};
    lats->lat.push_back(static_cast<double>(latency));
  };
  auto& sys = lc.session->system();
  auto driver = sys.spawn(app::append_driver, d);
  uint64_t acked = 0, not_stored = 0, maybe = 0;
  double elapsed = 0;
  {
    caf::scoped_actor self{sys};
    auto client = app::random_client_id();
    sequence_nr seq = 1;
    auto payload = payload_text();
    const std::string source = "bench";
    uint64_t sent = 0;
    auto t0 = clk::now();
    while (seconds_since(t0) < secs && sent < max_entries) {
      append_req req;
      req.client = client;
      req.seq = seq++;
      req.entries.reserve(k);
      for (uint32_t i = 0; i < k; ++i)
        req.entries.push_back(entry{next_ts++, source, payload});
      std::vector<uint32_t> lines(k);
      std::iota(lines.begin(), lines.end(), uint32_t{1});
      self->request(driver, std::chrono::seconds{86400}, app::batch_atom::value)
        .receive([] {}, [](caf::error&) {});
      self->send(driver, std::move(req), std::move(lines));
      sent += k;
    }
    self->request(driver, std::chrono::seconds{86400}, app::drain_atom::value)
      .receive(
        [&](uint64_t x, uint64_t y, uint64_t z) {
          acked = x;
          not_stored = y;
          maybe = z;
        },
        [](caf::error&) {});
    elapsed = seconds_since(t0);
  }
  caf::anon_send_exit(driver, caf::exit_reason::kill);
  driver = nullptr;
  std::lock_guard<std::mutex> guard{lats->mtx};
  return summarize(acked, elapsed, lats->lat, not_stored + maybe);
}

round_result logstore_read_round(logstore_cluster& lc, uint64_t n, double secs,
                                 std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> start{
    read_base, read_base + static_cast<int64_t>(n) - range_size};
  std::vector<double> lat;
  uint64_t entries = 0, bad = 0;
  caf::scoped_actor self{lc.session->system()};
  auto timeout = lc.session->request_timeout();
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto from = start(rng);
    read_req req{from, from + range_size - 1};
    auto t = clk::now();
    bool ok = false;
    self->request(lc.master, timeout, req)
      .receive(
        [&](read_result& res) {
          ok = res.complete && res.entries.size() == range_size;
        },
        [&](caf::error&) {});
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
    if (ok)
      entries += range_size;
    else
      ++bad;
  }
  return summarize(entries, seconds_since(t0), lat, bad);
}

/// p50 of round trips to the master for `secs` seconds with a read of an
/// empty time range (no batch overlaps it, so no storage node is asked): one
/// bare CAF remote request/response, the per-hop cost every append pays
/// twice (client -> master, master -> storage nodes). Not status_req: the
/// master's status counts under-replicated batches, which grows with them.
double logstore_rtt_p50_us(logstore_cluster& lc, double secs) {
  caf::scoped_actor self{lc.session->system()};
  std::vector<double> lat;
  auto t0 = clk::now();
  while (seconds_since(t0) < secs) {
    auto t = clk::now();
    self->request(lc.master, std::chrono::seconds{5}, read_req{1, 1})
      .receive([](read_result&) {}, [](caf::error&) {});
    lat.push_back(
      std::chrono::duration<double, std::micro>(clk::now() - t).count());
  }
  return percentile(lat, 50);
}

// --- the run ----------------------------------------------------------------------

struct config {
  uint32_t k;
  uint32_t in_flight;
  std::string label() const {
    return "K=" + std::to_string(k) + ", " + std::to_string(in_flight)
           + " in flight";
  }
};

void print_usage() {
  std::cout
    << "usage: cluster_bench [--logstore PATH] [--redis-server PATH]\n"
       "         [--rounds N] [--round-seconds S] [--read-entries N]\n"
       "         [--read-batch K] [--quick] [--keep-logs] [--durable]\n"
       "         [--only appends|reads] [--node-threads N]\n"
       "Starts a logstore cluster (master + 3 storage processes, RF 3, ack\n"
       "from all) and Redis Streams (1 primary + 2 replicas, XADD + WAIT 2)\n"
       "on 127.0.0.1 and prints append/read figures, ratios and the target\n"
       "verdicts (T1-T4, T8, T9). --logstore defaults to the `logstore`\n"
       "binary next to this one or one folder up (build/logstore).\n";
}

bool parse_options(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument(std::string{what} + " needs a value");
      return argv[++i];
    };
    if (a == "--logstore")
      opt.logstore = value("--logstore");
    else if (a == "--redis-server")
      opt.redis = value("--redis-server");
    else if (a == "--rounds")
      opt.rounds = std::stoi(value("--rounds"));
    else if (a == "--round-seconds")
      opt.round_seconds = std::stod(value("--round-seconds"));
    else if (a == "--read-entries")
      opt.read_entries = std::stoull(value("--read-entries"));
    else if (a == "--read-batch")
      opt.read_batch = static_cast<uint32_t>(std::stoul(value("--read-batch")));
    else if (a == "--keep-logs")
      opt.keep_logs = true;
    else if (a == "--durable")
      opt.durable = true;
    else if (a == "--only")
      opt.only = value("--only");
    else if (a == "--node-threads")
      opt.node_threads = value("--node-threads");
    else if (a == "--quick") {
      opt.rounds = 1;
      opt.round_seconds = 0.5;
      opt.warmup_seconds = 0.1;
      opt.read_entries = 100'000;
    } else if (a == "-h" || a == "--help") {
      print_usage();
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (!opt.only.empty() && opt.only != "appends" && opt.only != "reads")
    throw std::invalid_argument("--only takes appends or reads");
  if (opt.rounds < 1 || opt.round_seconds <= 0 || opt.read_batch < 1
      || opt.read_entries < 10 * range_size)
    throw std::invalid_argument("--rounds >= 1, --round-seconds > 0, "
                                "--read-batch >= 1, --read-entries >= 10000");
  return true;
}

void verdict(const std::string& id, bool met, const std::string& text) {
  std::cout << pad_right(id, 4) << (met ? "met      " : "NOT MET  ") << text
            << "\n";
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  try {
    parse_options(argc, argv, opt);
  } catch (const std::exception& e) {
    std::cerr << "cluster_bench: " << e.what() << "\n";
    print_usage();
    return 2;
  }
  auto here = dirname_of(self_exe(argv[0]));
  if (opt.logstore.empty()) {
    for (auto cand : {here + "/logstore", here + "/../logstore"})
      if (executable(cand)) {
        opt.logstore = cand;
        break;
      }
  }
  if (!executable(opt.logstore)) {
    std::cerr << "cluster_bench: cannot find the logstore binary (looked next "
                 "to this program and one folder up); build it or pass "
                 "--logstore PATH\n";
    return 2;
  }
  if (opt.redis.empty())
    opt.redis = find_in_path("redis-server");
  bool have_redis = executable(opt.redis);

  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT})
    std::signal(sig, on_fatal_signal);
  std::signal(SIGALRM, on_watchdog);
  ::alarm(opt.max_seconds);

  char tmpl[] = "/tmp/cluster_bench.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::cerr << "cluster_bench: cannot create a temporary folder\n";
    return 1;
  }
  std::string dir = tmpl;
  auto t_start = clk::now();

  std::cout << "cluster_bench: logstore vs Redis Streams, same run, 127.0.0.1, "
            << payload_size << "-byte entries\n";
  std::cout << "  logstore: " << opt.logstore << "\n";
  if (!have_redis)
    std::cout << "  Redis: NOT FOUND. Install Debian's redis-server (`sudo "
                 "apt-get install redis-server`, or run `./dev bench`, which "
                 "installs it) or pass --redis-server PATH. Measuring "
                 "logstore alone; no ratios.\n";
  std::cout << "  rounds: median of " << opt.rounds << " interleaved round(s) "
            << "of " << opt.round_seconds << " s per configuration (after a "
            << opt.warmup_seconds << " s warm-up); logs in " << dir << "\n"
            << std::flush;

  // Children are forked before the CAF client starts any thread.
  logstore_cluster lc;
  redis_cluster rc;
  std::string why;
  int rc_exit = 0;
  if (have_redis && !redis_start(opt, dir, rc)) {
    std::cout << "  Redis: could not start 1 primary + 2 in-sync replicas (see "
              << dir << "/redis-*.log); measuring logstore alone\n";
    have_redis = false;
  }
  if (!logstore_start(opt, dir, lc, why)) {
    std::cerr << "cluster_bench: the logstore cluster did not start: " << why
              << " (logs in " << dir << ")\n";
    lc.master = nullptr;
    lc.session.reset();
    stop_children();
    return 1;
  }
  std::cout << "  logstore cluster: master 127.0.0.1:" << lc.master_port
            << ", storage";
  for (auto p : lc.storage_ports)
    std::cout << " 127.0.0.1:" << p;
  std::cout << "; replication factor " << lc.replication_factor
            << ", write quorum " << lc.write_quorum
            << " (all), "
            << (opt.durable ? "--data-dir + --fsync always (group commit)"
                            : "in memory")
            << ", --insecure"
            << (opt.node_threads.empty() ? ""
                                         : ", --threads " + opt.node_threads)
            << "\n";
  if (have_redis)
    std::cout << "  Redis " << rc.version << ": primary 127.0.0.1:"
              << rc.ports[0] << ", replicas 127.0.0.1:" << rc.ports[1]
              << " 127.0.0.1:" << rc.ports[2]
              << " (replicaof, online), "
              << (opt.durable ? "appendonly yes + appendfsync always"
                              : "appendonly no")
              << ", XADD + WAIT 2 0\n";
  std::cout << "  started in " << fixed(seconds_since(t_start), 1) << " s; "
            << std::thread::hardware_concurrency()
            << " CPUs, load average " << load_average()
            << " (a shared machine: compare only figures of the same run)\n"
            << std::flush;

  std::vector<config> configs{{1, 1}, {100, 1}, {1000, 1},
                              {1, 8}, {100, 8}, {1000, 8}};
  std::map<std::pair<uint32_t, uint32_t>, figure> ls_fig, rd_fig;
  figure ls_read, rd_read;
  double ls_rtt_us = 0, rd_rtt_us = 0;
  uint64_t ls_loaded = 0;
  double ls_load_secs = 0, rd_load_secs = 0;
  std::mt19937_64 rng{20260101};
  int64_t next_ts = append_base;
  try {
    // 1. The read data sets.
    if (opt.only == "appends")
      opt.read_entries = 10 * range_size;
    std::cout << "\nloading the read data sets (" << thousands(static_cast<double>(opt.read_entries))
              << " entries each; logstore in batches of " << opt.read_batch
              << ", 8 in flight) ...\n"
              << std::flush;
    {
      int64_t ts = read_base;
      auto t0 = clk::now();
      auto r = logstore_append_round(lc, opt.read_batch, 8,
                                     opt.read_load_max_seconds, ts,
                                     opt.read_entries);
      ls_load_secs = seconds_since(t0);
      ls_loaded = static_cast<uint64_t>(ts - read_base);
      if (r.failures > 0)
        throw std::runtime_error("logstore: " + std::to_string(r.failures)
                                 + " entries of the read data set were not "
                                   "acknowledged");
      std::cout << "  logstore: " << thousands(static_cast<double>(ls_loaded))
                << " entries in " << fixed(ls_load_secs, 1) << " s ("
                << thousands(static_cast<double>(ls_loaded) / ls_load_secs)
                << " entries/s)\n";
    }
    if (have_redis) {
      rd_load_secs = redis_load_reads(rc, opt.read_entries);
      std::cout << "  Redis:    "
                << thousands(static_cast<double>(opt.read_entries))
                << " entries in " << fixed(rd_load_secs, 1) << " s ("
                << thousands(static_cast<double>(opt.read_entries)
                             / rd_load_secs)
                << " entries/s)\n";
    }
    std::cout << std::flush;

    // 2. Appends, interleaved rounds.
    std::cout << "\nmeasuring appends ...\n" << std::flush;
    for (auto& c : configs) {
      if (opt.only == "reads")
        break;
      logstore_append_round(lc, c.k, c.in_flight, opt.warmup_seconds, next_ts);
      if (have_redis)
        redis_append_round(rc, c.k, c.in_flight, opt.warmup_seconds);
      for (int r = 0; r < opt.rounds; ++r) {
        ls_fig[{c.k, c.in_flight}].rounds.push_back(with_cpu(lc.cpu, [&] {
          return logstore_append_round(lc, c.k, c.in_flight,
                                       opt.round_seconds, next_ts);
        }));
        if (have_redis)
          rd_fig[{c.k, c.in_flight}].rounds.push_back(with_cpu(rc.cpu, [&] {
            return redis_append_round(rc, c.k, c.in_flight,
                                      opt.round_seconds);
          }));
      }
      auto& f = ls_fig[{c.k, c.in_flight}];
      std::cout << "  " << pad_right(c.label(), 22) << " logstore "
                << rounds_text(f);
      if (have_redis)
        std::cout << " | Redis " << rounds_text(rd_fig[{c.k, c.in_flight}]);
      std::cout << "\n" << std::flush;
      if (auto dead = dead_children(); !dead.empty())
        throw std::runtime_error("process(es) died: " + dead);
    }

    // 3. One bare round trip each (diagnostic).
    ls_rtt_us = logstore_rtt_p50_us(lc, 1.0);
    if (have_redis)
      rd_rtt_us = redis_ping_p50_us(rc, 1.0);

    // 4. Range reads, interleaved rounds.
    if (opt.only != "appends") {
      std::cout << "\nmeasuring 1000-entry range reads ...\n" << std::flush;
      logstore_read_round(lc, ls_loaded, opt.warmup_seconds, rng);
      if (have_redis)
        redis_read_round(rc, opt.read_entries, opt.warmup_seconds, rng);
      for (int r = 0; r < opt.rounds; ++r) {
        ls_read.rounds.push_back(with_cpu(lc.cpu, [&] {
          return logstore_read_round(lc, ls_loaded, opt.round_seconds, rng);
        }));
        if (have_redis)
          rd_read.rounds.push_back(with_cpu(rc.cpu, [&] {
            return redis_read_round(rc, opt.read_entries, opt.round_seconds,
                                    rng);
          }));
      }
      std::cout << "  logstore " << rounds_text(ls_read);
      if (have_redis)
        std::cout << " | Redis " << rounds_text(rd_read);
      std::cout << "\n";
    }
    if (auto dead = dead_children(); !dead.empty())
      throw std::runtime_error("process(es) died: " + dead);
  } catch (const std::exception& e) {
    std::cerr << "cluster_bench: " << e.what() << " (logs in " << dir << ")\n";
    rc_exit = 1;
  }

  // 4. The table.
  auto cell = [](const figure& f) {
    if (!f.valid())
      return pad_left("-", 12) + pad_left("-", 9) + pad_left("-", 9);
    return pad_left(thousands(f.rate()), 12) + pad_left(fixed(f.p50(), 3), 9)
           + pad_left(fixed(f.p99(), 3), 9);
  };
  auto ratio_text = [](const figure& a, const figure& b) -> std::string {
    if (!a.valid() || !b.valid() || b.rate() <= 0)
      return "-";
    return fixed(a.rate() / b.rate(), 2) + "x";
  };
  std::cout << "\n== results (median of " << opt.rounds
            << " rounds; entries/s; batch latency p50/p99 in ms)\n"
            << pad_right("configuration", 26) << "| " << pad_left("logstore/s", 12)
            << pad_left("p50", 9) << pad_left("p99", 9) << " | "
            << pad_left("Redis/s", 12) << pad_left("p50", 9)
            << pad_left("p99", 9) << " | ratio\n"
            << std::string(26, '-') << "+" << std::string(32, '-') << "+"
            << std::string(32, '-') << "+------\n";
  for (auto& c : configs) {
    auto& a = ls_fig[{c.k, c.in_flight}];
    auto& b = rd_fig[{c.k, c.in_flight}];
    std::cout << pad_right("append " + c.label(), 26) << "| " << cell(a)
              << " | " << cell(b) << " | " << ratio_text(a, b) << "\n";
  }
  std::cout << pad_right("read 1000-entry range", 26) << "| " << cell(ls_read)
            << " | " << cell(rd_read) << " | " << ratio_text(ls_read, rd_read)
            << "\n";
  uint64_t failures = ls_read.failures() + rd_read.failures();
  for (auto& [key, f] : ls_fig)
    failures += f.failures();
  for (auto& [key, f] : rd_fig)
    failures += f.failures();
  std::cout << "(logstore read data set: " << thousands(static_cast<double>(ls_loaded))
            << " entries in batches of " << opt.read_batch
            << "; Redis: XRANGE rd <id> + COUNT 1000 over "
            << thousands(static_cast<double>(opt.read_entries))
            << " entries; reads 1 in flight; entries not acked + "
               "incomplete reads + WAITs short of 2: "
            << failures << ")\n";

  auto cpu_cell = [](const figure& f) {
    if (!f.valid())
      return pad_left("-", 9) + pad_left("-", 9) + pad_left("-", 9);
    return pad_left(fixed(f.cpu(0), 1), 9) + pad_left(fixed(f.cpu(1), 1), 9)
           + pad_left(fixed(f.cpu(2), 1), 9);
  };
  std::cout << "\n== CPU ms per 1000 entries (user + system, all threads; "
               "median round)\n"
            << pad_right("configuration", 26) << "| " << pad_left("master", 9)
            << pad_left("3 stor.", 9) << pad_left("client", 9) << " | "
            << pad_left("primary", 9) << pad_left("2 repl.", 9)
            << pad_left("client", 9) << "\n";
  for (auto& c : configs)
    std::cout << pad_right("append " + c.label(), 26) << "| "
              << cpu_cell(ls_fig[{c.k, c.in_flight}]) << " | "
              << cpu_cell(rd_fig[{c.k, c.in_flight}]) << "\n";
  std::cout << pad_right("read 1000-entry range", 26) << "| "
            << cpu_cell(ls_read) << " | " << cpu_cell(rd_read) << "\n";

  std::cout << "\n== one bare request/response, 1 in flight (p50): logstore "
               "client -> master, read of an empty range, "
            << fixed(ls_rtt_us, 0) << " us";
  if (have_redis)
    std::cout << "; Redis PING " << fixed(rd_rtt_us, 0) << " us";
  std::cout << "\n   (an append needs two such hops in sequence: client -> "
               "master, master -> 3 storage nodes in parallel)\n";

  std::cout << "\n== ratios (logstore / Redis, entries/s)\n";
  for (auto& c : configs)
    std::cout << "  append " << pad_right(c.label(), 22) << " "
              << ratio_text(ls_fig[{c.k, c.in_flight}],
                            rd_fig[{c.k, c.in_flight}])
              << "\n";
  std::cout << "  append K=100, 8 in flight vs Redis K=100, 1 in flight: "
            << ratio_text(ls_fig[{100, 8}], rd_fig[{100, 1}]) << "\n";
  std::cout << "  read 1000-entry range        " << ratio_text(ls_read, rd_read)
            << "\n";

  // 5. Verdicts.
  std::cout << "\n== targets (../shared/notes/targets.md; NATS figures are "
               "the notes' peer figures, not measured in this run)\n";
  constexpr double nats_k100 = 56'044, nats_read = 107'770;
  // The notes measured NATS when Redis did these; this run's Redis figures
  // over them scale NATS to this run's machine conditions (an estimate).
  constexpr double notes_redis_k100 = 257'755, notes_redis_read = 1'813'697;
  auto ratio = [](const figure& a, const figure& b) {
    return a.valid() && b.valid() && b.rate() > 0 ? a.rate() / b.rate() : 0.0;
  };
  {
    auto& a = ls_fig[{100, 1}];
    auto& b = rd_fig[{100, 1}];
    auto x = ratio(a, b);
    bool vs_nats = a.valid() && a.rate() >= 2 * nats_k100;
    verdict("T1", have_redis && x >= 0.5 && vs_nats,
            "K=100 stop-and-wait: logstore " + thousands(a.rate())
              + "/s = " + fixed(x, 2) + "x Redis WAIT 2 (" + thousands(b.rate())
              + "/s; need >= 0.5x) and " + fixed(a.rate() / nats_k100, 2)
              + "x NATS R3 (56,044/s; need >= 2x)");
    if (have_redis && b.valid())
      std::cout << "             (NATS scaled by this run's Redis / the notes' "
                   "Redis, "
                << thousands(b.rate()) << " / 257,755: ~"
                << thousands(nats_k100 * b.rate() / notes_redis_k100)
                << "/s, logstore "
                << fixed(a.rate() / (nats_k100 * b.rate() / notes_redis_k100),
                         2)
                << "x of that; an estimate, not a measurement)\n";
  }
  {
    auto& a = ls_fig[{1000, 1}];
    auto& b = rd_fig[{1000, 1}];
    auto x = ratio(a, b);
    verdict("T2", have_redis && x >= 0.5,
            "K=1000 stop-and-wait: logstore " + thousands(a.rate()) + "/s = "
              + fixed(x, 2) + "x Redis WAIT 2 (" + thousands(b.rate())
              + "/s; need >= 0.5x)");
  }
  {
    auto& a = ls_fig[{1, 1}];
    verdict("T3", a.valid() && a.p50() <= 1.0,
            "K=1 stop-and-wait: batch p50 " + fixed(a.p50(), 3)
              + " ms (need <= 1 ms); p99 " + fixed(a.p99(), 3) + " ms");
  }
  {
    auto& a = ls_fig[{100, 8}];
    auto& b = rd_fig[{100, 1}];
    auto& b8 = rd_fig[{100, 8}];
    auto x = ratio(a, b);
    verdict("T4", have_redis && x >= 1.0,
            "K=100, 8 in flight: logstore " + thousands(a.rate()) + "/s = "
              + fixed(x, 2) + "x Redis WAIT 2 K=100 (" + thousands(b.rate())
              + "/s; need >= 1x); vs Redis with 8 connections in flight ("
              + thousands(b8.rate()) + "/s): " + fixed(ratio(a, b8), 2) + "x");
  }
  {
    auto x = ratio(ls_read, rd_read);
    bool vs_nats = ls_read.valid() && ls_read.rate() >= 4 * nats_read;
    verdict("T8", have_redis && x >= 0.25 && vs_nats,
            "1000-entry range reads: logstore " + thousands(ls_read.rate())
              + "/s = " + fixed(x, 2) + "x Redis XRANGE ("
              + thousands(rd_read.rate()) + "/s; need >= 0.25x, stretch 0.5x: "
              + (x >= 0.5 ? "met" : "not met") + ") and "
              + fixed(ls_read.rate() / nats_read, 2)
              + "x NATS (107,770/s; need >= 4x)");
    if (have_redis && rd_read.valid())
      std::cout << "             (NATS scaled by this run's Redis / the notes' "
                   "Redis, "
                << thousands(rd_read.rate()) << " / 1,813,697: ~"
                << thousands(nats_read * rd_read.rate() / notes_redis_read)
                << "/s, logstore "
                << fixed(ls_read.rate()
                           / (nats_read * rd_read.rate() / notes_redis_read),
                         2)
                << "x of that; an estimate, not a measurement)\n";
  }
  {
    auto& a = ls_fig[{100, 1}];
    auto& a8 = ls_fig[{100, 8}];
    verdict("T9", a.valid() && a.p99() <= 5.0,
            "K=100 in memory: batch p99 " + fixed(a.p99(), 3)
              + " ms stop-and-wait (need <= 5 ms); " + fixed(a8.p99(), 3)
              + " ms with 8 in flight");
  }
  if (opt.durable) {
    // T5: durable (fsync before ack, group commit) vs Redis appendfsync
    // always + WAIT 2, stop-and-wait batches.
    auto k100 = ratio(ls_fig[{100, 1}], rd_fig[{100, 1}]);
    auto k1000 = ratio(ls_fig[{1000, 1}], rd_fig[{1000, 1}]);
    verdict("T5", have_redis && k100 >= 0.7 && k1000 >= 1.0,
            "durable, stop-and-wait: K=100 " + fixed(k100, 2)
              + "x Redis appendfsync always + WAIT 2 (need >= 0.7x), "
                "K=1000 "
              + fixed(k1000, 2) + "x (need >= 1x)");
    std::cout << "(this was the --durable run: T1-T4, T8, T9 above compare "
                 "durable figures against the in-memory targets; T6, T7, "
                 "T10 not measured here)\n";
  } else {
    std::cout << "(T5 needs --durable; T6, T7, T10: not measured here)\n";
  }

  // 6. Shutdown: the client first, then every child.
  lc.master = nullptr;
  lc.session.reset();
  stop_children();
  if (!opt.keep_logs && rc_exit == 0) {
    std::string cmd = "rm -rf '" + dir + "'";
    [[maybe_unused]] auto ignored = std::system(cmd.c_str());
  } else {
    std::cout << "logs kept in " << dir << "\n";
  }
  std::cout << "total run time " << fixed(seconds_since(t_start), 1)
            << " s; load average at the end " << load_average() << "\n";
  return rc_exit;
}
