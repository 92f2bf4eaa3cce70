// vm_configs.hpp — the VM variants every VM test runs: both dispatch loops, and the
// compiler with each transformation switched off, so a result that depended on folding,
// operand shapes or superinstructions would show up as a difference.
#pragma once
#include <string>
#include <vector>

#include "backends/vm/run.hpp"
#include "backends/vm/vm.hpp"

namespace exprjit::test {

struct VmConfig {
  std::string name;
  vm::Options options;
  vm::Dispatch dispatch;
};

inline std::vector<VmConfig> vm_configs() {
  std::vector<VmConfig> out;
  const vm::Dispatch d = vm::default_dispatch();
  if (vm::have_computed_goto()) out.push_back({"goto", {}, vm::Dispatch::computed_goto});
  out.push_back({"switch", {}, vm::Dispatch::switch_loop});
  out.push_back({"no-fold", {.fold = false}, d});
  out.push_back({"no-shapes", {.shapes = false}, d});
  out.push_back({"no-fuse", {.fuse = false}, d});
  out.push_back({"bare", {.fold = false, .shapes = false, .fuse = false}, vm::Dispatch::switch_loop});
  return out;
}

}  // namespace exprjit::test
