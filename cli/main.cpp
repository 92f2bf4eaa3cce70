// main.cpp — the exprjit program's entry: options, then run; nothing escapes main.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

#include "cli/options.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"

namespace {

// A standard descriptor the program was started without is opened on /dev/null, so that no
// file the program opens later lands on it (and receives its output).  Returns whether
// stdin was closed: reading it is then an error, not an empty input.
bool guard_standard_fds() {
  bool stdin_closed = false;
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == 0) stdin_closed = true;
    const int n = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (n >= 0 && n != fd) ::dup2(n, fd), ::close(n);
  }
  return stdin_closed;
}

}  // namespace

int main(int argc, char** argv) {
  const bool stdin_closed = guard_standard_fds();
  int status = 0;
  auto opts = exprjit::cli::parse_options(argc, argv, &status);
  if (!opts) return status;
  exprjit::cli::Output out;
  try {
    status = exprjit::cli::run(*opts, out, stdin_closed);
  } catch (const std::exception& e) {
    exprjit::cli::await_stopping_signal();
    out.flush();
    std::fprintf(stderr, "error: %s\n", exprjit::printable(e.what(), 4000).c_str());
    status = 1;
  } catch (...) {
    std::fprintf(stderr, "error: unexpected internal failure\n");
    status = 1;
  }
  exprjit::cli::await_stopping_signal();
  return out.finish(status);
}
