// logstore — checking TLS files with OpenSSL before CAF sees them: CAF's
// openssl module reports a bad file by throwing on one of its own threads,
// which aborts the process without a useful message.
#include "net/runtime.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <memory>

namespace logstore::net {

namespace {

struct file_closer {
  void operator()(std::FILE* f) const {
    std::fclose(f);
  }
};

X509* read_cert(const std::string& path) {
  std::unique_ptr<std::FILE, file_closer> f{std::fopen(path.c_str(), "r")};
  return f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr;
}

EVP_PKEY* read_key(const std::string& path) {
  std::unique_ptr<std::FILE, file_closer> f{std::fopen(path.c_str(), "r")};
  return f ? PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr) : nullptr;
}

std::string verify_chain(X509* cert, X509* ca) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  std::string err;
  if (X509_verify_cert(ctx) != 1)
    err = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return err;
}

} // namespace

std::string certificate_common_name(const std::string& path) {
  std::unique_ptr<X509, decltype(&X509_free)> cert{read_cert(path), X509_free};
  if (!cert)
    return {};
  char buf[256] = {0};
  auto* subject = X509_get_subject_name(cert.get());
  auto n = X509_NAME_get_text_by_NID(subject, NID_commonName, buf,
                                     sizeof(buf));
  ERR_clear_error();
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
}

std::string check_tls_files(const tls_files& files) {
  std::unique_ptr<X509, decltype(&X509_free)> cert{read_cert(files.cert),
                                                   X509_free};
  if (!cert)
    return "--tls-cert " + files.cert + " is not a PEM certificate";
  std::unique_ptr<X509, decltype(&X509_free)> ca{read_cert(files.ca),
                                                 X509_free};
  if (!ca)
    return "--tls-ca " + files.ca + " is not a PEM certificate";
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{read_key(files.key),
                                                          EVP_PKEY_free};
  if (!key)
    return "--tls-key " + files.key
           + " is not an unencrypted PEM private key";
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return "--tls-key " + files.key + " does not belong to --tls-cert "
           + files.cert;
  }
  if (auto err = verify_chain(cert.get(), ca.get()); !err.empty())
    return "--tls-cert " + files.cert + " is not signed by --tls-ca "
           + files.ca + " (" + err + ")";
  return {};
}

} // namespace logstore::net
