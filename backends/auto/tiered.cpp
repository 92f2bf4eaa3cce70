// tiered.cpp — see tiered.hpp.
#include "backends/auto/tiered.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "backends/auto/builder.hpp"
#include "backends/auto/policy.hpp"

namespace exprjit::tier {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Column pointers moved on by a row offset, without an allocation for few columns.
class Shifted {
 public:
  Shifted(const double* const* cols, std::size_t n) : cols_(cols), n_(n), big_(n > kInline ? n : 0) {
    p_ = n > kInline ? big_.data() : small_.data();
  }
  const double* const* at(std::size_t row) {
    for (std::size_t i = 0; i < n_; ++i) p_[i] = cols_[i] + row;
    return p_;
  }

 private:
  static constexpr std::size_t kInline = 16;
  const double* const* cols_;
  std::size_t n_;
  std::array<const double*, kInline> small_{};
  std::vector<const double*> big_;
  const double** p_;
};

}  // namespace

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::lookup: return "looking the jit up in its cache";
    case Stage::cold: return "the jit is built once the time spent warrants it";
    case Stage::queued: return "the jit build is queued";
    case Stage::building: return "the jit is being built";
    case Stage::jit: return "jit";
    case Stage::vm_for_good: return "vm for good";
  }
  return "?";
}

TieredCompiled::TieredCompiled(std::shared_ptr<TierUnit> unit, std::size_t k, std::unique_ptr<Compiled> vm)
    : Compiled(vm->nslots(), RowEntry{&row, this}, PtrEntry{&ptrs, this}, BatchEntry{&batch, this}),
      unit_(std::move(unit)), k_(k), vm_(std::move(vm)) {
  std::lock_guard lock(unit_->mu);
  if (unit_->members.size() <= k_) unit_->members.resize(k_ + 1, nullptr);
  unit_->members[k_] = this;
  told_ = Compiled::ptr_entry();
}

TieredCompiled::~TieredCompiled() {
  bool last = false;
  {
    std::lock_guard lock(unit_->mu);
    unit_->members[k_] = nullptr;
    last = std::all_of(unit_->members.begin(), unit_->members.end(), [](auto* m) { return m == nullptr; });
    if (last) unit_->dying = true;
  }
  if (last) Builder::instance().abandon(*unit_);
}

void TieredCompiled::follow() {
  const Stage s = unit_->stage;
  if (s == Stage::jit && k_ < unit_->fast.size()) {
    fast_.store(unit_->fast[k_].get(), std::memory_order_release);
    mode_.store(fast, std::memory_order_release);
  } else if (s == Stage::vm_for_good || s == Stage::queued || s == Stage::building ||
             unit_->build_wanted.load(std::memory_order_acquire)) {
    mode_.store(vm_only, std::memory_order_release);
  }
  const PtrEntry now = current_ptr_entry();
  if (on_switch_ && (now.fn != told_.fn || now.ctx != told_.ctx)) {
    told_ = now;
    on_switch_(now);
  }
}

PtrEntry TieredCompiled::current_ptr_entry() const {
  switch (mode_.load(std::memory_order_acquire)) {
    case fast: return fast_.load(std::memory_order_acquire)->ptr_entry();
    case vm_only: return vm_->ptr_entry();
    default: return Compiled::ptr_entry();
  }
}

void TieredCompiled::on_switch(std::function<void(PtrEntry)> f) const {
  std::lock_guard lock(unit_->mu);
  on_switch_ = std::move(f);
  told_ = Compiled::ptr_entry();
  const_cast<TieredCompiled*>(this)->follow();  // it may have switched already (a cache hit)
}

std::string TieredCompiled::how_now() const {
  std::lock_guard lock(unit_->mu);
  const Stage s = unit_->stage;
  if (s == Stage::jit && k_ < unit_->fast.size()) {
    std::string how = "auto: " + unit_->fast[k_]->how();
    if (batch_choice_.load(std::memory_order_relaxed) == batch_on_vm) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "; batches on the vm (%.2f ns/row against the jit's %.2f)",
                    vm_row_ns_.load(std::memory_order_relaxed), jit_row_ns_.load(std::memory_order_relaxed));
      how += buf;
    }
    return how;
  }
  if (s == Stage::vm_for_good) return "auto: vm (" + unit_->why_vm + ")";
  return std::string("auto: vm (") + stage_name(s) + ")";
}

