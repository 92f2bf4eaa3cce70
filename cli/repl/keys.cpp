// keys.cpp — see keys.hpp.
#include "cli/repl/keys.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <exprjit/exprjit.hpp>

namespace exprjit::cli {

namespace {

// Set by the SIGINT handler: a signal handler may only touch a sig_atomic_t, which is why
// this is global.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) {
  g_interrupted = 1;
  exprjit::interrupt_compile();  // a jit build being waited for stops (async-signal-safe)
}

// An interrupt ends readline() by end of input, and the REPL then sees ctrl_c_pressed().
// Relying on the signal to interrupt libedit's own read() lost a Ctrl-C that came while
// libedit was busy echoing or redrawing.  Here SIGINT is blocked from the check of the flag
// until ppoll() unblocks it atomically for the wait, so it cannot fall between.  (The Go
// runtime's threads, if the jit is loaded, start with SIGINT blocked: runtime/goloader.cpp.)
int read_byte(int fd, const sigset_t& open) {
  for (;;) {
    if (g_interrupted) return EOF;
    pollfd p{fd, POLLIN, 0};
    if (ppoll(&p, 1, nullptr, &open) < 0) {
      if (errno == EINTR) continue;
      return EOF;
    }
    unsigned char c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n == 1) return c;
    if (n < 0 && errno == EINTR) continue;
    return EOF;  // end of input, or an error: Ctrl-D's way out
  }
}

}  // namespace

void own_ctrl_c() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: Ctrl-C interrupts the read and abandons the line
  sigaction(SIGINT, &sa, nullptr);
  sigset_t intr;
  sigemptyset(&intr);
  sigaddset(&intr, SIGINT);
  sigprocmask(SIG_UNBLOCK, &intr, nullptr);
}

bool ctrl_c_pressed() { return g_interrupted != 0; }
void clear_ctrl_c() { g_interrupted = 0; }

extern "C" int read_key(FILE* in) {
  sigset_t intr, open;
  sigemptyset(&intr);
  sigaddset(&intr, SIGINT);
  pthread_sigmask(SIG_BLOCK, &intr, &open);
  // libedit takes one character, not one byte: a UTF-8 sequence is decoded.
  int key = read_byte(fileno(in), open);
  const int more = key >= 0xF0 && key < 0xF5 ? 3 : key >= 0xE0 && key < 0xF0 ? 2 : key >= 0xC2 && key < 0xE0 ? 1 : 0;
  int cp = key & (0x3F >> more);
  for (int i = 0; i < more; ++i) {
    const int b = read_byte(fileno(in), open);
    if (b == EOF || (b & 0xC0) != 0x80) {
      cp = -1;
      break;
    }
    cp = cp << 6 | (b & 0x3F);
  }
  if (more && cp >= 0) key = cp;
  else if (key >= 0x80) key = 0xFFFD;  // not UTF-8: the replacement character, an error too
  pthread_sigmask(SIG_SETMASK, &open, nullptr);
  return key;
}

}  // namespace exprjit::cli
