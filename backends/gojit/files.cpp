// files.cpp — see files.hpp.
#include "backends/gojit/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace exprjit::gojit {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd open_regular(int dirfd, const std::string& name, std::string* why) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd) {
    if (why) *why = errno == ELOOP ? "it is a symbolic link" : std::strerror(errno);
    return {};
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    if (why) *why = "it is not a regular file";
    return {};
  }
  // Reads of a regular file never block; drop O_NONBLOCK so they behave plainly.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return fd;
}

std::optional<std::string> read_all(int fd, std::size_t max) {
  std::string s;
  char buf[65536];
  for (std::uint64_t off = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return s;
    if (s.size() + static_cast<std::size_t>(n) > max) return std::nullopt;
    s.append(buf, static_cast<std::size_t>(n));
    off += static_cast<std::uint64_t>(n);
  }
}

std::optional<std::string> read_regular(int dirfd, const std::string& name, std::size_t max, std::string* why) {
  UniqueFd fd = open_regular(dirfd, name, why);
  if (!fd) return std::nullopt;
  std::optional<std::string> s = read_all(fd.get(), max);
  if (!s && why) *why = "it cannot be read, or is larger than expected";
  return s;
}

bool pread_exact(int fd, void* buf, std::size_t n, std::uint64_t offset) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= static_cast<std::size_t>(r), offset += static_cast<std::uint64_t>(r);
  }
  return true;
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace exprjit::gojit
