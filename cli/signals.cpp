// signals.cpp — see signals.hpp.
#include "cli/signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <unistd.h>

#include <atomic>
#include <thread>

#include <exprjit/exprjit.hpp>

namespace exprjit::cli {

namespace {
// Set by the signal thread once it has a signal: a process-wide fact by nature.
std::atomic<bool> g_stopping{false};
}  // namespace

void await_stopping_signal() {
  if (!g_stopping.load(std::memory_order_acquire)) return;
  for (;;) ::pause();  // the signal thread's raise() ends the process
}

void stop_builds_on_signals(bool with_sigint) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (with_sigint) sigaddset(&set, SIGINT);
  // A signal ignored when the program started (nohup, a background job's SIGINT) stays so.
  for (int s : {SIGTERM, SIGHUP, SIGINT}) {
    struct sigaction old {};
    if (sigismember(&set, s) && sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) sigdelset(&set, s);
  }
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    g_stopping.store(true, std::memory_order_release);
    exprjit::cancel_builds();
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    raise(sig);  // to this thread, unblocked now: the default action ends the process
  }).detach();
}

}  // namespace exprjit::cli
