// policy.hpp — when the auto backend builds the jit version of what the vm runs: once the
// vm time spent on a unit, plus the time a batch in progress will still take at its
// measured rate, reaches what a build costs on this machine (the last build measured in
// this process; before any, kDefaultBuildSeconds).  Paying the build cost once the vm has
// cost as much is the rent-or-buy rule: never worse than twice the better choice made in
// hindsight, and the build runs on another thread, so the vm goes on answering meanwhile.
#pragma once
#include <atomic>

namespace exprjit::tier {

// A warm go build of one expression on the machines measured (docs/benchmarks.md).
inline constexpr double kDefaultBuildSeconds = 0.3;

class Policy {
 public:
  static Policy& process();  // one per process: what this machine's builds have cost
  double build_seconds() const { return build_s_.load(std::memory_order_relaxed); }
  void record_build(double seconds) { build_s_.store(seconds, std::memory_order_relaxed); }
  // Whether a unit that has spent `spent` seconds on the vm and will spend `ahead` more
  // (known only for a batch in progress) should be built now.
  bool should_build(double spent, double ahead) const { return spent + ahead >= build_seconds(); }

 private:
  std::atomic<double> build_s_{kDefaultBuildSeconds};
};

}  // namespace exprjit::tier
