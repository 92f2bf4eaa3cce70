// cancel.hpp — a request to stop work in progress (a jit build), and how many builds are
// running in this process.
//
// A Cancel is an eventfd: requesting it makes the descriptor readable, so a process runner
// waits for it in the same poll() as for its child, and request() is async-signal-safe (one
// write(2)), so a SIGINT handler may call it.
#pragma once
#include <atomic>
#include <stdexcept>

namespace exprjit {

class Cancel {
 public:
  Cancel();
  ~Cancel();
  Cancel(const Cancel&) = delete;
  Cancel& operator=(const Cancel&) = delete;

  void request() noexcept;       // async-signal-safe
  void reset() noexcept;         // takes a request back (drains the descriptor)
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

// The process's interrupt: what stops the build a compile() call is waiting for (the CLI's
// and the REPL's Ctrl-C).  Background builds do not watch it; they have a Cancel each.
Cancel& process_interrupt();

// A scope in which a build's processes and directory exist: builds_running() counts them, so
// that a program stopping on a signal can wait until every build has cleaned up.
class BuildScope {
 public:
  BuildScope() noexcept { running().fetch_add(1, std::memory_order_acq_rel); }
  ~BuildScope() { running().fetch_sub(1, std::memory_order_acq_rel); }
  BuildScope(const BuildScope&) = delete;
  BuildScope& operator=(const BuildScope&) = delete;
  static int builds_running() noexcept { return running().load(std::memory_order_acquire); }

 private:
  static std::atomic<int>& running() noexcept;
};

}  // namespace exprjit

namespace exprjit {

// What work stopped by a Cancel throws (a build: after its processes died and its directory
// was removed).
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
}  // namespace exprjit