void TieredCompiled::spend(double seconds, double ahead) const {
  const double total = spent_.fetch_add(seconds, std::memory_order_relaxed) + seconds;
  if (Policy::process().should_build(total, ahead)) unit_->want_build(unit_, total, ahead);
}

template <class F>
double TieredCompiled::sampled(F f) const {
  if (calls_.fetch_add(1, std::memory_order_relaxed) % kSampleEvery != 0) return f();
  const auto t0 = Clock::now();
  const double r = f();
  spend(since(t0) * kSampleEvery, 0);  // this call stands for the kSampleEvery since the last one
  return r;
}

double TieredCompiled::row(const double* vars, const void* ctx) {
  const auto* t = static_cast<const TieredCompiled*>(ctx);
  switch (t->mode_.load(std::memory_order_acquire)) {
    case fast: return t->fast_.load(std::memory_order_relaxed)->eval(vars);
    case vm_only: return t->vm_->eval(vars);
    default: return t->sampled([&] { return t->vm_->eval(vars); });
  }
}

double TieredCompiled::ptrs(const double* const* p, const void* ctx) {
  const auto* t = static_cast<const TieredCompiled*>(ctx);
  switch (t->mode_.load(std::memory_order_acquire)) {
    case fast: return t->fast_.load(std::memory_order_relaxed)->eval_ptrs(p);
    case vm_only: return t->vm_->eval_ptrs(p);
    default: return t->sampled([&] { return t->vm_->eval_ptrs(p); });
  }
}

void TieredCompiled::batch(const double* const* cols, std::size_t n, double* out, const void* ctx) {
  const auto* t = static_cast<const TieredCompiled*>(ctx);
  Shifted shifted(cols, t->nslots());
  for (std::size_t done = 0; done < n;) {
    const int mode = t->mode_.load(std::memory_order_acquire);
    const double* const* at = done ? shifted.at(done) : cols;
    const Compiled* jit = mode == fast ? t->fast_.load(std::memory_order_relaxed) : nullptr;
    if (jit) {
      switch (t->batch_choice_.load(std::memory_order_relaxed)) {
        case batch_on_jit: return jit->eval_batch(at, n - done, out + done);
        case batch_on_vm: return t->vm_->eval_batch(at, n - done, out + done);
        default: break;
      }
    }
    if (mode == vm_only && t->unit_->stage_is_final.load(std::memory_order_acquire))
      return t->vm_->eval_batch(at, n - done, out + done);
    const std::size_t m = std::min(kBlock, n - done);
    if (jit) {
      // Trials: a block on the vm, then one on the jit, each timed, kTrials times (the
      // best of each, so that a cold first block does not decide); then the faster runs
      // the batches.
      auto timed = [&](const Compiled& c, std::atomic<double>& best, std::size_t rows) {
        const auto t0 = Clock::now();
        c.eval_batch(done ? shifted.at(done) : cols, rows, out + done);
        const double ns = since(t0) * 1e9 / static_cast<double>(rows);
        const double was = best.load(std::memory_order_relaxed);
        if (was == 0 || ns < was) best.store(ns, std::memory_order_relaxed);
        done += rows;
      };
      timed(*t->vm_, t->vm_row_ns_, m);
      if (done < n) timed(*jit, t->jit_row_ns_, std::min(kBlock, n - done));
      if (t->trials_.fetch_add(1, std::memory_order_relaxed) + 1 >= kTrials)
        t->batch_choice_.store(t->jit_row_ns_.load(std::memory_order_relaxed) <= t->vm_row_ns_.load(std::memory_order_relaxed)
                                   ? batch_on_jit
                                   : batch_on_vm,
                               std::memory_order_relaxed);
      continue;
    }
    if (mode == vm_only) {
      t->vm_->eval_batch(at, m, out + done);
    } else {
      const auto t0 = Clock::now();
      t->vm_->eval_batch(at, m, out + done);
      const double s = since(t0);
      t->spend(s, s / static_cast<double>(m) * static_cast<double>(n - done - m));
    }
    done += m;
  }
}

}  // namespace exprjit::tier
