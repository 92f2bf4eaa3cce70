// sha256.cpp — SHA-256 through OpenSSL's EVP interface.
#include "backends/gojit/build/sha256.hpp"

#include "backends/gojit/files.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <new>

namespace exprjit::gojit {

namespace {
// libcrypto is initialised, configuration included, when the program starts rather than on
// first use.  First use may be on the auto backend's builder thread, and libcrypto loads its
// configuration on whichever thread comes first: the error state it makes for that thread
// then outlives the thread (LeakSanitizer: 904 bytes from ERR_set_mark under
// CONF_modules_load_file_ex, once the builder had exited).  Initialised here, on the main
// thread, it also registers its exit-time cleanup before the builder's, so it runs after
// the builder has been joined.
const bool g_crypto_ready = OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr) == 1;  // a static initialiser's one effect
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_, data, n); }

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < len; ++i) {
    s += kDigits[md[i] >> 4];
    s += kDigits[md[i] & 15];
  }
  return s;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

std::string sha256_fd_hex(int fd, std::uint64_t* size) {
  Sha256 h;
  std::uint64_t total = 0;
  static constexpr std::size_t kChunk = 1 << 16;
  auto buf = std::make_unique<char[]>(kChunk);
  for (;;) {
    ssize_t r = ::pread(fd, buf.get(), kChunk, static_cast<off_t>(total));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return "";
    if (r == 0) break;
    h.update(buf.get(), static_cast<std::size_t>(r));
    total += static_cast<std::uint64_t>(r);
  }
  if (size) *size = total;
  return h.hex();
}

std::string sha256_file_hex(const std::string& path, std::uint64_t* size) {
  std::string why;
  UniqueFd fd = open_regular(AT_FDCWD, path, &why);
  return fd ? sha256_fd_hex(fd.get(), size) : std::string();
}

}  // namespace exprjit::gojit
