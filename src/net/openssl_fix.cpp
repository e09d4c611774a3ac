// logstore — a workaround for CAF 0.17.6's TLS transport: clear OpenSSL's
// per-thread error queue before every TLS I/O call.
// Layer: net (process-wide symbol interposition; no CAF header).
//
// Why: OpenSSL's SSL_get_error() reports SSL_ERROR_SSL whenever the calling
// thread's error queue holds ANY error, and OpenSSL requires the queue to be
// empty before SSL_read/SSL_write/SSL_accept/SSL_connect. CAF's session code
// (libcaf_openssl/src/openssl/session.cpp) drains the queue only inside
// CAF_LOG_INFO(...), which Debian's build compiles out. So after ONE failed
// handshake on a multiplexer thread (a peer with a certificate from another
// CA, a port scanner, our own TCP probe) the stale error makes the next
// would-block read on a HEALTHY connection look fatal, and CAF drops it.
// Measured here: a rejected peer made the master lose every storage node.
//
// How: this executable defines the four functions; the dynamic linker
// resolves libcaf_openssl's calls to them first (an executable's exported
// symbols precede libssl's), and each forwards to the real one found with
// dlsym(RTLD_NEXT) after ERR_clear_error(). Calls from any other code get the
// same, harmless treatment.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <dlfcn.h>

namespace {

template <class Fn>
Fn real(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto fn = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto fn = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return fn(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return fn(ssl);
}

} // extern "C"

namespace logstore::net {

/// Referenced from runtime.cpp so the linker keeps this object file.
bool openssl_error_queue_fix() {
  return true;
}

} // namespace logstore::net
