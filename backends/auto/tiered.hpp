// tiered.hpp — one expression of the auto backend: the vm's code, and the jit's once it is
// there.  Its entries are trampolines that read one acquire pointer and otherwise run the
// vm, measuring the vm time spent until the policy fires; on_switch() hands the caller's
// fast path (Expression::operator()) the entry to follow instead: the counting trampoline,
// then the vm's own entry once there is nothing left to measure, then the jit's.
// A batch switches between blocks of kBlock rows; once both tiers have run a block of
// batch, batches stay on whichever was faster per row.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "backends/auto/unit.hpp"

namespace exprjit::tier {

class TieredCompiled final : public Compiled {
 public:
  TieredCompiled(std::shared_ptr<TierUnit> unit, std::size_t k, std::unique_ptr<Compiled> vm);
  ~TieredCompiled() override;

  void on_switch(std::function<void(PtrEntry)> f) const override;
  std::string how_now() const override;

  // Under unit->mu: follow the unit's stage (the builder, want_build, the constructor).
  void follow();

  static constexpr std::size_t kBlock = 16384;  // rows between two looks at the jit in a batch
  static constexpr unsigned kSampleEvery = 256; // one row call in this many is timed

 private:
  enum Mode : int { counting, vm_only, fast };
  static double row(const double* vars, const void* ctx);
  static double ptrs(const double* const* ptrs, const void* ctx);
  static void batch(const double* const* cols, std::size_t n, double* out, const void* ctx);
  template <class F>
  double sampled(F f) const;
  void spend(double seconds, double ahead) const;
  PtrEntry current_ptr_entry() const;

  std::shared_ptr<TierUnit> unit_;
  std::size_t k_;
  std::unique_ptr<Compiled> vm_;
  mutable std::atomic<int> mode_{counting};
  mutable std::atomic<const Compiled*> fast_{nullptr};
  mutable std::atomic<std::uint64_t> calls_{0};
  mutable std::atomic<double> spent_{0};              // vm seconds measured (sampled for rows)
  // Batches: ns per row measured on a block of each tier (0: not yet), and which runs the
  // batches once both are known (the vm's block kernels match the jit on some expressions).
  mutable std::atomic<double> vm_row_ns_{0}, jit_row_ns_{0};  // the best of kTrials blocks each, once the jit is there
  mutable std::atomic<int> trials_{0};
  static constexpr int kTrials = 3;  // pairs of blocks (vm, then jit) timed before choosing
  enum BatchChoice : int { undecided, batch_on_jit, batch_on_vm };
  mutable std::atomic<int> batch_choice_{undecided};
  mutable std::function<void(PtrEntry)> on_switch_;   // under unit_->mu
  mutable PtrEntry told_{};                           // what on_switch_ was last given
};

}  // namespace exprjit::tier
