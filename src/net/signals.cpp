// logstore — self-pipe for SIGINT/SIGTERM.
#include "net/signals.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace logstore::net {

namespace {

int pipe_fds[2] = {-1, -1};
std::atomic<int> received{0};

extern "C" void on_stop_signal(int sig) {
  int saved = errno;
  received = sig;
  char byte = 1;
  [[maybe_unused]] auto n = ::write(pipe_fds[1], &byte, 1);
  errno = saved;
}

} // namespace

void install_stop_signals() {
  if (pipe_fds[0] >= 0)
    return;
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
    return;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

bool wait_for_stop_signal(time_us timeout) {
  if (received != 0)
    return true;
  if (pipe_fds[0] < 0)
    return false;
  pollfd p{pipe_fds[0], POLLIN, 0};
  int ms = timeout < 0 ? -1 : static_cast<int>((timeout + 999) / 1000);
  if (::poll(&p, 1, ms) > 0) {
    char buf[16];
    while (::read(pipe_fds[0], buf, sizeof(buf)) > 0) {
      // drain
    }
  }
  return received != 0;
}

int stop_signal_number() {
  return received;
}

} // namespace logstore::net
