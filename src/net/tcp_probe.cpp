// logstore — TCP probe (non-blocking connect + poll).
#include "net/tcp_probe.hpp"

#include <caf/all.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace logstore::net {

namespace {

/// One address: 0 = connected, else an errno value.
int try_connect(const addrinfo& ai, int timeout_ms) {
  int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0)
    return errno;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  int err = 0;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = ::poll(&p, 1, timeout_ms);
      if (n == 0) {
        err = ETIMEDOUT;
      } else if (n < 0) {
        err = errno;
      } else {
        socklen_t len = sizeof(err);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  ::close(fd);
  return err;
}

} // namespace

bool tcp_probe(const std::string& host, uint16_t port, time_us timeout,
               std::string& why) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::microseconds{timeout};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
      rc != 0) {
    why = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return false;
  }
  int err = ETIMEDOUT;
  for (auto* ai = list; ai != nullptr; ai = ai->ai_next) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - clock::now())
                  .count();
    if (left <= 0)
      break;
    err = try_connect(*ai, static_cast<int>(left));
    if (err == 0)
      break;
  }
  ::freeaddrinfo(list);
  if (err != 0)
    why = std::strerror(err);
  return err == 0;
}

caf::behavior probe_actor(caf::event_based_actor* self) {
  return {
    [self](probe_atom, const std::string& host, uint16_t port,
           time_us timeout) {
      std::string why;
      bool ok = tcp_probe(host, port, timeout, why);
      self->quit();
      return caf::make_message(ok, std::move(why));
    },
  };
}

} // namespace logstore::net
