// vm_configs.hpp — the VM variants every VM test runs: both dispatch loops, and each
// transformation switched off (constant folding, which happens on the checked tree before
// any backend; operand shapes; superinstructions), so a result that depended on one would
// show up as a difference.  And small helpers to compile one checked expression.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backends/vm/vm.hpp"
#include "tests/common/common.hpp"

namespace exprjit::test {

struct VmConfig {
  std::string name;
  vm::Options options;
  vm::Dispatch dispatch;
  bool fold = true;  // fold the checked tree first (frontend/ir/fold.hpp)
};

inline std::vector<VmConfig> vm_configs() {
  std::vector<VmConfig> out;
  const vm::Dispatch d = vm::default_dispatch();
  if (vm::have_computed_goto()) out.push_back({"goto", {}, vm::Dispatch::computed_goto, true});
  out.push_back({"switch", {}, vm::Dispatch::switch_loop, true});
  out.push_back({"no-fold", {}, d, false});
  out.push_back({"no-shapes", {.shapes = false}, d, true});
  out.push_back({"no-fuse", {.fuse = false}, d, true});
  out.push_back({"bare", {.shapes = false, .fuse = false}, vm::Dispatch::switch_loop, false});
  return out;
}

// The program of one checked expression, with the module its calls need (kept alive here).
struct VmProgram {
  ir::Unit unit;
  std::shared_ptr<const vm::Module> module;
  vm::Program program;
};
inline VmProgram vm_program(const Checked& c, const vm::Options& o = {}) {
  VmProgram p{c.unit(), nullptr, {}};
  p.module = vm::compile_module(p.unit, o);
  p.program = vm::compile_program(*p.unit.exprs[0], p.unit, *p.module, o);
  return p;
}
inline std::unique_ptr<Compiled> vm_compile(const Checked& c, const vm::Options& o = {},
                                            vm::Dispatch d = vm::default_dispatch()) {
  return std::move(vm::compile(c.unit(), o, d).front());
}
inline std::string vm_listing(const Checked& c, const vm::Options& o = {}) { return vm::listing(c.unit(), o); }

}  // namespace exprjit::test
