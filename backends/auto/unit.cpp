// unit.cpp — see unit.hpp.
#include "backends/auto/unit.hpp"

#include "backends/auto/builder.hpp"
#include "backends/auto/tiered.hpp"

namespace exprjit::tier {

void TierUnit::set_stage(Stage s, std::string why) {
  stage = s;
  if (s == Stage::vm_for_good) {
    why_vm = std::move(why);
    stage_is_final.store(true, std::memory_order_release);
  }
  for (TieredCompiled* m : members)
    if (m) m->follow();
  done.notify_all();
}

void TierUnit::want_build(const std::shared_ptr<TierUnit>& self, double spent, double ahead) {
  if (build_wanted.exchange(true, std::memory_order_acq_rel)) return;  // once
  bool submit = false;
  {
    std::lock_guard lock(mu);
    fired_spent = spent, fired_ahead = ahead;
    if (stage == Stage::cold) {
      set_stage(Stage::queued);
      submit = true;
    } else {
      set_stage(stage);  // lookup: the builder builds right after it; members stop counting
    }
  }
  if (submit && !Builder::instance().submit(self)) {
    std::lock_guard lock(mu);
    set_stage(Stage::vm_for_good, "the jit's build queue is full");
  }
}

}  // namespace exprjit::tier
