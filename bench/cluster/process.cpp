// logstore — cluster_bench: supervision of the child processes.
#include "cluster/process.hpp"

#include "cluster/common.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <netinet/in.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace cluster_bench {

namespace {

struct child {
  std::string name;
  pid_t pid = -1;
  bool running = false;
};

std::vector<child> children; // main thread only
/// The pids again, for the signal handlers (async-signal-safe reads).
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

} // namespace

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

void install_signal_handlers(unsigned max_seconds) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT})
    std::signal(sig, on_fatal_signal);
  std::signal(SIGALRM, on_watchdog);
  ::alarm(max_seconds);
}

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

std::array<double, 3> sample_cpu(const cpu_groups& groups) {
  std::array<double, 3> out{};
  for (size_t i = 0; i < 3; ++i)
    for (auto pid : groups[i])
      out[i] += process_cpu(pid);
  return out;
}

double process_rss_mib(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/status", static_cast<int>(pid));
  FILE* f = std::fopen(path, "r");
  if (f == nullptr)
    return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr)
    if (std::sscanf(line, "VmRSS: %lf kB", &kib) == 1)
      break;
  std::fclose(f);
  return kib / 1024.0;
}

} // namespace cluster_bench
