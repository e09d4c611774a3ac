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
  size_t pos_ = 0; ///< start of the reply being read
  /// The scan of that reply so far: where it stopped, and the elements
  /// still to come at each array level. It resumes after the next fill(),
  /// so a large reply (XRANGE of 1000 entries arrives in several recvs)
  /// is scanned once, not once per recv.
  size_t scan_ = 0;
  std::vector<int64_t> left_;
  bool scanning_ = false;

  /// Advances the scan; true once the reply at pos_ is complete (it ends
  /// at scan_). Throws on a protocol error.
  bool scan();
};

} // namespace cluster_bench
