// builder.cpp — see builder.hpp.
#include "backends/auto/builder.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "backends/auto/policy.hpp"

namespace exprjit::tier {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
std::string ms(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  return buf;
}
void note(TierUnit& u, const std::string& line) { u.tools->background.detail(line); }
std::string what(const TierUnit& u) {
  return u.unit.exprs.size() == 1 ? "the expression" : std::to_string(u.unit.exprs.size()) + " expressions";
}

}  // namespace

namespace {
std::atomic<Builder*> g_started{nullptr};  // for if_started(): a process-wide object by nature
}  // namespace

Builder& Builder::instance() {
  // Never destroyed: expressions destroyed after main returns still abandon their units
  // here.  The worker is stopped and joined at exit (shutdown, registered when it starts).
  static Builder* b = [] {
    auto* p = new Builder;
    g_started.store(p, std::memory_order_release);
    return p;
  }();
  return *b;
}

Builder* Builder::if_started() { return g_started.load(std::memory_order_acquire); }

Builder::Builder() : pid_(::getpid()) {
  thread_ = std::thread([this] { run(); });
  std::atexit(&Builder::shutdown);
}

bool Builder::forked() const { return ::getpid() != pid_; }

void Builder::shutdown() {
  Builder& b = instance();
  if (b.forked()) return;  // no worker here to stop (and its thread is not this process's)
  b.cancel_all();
  {
    std::lock_guard lock(b.mu_);
    b.stopping_ = true;
  }
  b.wake_.notify_all();
  if (b.thread_.joinable()) b.thread_.join();
}

std::string Builder::disabled() const {
  if (forked()) return "a process made by fork() has no builder";
  std::lock_guard lock(mu_);
  return disabled_;
}

bool Builder::submit(std::shared_ptr<TierUnit> u) {
  if (forked()) return false;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= kMaxQueued) return false;
    queue_.push_back(std::move(u));
  }
  wake_.notify_one();
  return true;
}

void Builder::abandon(TierUnit& u) {
  if (forked()) return;  // the worker that held it is in the parent: its copy is the parent's
  {
    std::lock_guard lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();)
      it = it->get() == &u ? queue_.erase(it) : it + 1;
    if (current_ == &u) cancel_.request();  // kills its go build, if one runs
  }
  std::unique_lock lock(u.mu);
  u.done.wait(lock, [&] { return !u.worker_busy; });
}

void Builder::cancel_all() {
  if (forked()) return;
  std::deque<std::shared_ptr<TierUnit>> dropped;
  {
    std::unique_lock lock(mu_);
    dropped.swap(queue_);
    if (current_) cancel_.request();
    wake_.wait(lock, [&] { return current_ == nullptr; });
  }
  for (const auto& u : dropped) {
    std::lock_guard lock(u->mu);
    u->set_stage(Stage::vm_for_good, "its jit build was cancelled");
  }
}

void Builder::run() {
  // Below the threads that evaluate: what it starts inherits this (the hashing thread, the
  // Go runtime's threads, go build and its compilers), so a background build yields a core
  // to an evaluating thread that wants it.  (It does not remove the one stall measured: an
  // evaluating thread loses ~3-5 ms, at times, while the builder loads the Go runtime, at
  // this priority and at SCHED_IDLE alike: docs/benchmarks.md, "Time to result".)
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kNice);
  for (;;) {
    std::shared_ptr<TierUnit> u;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      u = std::move(queue_.front());
      queue_.pop_front();
      cancel_.reset();  // before current_ is set: a request from now on is for u
      current_ = u.get();
    }
    bool go = false;
    {
      std::lock_guard lock(u->mu);
      go = !u->dying;
      u->worker_busy = go;
    }
    if (go) work(u);
    {
      std::lock_guard lock(u->mu);
      u->worker_busy = false;
      u->done.notify_all();
    }
    {
      std::lock_guard lock(mu_);
      current_ = nullptr;
    }
    wake_.notify_all();  // cancel_all waits for this
  }
}

void Builder::work(const std::shared_ptr<TierUnit>& u) {
  Tools& tools = *u->tools;
  Stage stage;
  {
    std::lock_guard lock(u->mu);
    stage = u->stage;
  }
  std::optional<std::vector<std::unique_ptr<Compiled>>> code;
  const auto t0 = Clock::now();
  try {
    if (stage == Stage::lookup) {
      code = tools.jit->compile_if_cached(u->unit);
      if (code) {
        note(*u, "auto: the jit's cache has " + what(*u) + " (" + ms(since(t0)) + "): switching to the jit");
      } else {
        std::lock_guard lock(u->mu);
        if (tools.policy == TierPolicy::never) {
          u->set_stage(Stage::vm_for_good, "tier policy never, and not in the jit's cache");
          return;
        }
        if (!u->build_wanted.load(std::memory_order_acquire)) {
          u->set_stage(Stage::cold);
          note(*u, "auto: " + what(*u) + " not in the jit's cache (looked up in " + ms(since(t0)) +
                       "); the vm runs it, and the jit is built once the vm has spent " +
                       ms(Policy::process().build_seconds()) + " on it (the last build's cost)");
          return;
        }
        u->set_stage(Stage::building);
      }
    } else {
      std::lock_guard lock(u->mu);
      u->set_stage(Stage::building);
    }
    if (!code) {
      std::string why;
      {
        std::lock_guard lock(u->mu);
        why = u->fired_spent < 0 ? std::string("tier policy ") + (tools.policy == TierPolicy::wait ? "wait" : "at-once")
                                 : "the vm has spent " + ms(u->fired_spent) +
                                       (u->fired_ahead > 0 ? " (and the batch in progress will take " + ms(u->fired_ahead) + " more)" : "") +
                                       ", a build costs " + ms(Policy::process().build_seconds());
      }
      note(*u, "auto: " + why + ": building the jit version of " + what(*u) + " in the background; the vm answers meanwhile");
      const auto tb = Clock::now();
      code = tools.jit->compile(u->unit);
      Policy::process().record_build(since(tb));
      note(*u, "auto: built in " + ms(since(tb)) + ": switching to the jit");
    }
  } catch (const Cancelled&) {
    std::lock_guard lock(u->mu);
    u->set_stage(Stage::vm_for_good, "its jit build was cancelled");
    note(*u, "auto: the jit build of " + what(*u) + " was cancelled; the vm runs it");
    return;
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mu_);
      if (disabled_.empty()) disabled_ = e.what();
    }
    std::lock_guard lock(u->mu);
    u->set_stage(Stage::vm_for_good, std::string("the jit failed: ") + e.what());
    note(*u, std::string("auto: the jit failed, the vm runs ") + what(*u) +
                 " (and everything else this process compiles with auto): " + e.what());
    return;
  }
  std::lock_guard lock(u->mu);
  if (u->dying) return;  // the code goes with `code`
  if (code->size() != u->unit.exprs.size()) {
    u->set_stage(Stage::vm_for_good, "the jit returned the wrong number of results");
    return;
  }
  u->fast = std::move(*code);
  u->set_stage(Stage::jit);
}

}  // namespace exprjit::tier
