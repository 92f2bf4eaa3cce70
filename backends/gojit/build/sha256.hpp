// sha256.hpp — SHA-256 for the jit cache (entry keys and the recorded hash of every cached
// shared object), through OpenSSL's libcrypto, which uses the CPU's SHA extensions when it
// has them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace exprjit::gojit {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finishes: 64 lowercase hex digits; the object is then spent

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_hex(std::string_view data);

// The hash of an open file's contents from offset 0, or "" when it cannot be read.  Reads
// with pread(2) (files.hpp), so a file truncated while it is hashed gives a wrong hash (and
// a rebuild), never a SIGBUS.
std::string sha256_fd_hex(int fd, std::uint64_t* size = nullptr);
// The same of the regular file at path (opened without following a symlink), or "".
std::string sha256_file_hex(const std::string& path, std::uint64_t* size = nullptr);

}  // namespace exprjit::gojit
