// logstore — `logstore local` (a whole cluster of child processes on
// loopback, for trying things out) and `logstore certs` (a cluster CA and
// node certificates made with the openssl command).
// Layer: app.
//
// local: exit 0 after Ctrl-C stopped every child, 1 if a child died or
// failed to start, 2 bad options. certs: 0 done, 1 openssl failed, 2 bad
// options.
#include "core/base/node_role.hpp"
#include "app/cluster_commands.hpp"

#include "net/signals.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace logstore::app {

namespace {

pid_t start_process(const std::vector<std::string>& argv, bool search_path) {
  std::vector<char*> ptrs;
  for (auto& a : argv)
    ptrs.push_back(const_cast<char*>(a.c_str()));
  ptrs.push_back(nullptr);
  pid_t pid = 0;
  int rc = search_path
             ? ::posix_spawnp(&pid, ptrs[0], nullptr, nullptr, ptrs.data(),
                              environ)
             : ::posix_spawn(&pid, ptrs[0], nullptr, nullptr, ptrs.data(),
                             environ);
  return rc == 0 ? pid : -1;
}

int run_program(const std::vector<std::string>& argv) {
  auto pid = start_process(argv, true);
  if (pid < 0)
    return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    // retry
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct child {
  std::string name;
  pid_t pid;
  bool running = true;
};

void stop_children(std::vector<child>& kids) {
  for (auto& k : kids)
    if (k.running)
      ::kill(k.pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{3};
  for (auto& k : kids) {
    while (k.running) {
      int status = 0;
      if (::waitpid(k.pid, &status, WNOHANG) == k.pid) {
        k.running = false;
      } else if (std::chrono::steady_clock::now() > deadline) {
        ::kill(k.pid, SIGKILL);
        ::waitpid(k.pid, &status, 0);
        k.running = false;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
    }
  }
}

} // namespace

int run_local(const local_args& args, const std::string& self_exe) {
  if (args.storage_nodes < 1 || args.storage_nodes > 49)
    return std::cerr << "error: --storage-nodes must be 1..49\n", 2;
  if (args.masters < 1 || args.masters > 3)
    return std::cerr << "error: --masters must be 1, 2 or 3\n", 2;
  if (uint32_t{args.base_port} + args.storage_nodes + 100 > 65535)
    return std::cerr << "error: --base-port too high\n", 2;
  auto rf = args.replication_factor != 0 ? args.replication_factor
                                         : std::min(3u, args.storage_nodes);
  net::install_stop_signals();
  auto addr = [](uint32_t port) { return "127.0.0.1:" + std::to_string(port); };
  // Masters on base, base+50, base+51; storage nodes on base+1 ...
  std::vector<std::string> master_addrs{addr(args.base_port)};
  for (uint32_t m = 1; m < args.masters; ++m)
    master_addrs.push_back(addr(args.base_port + 49 + m));
  std::string master;
  for (auto& a : master_addrs)
    master += (master.empty() ? "" : ",") + a;
  std::vector<std::vector<std::string>> plans;
  for (uint32_t m = 0; m < args.masters; ++m) {
    plans.push_back({self_exe, "master", "--listen", master_addrs[m],
                     "--insecure", "--replication-factor", std::to_string(rf)});
    if (args.masters > 1)
      plans.back().insert(plans.back().end(), {"--masters", master});
    if (args.metrics)
      plans.back().insert(plans.back().end(),
                          {"--metrics", addr(args.base_port + 100 - m)});
  }
  for (uint32_t i = 1; i <= args.storage_nodes; ++i) {
    plans.push_back({self_exe, "storage", "--listen", addr(args.base_port + i),
                     "--master", master, "--name",
                     "storage-" + std::to_string(i), "--insecure"});
    if (args.metrics)
      plans.back().insert(plans.back().end(),
                          {"--metrics", addr(args.base_port + 100 + i)});
  }
  std::vector<child> kids;
  for (auto& p : plans) {
    auto pid = start_process(p, false);
    auto name = p[1] == "master"
                  ? (kids.empty() ? std::string{"master"}
                                  : "master-" + std::to_string(kids.size() + 1))
                  : p[7];
    if (pid < 0) {
      std::cerr << "error: cannot start " << name << ": "
                << std::strerror(errno) << "\n";
      stop_children(kids);
      return 1;
    }
    kids.push_back({name, pid});
    std::cout << "started " << name << " (pid " << pid << ") on "
              << p[3] << "\n";
    if (p[1] == "master")
      std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
  std::cout << "\nA local cluster WITHOUT TLS (loopback only), replication "
               "factor "
            << rf << ". Try, in another terminal:\n"
            << "  seq 1 1000 | logstore append --master " << master
            << " --insecure --source demo\n"
            << "  logstore read --master " << master
            << " --insecure --from 0 --to 9999999999999999\n"
            << "  logstore status --master " << master << " --insecure\n"
            << "Node logs (JSON lines) follow on stderr. Ctrl-C stops "
               "everything.\n"
            << std::flush;
  int rc = 0;
  while (!net::wait_for_stop_signal(200'000)) {
    bool died = false;
    for (auto& k : kids) {
      int status = 0;
      if (k.running && ::waitpid(k.pid, &status, WNOHANG) == k.pid) {
        k.running = false;
        // With standbys, a master that exits (or is killed to try a
        // failover) is not the end of the cluster.
        bool spare = args.masters > 1 && is_master_name(k.name);
        died = died || !spare;
        std::cerr << "local: " << k.name << " exited ("
                  << (WIFEXITED(status) ? "code " + std::to_string(
                                            WEXITSTATUS(status))
                                        : "signal " + std::to_string(
                                            WTERMSIG(status)))
                  << (spare ? "); the other masters go on\n"
                            : "); stopping the others\n");
      }
    }
    if (died) {
      rc = 1;
      break;
    }
  }
  std::cout << "stopping " << kids.size() << " processes\n";
  stop_children(kids);
  return rc;
}

int run_certs(const certs_args& args) {
  if (args.names.empty())
    return std::cerr << "error: --names needs at least one name\n", 2;
  if (::mkdir(args.dir.c_str(), 0700) != 0 && errno != EEXIST)
    return std::cerr << "error: cannot create " << args.dir << "\n", 2;
  auto days = std::to_string(args.days);
  auto d = args.dir + "/";
  if (::access((d + "ca.pem").c_str(), R_OK) != 0) {
    if (run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048",
                     "-nodes", "-keyout", d + "ca.key", "-out", d + "ca.pem",
                     "-days", days, "-subj", "/CN=logstore cluster CA"})
        != 0)
      return std::cerr << "error: openssl could not make the CA (is the "
                          "openssl command installed?)\n",
             1;
    std::cout << "made CA " << d << "ca.pem (keep " << d
              << "ca.key private; it signs every node)\n";
  }
  for (auto& name : args.names) {
    auto base = d + name;
    if (run_program({"openssl", "req", "-newkey", "rsa:2048", "-nodes",
                     "-keyout", base + ".key", "-out", base + ".csr", "-subj",
                     "/CN=" + name})
          != 0
        || run_program({"openssl", "x509", "-req", "-in", base + ".csr", "-CA",
                        d + "ca.pem", "-CAkey", d + "ca.key",
                        "-CAcreateserial", "-out", base + ".pem", "-days",
                        days})
             != 0)
      return std::cerr << "error: openssl failed for " << name << "\n", 1;
    ::unlink((base + ".csr").c_str());
    ::chmod((base + ".key").c_str(), 0600);
    std::cout << "made " << base << ".pem and " << base << ".key\n";
  }
  std::cout << "use: --tls-cert " << d << args.names.front() << ".pem --tls-key "
            << d << args.names.front() << ".key --tls-ca " << d << "ca.pem\n";
  return 0;
}

} // namespace logstore::app
