// unit.hpp — what the auto backend keeps of one compiled unit while its jit version is
// looked up, built and switched to: shared by the unit's TieredCompiled objects and the
// builder, so that whichever lets go last frees it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/cancel.hpp"

namespace exprjit::tier {

// The backends the auto backend stands on (one set per auto Backend): the vm answering at
// once, and the jit with a vm of its own as fallback, used only by the builder's thread.
// What the builder's work tells: details only.  Its notes of slow work (a build starting)
// are details too, since nobody waits for it, and its phase times are no compile's.
class BackgroundLog final : public Log {
 public:
  explicit BackgroundLog(Log* to) : to_(to) {}
  bool wants_detail() const override { return to_ && to_->wants_detail(); }
  void detail(std::string_view line) override {
    if (wants_detail()) to_->detail(line);
  }
  void status(std::string_view line) override { detail(line); }

 private:
  Log* to_;
};

struct Tools {
  explicit Tools(Log* to) : log(to), background(to) {}
  std::unique_ptr<Backend> vm;
  std::unique_ptr<Backend> jit_fallback;
  std::unique_ptr<Backend> jit;
  Log* log = nullptr;     // the compile's (the caller's thread)
  BackgroundLog background;  // the builder's
  TierPolicy policy = TierPolicy::measured;
};

// Where a unit is: looked up in the jit's cache, waiting on the vm for the policy, queued
// for a build, being built, switched to the jit, or staying on the vm for good.
enum class Stage { lookup, cold, queued, building, jit, vm_for_good };
const char* stage_name(Stage s);

class TieredCompiled;

struct TierUnit {
  ir::Unit unit;
  std::shared_ptr<Tools> tools;
  std::vector<std::unique_ptr<Compiled>> fast;  // the jit's code, once built (owned here: outlives every reader)

  std::mutex mu;                 // guards what follows, and every switch
  std::condition_variable done;  // the builder has let go of the unit (TierPolicy::wait, destruction)
  Stage stage = Stage::lookup;
  bool worker_busy = false;      // the builder is working on it right now
  bool dying = false;            // its last TieredCompiled is being destroyed
  std::string why_vm;            // for vm_for_good: why
  std::vector<TieredCompiled*> members;  // the unit's expressions still alive (index k = expression k)
  std::atomic<bool> build_wanted{false};  // the policy fired (or at_once): set once
  std::atomic<bool> stage_is_final{false}; // vm_for_good: a batch need not look again

  // Sets the stage and switches every live member to follow it (under mu).
  void set_stage(Stage s, std::string why = {});
  // Asks the builder for a build (once; any thread), with what the policy saw: the vm
  // seconds spent and those a batch in progress will still spend (for --verbose).
  void want_build(const std::shared_ptr<TierUnit>& self, double spent, double ahead);
  double fired_spent = -1, fired_ahead = 0;  // under mu; -1: wanted by the tier policy, not measured
};

}  // namespace exprjit::tier
