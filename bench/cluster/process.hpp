// logstore — cluster_bench: supervision of the child processes (both
// clusters), free loopback ports, and the CPU time of processes.
//
// Every child is stopped on exit: by stop_children(), and on Ctrl-C, a fatal
// signal or the watchdog by the handlers install_signal_handlers() sets;
// PR_SET_PDEATHSIG kills them if this process is killed. Children are kept
// in one table owned by the main thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cluster_bench {

// --- files and paths ----------------------------------------------------------

std::string dirname_of(const std::string& path);
bool executable(const std::string& path);
/// The path of this program (/proc/self/exe), else argv[0].
std::string self_exe(const char* argv0);
/// `name` in $PATH (or /usr/bin:/bin) and /usr/sbin:/sbin; "" if absent.
std::string find_in_path(const std::string& name);

// --- child processes ----------------------------------------------------------

/// SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT kill every child (SIGKILL) and
/// exit 128 + signal; after `max_seconds` (SIGALRM) every child is killed and
/// the process exits 3.
void install_signal_handlers(unsigned max_seconds);

/// fork + exec; stdin from /dev/null, stdout and stderr to `log_path`. The
/// child dies with us (PR_SET_PDEATHSIG), whatever ends this process.
/// -1 if it could not be started.
pid_t start_child(const std::string& name, const std::vector<std::string>& argv,
                  const std::string& log_path);

/// Names of children that exited (reaps them), ", "-separated.
std::string dead_children();

/// SIGTERM to every running child, SIGKILL to those still running 3 s later.
void stop_children();

// --- the machine ----------------------------------------------------------------

/// `n` distinct free TCP ports on 127.0.0.1 (bound to port 0 together, then
/// released: another process could take one in between, which start-up
/// would report).
std::vector<uint16_t> free_ports(size_t n);

/// "1.23 0.98 0.75": the 1, 5 and 15 minute load averages.
std::string load_average();

/// CPU seconds (user + system, all threads) a process used so far; pid 0 =
/// this process.
double process_cpu(pid_t pid);

/// Resident memory of a process in MiB (VmRSS of /proc/PID/status); 0 if
/// it cannot be read.
double process_rss_mib(pid_t pid);

/// Three groups of processes whose CPU time a round reports.
using cpu_groups = std::array<std::vector<pid_t>, 3>;

/// The CPU seconds of each group, summed over its processes.
std::array<double, 3> sample_cpu(const cpu_groups& groups);

} // namespace cluster_bench
