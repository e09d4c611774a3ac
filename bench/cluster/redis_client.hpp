// logstore — cluster_bench: a minimal Redis (RESP 2) client over one
// blocking loopback TCP connection: encode commands, split replies out of
// the receive buffer. Enough for XADD, WAIT, XRANGE, PING and INFO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cluster_bench {

struct resp_reply {
  char type = 0;           ///< + - : $ *
  int64_t integer = 0;     ///< ':' value, '*' element count, '$' length
  std::string text;        ///< '+', '-', '$' contents
};

constexpr size_t resp_incomplete = static_cast<size_t>(-1);
constexpr size_t resp_bad = static_cast<size_t>(-2);

/// The end of the RESP value that starts at `p`, resp_incomplete when the
/// buffer does not hold all of it yet, resp_bad on a protocol error.
size_t resp_skip(const std::string& b, size_t p, int depth = 0);

/// Appends `args` as one RESP command (an array of bulk strings) to `out`.
void resp_append_command(std::string& out,
                         const std::vector<std::string>& args);

class resp_conn {
public:
  resp_conn() = default;
  resp_conn(const resp_conn&) = delete;
  resp_conn& operator=(const resp_conn&) = delete;
  ~resp_conn();

  /// Connects to 127.0.0.1:`port` (TCP_NODELAY).
  bool open(uint16_t port);

  int fd() const {
    return fd_;
  }

  bool send_all(const std::string& data);

  /// One recv (blocking): false on EOF or error.
  bool fill();

  /// Takes one complete reply out of the buffer; false if none is complete.
  /// Throws on a protocol error. An array reply gives its element count
  /// only (`integer`); its elements are skipped.
  bool next(resp_reply& r);

  /// Blocking: send one command, wait for its reply.
  bool command(const std::vector<std::string>& args, resp_reply& r);

private:
  int fd_ = -1;
  std::string in_;
  size_t pos_ = 0;
};

} // namespace cluster_bench
