// auto.cpp — the auto entry of backends.def: the vm answers at once, the builder looks the
// unit up in the jit's cache and, when the policy says, builds it in the background; each
// expression then switches to the jit's code (tiered.hpp).  Both tiers give the same bits
// (the jit calls the very C functions the vm calls), so the switch is invisible but for
// the speed.
#include <stdexcept>

#include "backends/auto/builder.hpp"
#include "backends/auto/tiered.hpp"

namespace exprjit {
namespace {

using namespace tier;

class AutoBackend final : public Backend {
 public:
  explicit AutoBackend(const BackendOptions& o) : tools_(std::make_shared<Tools>(o.log)) {
    tools_->vm = backend_with(kFallback).make(o);
    tools_->jit_fallback = backend_with(kFallback).make(o);  // the builder's own: used on its thread
    BackendOptions j = o;
    j.fallback = tools_->jit_fallback.get();
    j.cancel = &Builder::instance().cancel_token();
    j.log = &tools_->background;
    tools_->jit = backend_with(kCostlyCompile).make(j);
    tools_->policy = o.tier;
  }

  std::string_view name() const override { return "auto"; }

  std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit) override {
    std::vector<std::unique_ptr<Compiled>> vm = tools_->vm->compile(unit);
    auto u = std::make_shared<TierUnit>();
    u->unit = unit;
    u->tools = tools_;
    std::vector<std::unique_ptr<Compiled>> out;
    for (std::size_t k = 0; k < vm.size(); ++k) out.push_back(std::make_unique<TieredCompiled>(u, k, std::move(vm[k])));
    if (tools_->policy == TierPolicy::at_once || tools_->policy == TierPolicy::wait)
      u->build_wanted.store(true, std::memory_order_release);
    Builder& b = Builder::instance();
    std::string off = b.disabled();
    if (off.empty() && !b.submit(u)) off = "the jit's build queue is full";
    std::unique_lock lock(u->mu);
    if (!off.empty()) {
      u->set_stage(Stage::vm_for_good, "the jit is off in this process: " + off);
      if (tools_->log && tools_->log->wants_detail()) tools_->log->detail("auto: the vm runs it (" + u->why_vm + ")");
    } else {
      u->set_stage(u->stage);  // members follow build_wanted
    }
    if (tools_->policy == TierPolicy::wait)
      u->done.wait(lock, [&] { return u->stage == Stage::jit || u->stage == Stage::vm_for_good; });
    return out;
  }

  std::string listing(const ir::Unit& unit) override { return tools_->vm->listing(unit); }

 private:
  std::shared_ptr<Tools> tools_;
};

}  // namespace

std::unique_ptr<Backend> make_auto_backend(const BackendOptions& options) {
  return std::make_unique<AutoBackend>(options);
}

}  // namespace exprjit
