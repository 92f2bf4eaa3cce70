// builder.hpp — the auto backend's one worker thread per process: a bounded queue of units
// to look up in the jit's cache (at once, on compile) or to build (when the policy says),
// one unit at a time; the build it runs can be cancelled (its go process group killed, its
// directory removed) when the unit's last expression is destroyed, and every build is
// cancelled at exit.
#pragma once
#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "backends/auto/unit.hpp"
#include "backends/cancel.hpp"

namespace exprjit::tier {

class Builder {
 public:
  // The process's (made on first use; never destroyed: at exit, shutdown() runs first).
  static Builder& instance();
  static Builder* if_started();  // nullptr when no auto compile has made it yet

  // Queues u for what its stage asks (lookup, or a build once build_wanted).  false when the
  // queue is full or the builder has stopped (u then stays on the vm).
  bool submit(std::shared_ptr<TierUnit> u);
  // u's last expression is going: drop it from the queue, cancel its build if it runs, and
  // return once the builder has let go of it.
  void abandon(TierUnit& u);
  // Cancels every queued and running build and returns once none runs (exit, a signal).
  void cancel_all();
  // Why the jit is not used for anything in this process any more (a build failed), or "".
  std::string disabled() const;
  // What stops the build the worker runs (the jit backends it uses are made with it).
  const Cancel& cancel_token() const { return cancel_; }

  static constexpr std::size_t kMaxQueued = 256;
  static constexpr int kNice = 10;  // the worker's nice value (and so its builds')

 private:
  Builder();
  void run();
  void work(const std::shared_ptr<TierUnit>& u);
  static void shutdown();  // std::atexit

  // The process the worker runs in: a child made by fork() has no worker (only the thread
  // that forked survives), so there the builder is stopped: nothing is queued, nothing
  // waited for, nothing joined.
  bool forked() const;
  pid_t pid_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<TierUnit>> queue_;
  TierUnit* current_ = nullptr;  // what the worker works on (cancel_ stops it)
  Cancel cancel_;                // the running build's (reset before each unit)
  bool stopping_ = false;
  std::string disabled_;
  std::thread thread_;
};

}  // namespace exprjit::tier
