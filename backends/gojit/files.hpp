// files.hpp — file descriptors and the few ways the jit reads and writes files (shared by
// the build, inspect and runtime layers).  Every file it reads is opened without following
// a symlink and without blocking (a FIFO planted where a file was expected fails at once),
// then checked to be a regular file, then read with read(2)/pread(2) — never mapped, so a
// file truncated while it is read gives a wrong answer (and a rebuild), never a SIGBUS.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exprjit::gojit {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Opens name (relative to dirfd, or a path with AT_FDCWD) for reading: O_NOFOLLOW,
// O_NONBLOCK, O_CLOEXEC, and it must be a regular file.  On failure returns an empty fd and
// says why in *why.
UniqueFd open_regular(int dirfd, const std::string& name, std::string* why);

// The whole contents of an open regular file, read from offset 0, if at most max bytes.
std::optional<std::string> read_all(int fd, std::size_t max);
// The contents of a regular file by name (open_regular, then read_all).
std::optional<std::string> read_regular(int dirfd, const std::string& name, std::size_t max, std::string* why = nullptr);

bool pread_exact(int fd, void* buf, std::size_t n, std::uint64_t offset);
bool write_all(int fd, std::string_view s);

// The path under which the kernel reaches an open fd of this process: /proc/self/fd/N.
std::string fd_path(int fd);

}  // namespace exprjit::gojit
