// cancel.cpp — see cancel.hpp.
#include "backends/cancel.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace exprjit {

Cancel::Cancel() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) throw std::runtime_error(std::string("cannot create an eventfd: ") + std::strerror(errno));
}

Cancel::~Cancel() { ::close(fd_); }

void Cancel::request() noexcept {
  const int saved = errno;  // a signal handler must leave errno as it found it
  const std::uint64_t one = 1;
  ssize_t r = ::write(fd_, &one, sizeof one);
  (void)r;  // only fails when the counter is full, and then it is readable anyway
  errno = saved;
}

void Cancel::reset() noexcept {
  std::uint64_t v = 0;
  ssize_t r = ::read(fd_, &v, sizeof v);
  (void)r;
}

Cancel& process_interrupt() {
  // Leaked on purpose: a signal handler may use it until the very end of the process.
  static Cancel* c = new Cancel;
  return *c;
}

std::atomic<int>& BuildScope::running() noexcept {
  static std::atomic<int> n{0};
  return n;
}

}  // namespace exprjit
