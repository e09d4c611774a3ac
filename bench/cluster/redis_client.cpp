// logstore — cluster_bench: the minimal RESP client.
#include "cluster/redis_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cluster_bench {

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

resp_conn::~resp_conn() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool resp_conn::open(uint16_t port) {
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

bool resp_conn::send_all(const std::string& data) {
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

bool resp_conn::fill() {
  if (pos_ > 0 && (pos_ == in_.size() || pos_ > (1u << 20))) {
    in_.erase(0, pos_);
    scan_ -= pos_;
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

bool resp_conn::scan() {
  if (!scanning_) {
    scanning_ = true;
    scan_ = pos_;
    left_.assign(1, 1); // one value at the top
  }
  while (!left_.empty()) {
    if (scan_ >= in_.size())
      return false;
    auto eol = in_.find("\r\n", scan_);
    if (eol == std::string::npos)
      return false;
    auto type = in_[scan_];
    int64_t n = 0;
    if (type == '$' || type == '*')
      n = std::strtoll(in_.c_str() + scan_ + 1, nullptr, 10);
    switch (type) {
      case '+':
      case '-':
      case ':':
        scan_ = eol + 2;
        break;
      case '$': {
        auto end = n < 0 ? eol + 2 : eol + 2 + static_cast<size_t>(n) + 2;
        if (end > in_.size())
          return false; // resumes here with more bytes
        scan_ = end;
        break;
      }
      case '*':
        scan_ = eol + 2;
        break;
      default:
        throw std::runtime_error("Redis protocol error");
    }
    --left_.back();
    if (type == '*' && n > 0) {
      if (left_.size() > 8)
        throw std::runtime_error("Redis protocol error (nested too deep)");
      left_.push_back(n);
    }
    while (!left_.empty() && left_.back() == 0)
      left_.pop_back();
  }
  return true;
}

bool resp_conn::next(resp_reply& r) {
  if (!scan())
    return false;
  scanning_ = false;
  auto end = scan_;
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

bool resp_conn::command(const std::vector<std::string>& args, resp_reply& r) {
  std::string out;
  resp_append_command(out, args);
  if (!send_all(out))
    return false;
  while (!next(r))
    if (!fill())
      return false;
  return true;
}

} // namespace cluster_bench
