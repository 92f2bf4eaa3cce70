// engines.cpp — the engine table.
#include "bench/engines.hpp"

#include "backends/vm/vm.hpp"
#include "bench/stack_vm.hpp"

namespace exprjit::bench {
namespace {

Engine backend(const char* name, const char* description) {
  return {name, description, false,
          [name = std::string(name)](const std::string&, const Expr& e, const std::vector<std::string>& names) {
            return find_backend(name)->make({})->compile(e, names.size());
          }};
}

Engine vm_variant(const char* name, const char* description, bool design, vm::Options o, vm::Dispatch d) {
  return {name, description, design,
          [o, d](const std::string&, const Expr& e, const std::vector<std::string>& names) {
            return vm::compile(e, names.size(), o, d);
          }};
}

Engine stack(const char* name, const char* description, bool immediates) {
  return {name, description, true,
          [immediates](const std::string&, const Expr& e, const std::vector<std::string>& names) {
            return compile_stack_vm(e, names.size(), immediates);
          }};
}

std::vector<Engine> make_engines() {
  std::vector<Engine> out;
  out.push_back(backend("tree", "tree-walking interpreter (backends/tree)"));
  out.push_back(backend("vm", "bytecode VM as shipped (backends/vm)"));
  out.push_back(vm_variant("vm-switch", "vm with the portable switch dispatch loop", false, {},
                           vm::Dispatch::switch_loop));
  const vm::Dispatch d = vm::default_dispatch();
  out.push_back(vm_variant("vm-nofuse", "vm without superinstructions", true, {.fuse = false}, d));
  out.push_back(vm_variant("vm-noshapes", "vm without K/V operand shapes (LOADK/LOADV first)", true,
                           {.shapes = false}, d));
  out.push_back(vm_variant("vm-bare", "vm without shapes, superinstructions or folding", true,
                           {.fold = false, .shapes = false, .fuse = false}, d));
  out.push_back(vm_variant("vm-nofold", "vm without constant folding", true, {.fold = false}, d));
  out.push_back(stack("stack", "stack-machine prototype: PUSHK/PUSHV and plain operations", false));
  out.push_back(stack("stack-imm", "stack-machine prototype with constant/variable right operands", true));
  return out;
}

}  // namespace

const std::vector<Engine>& engines() {
  static const std::vector<Engine> table = make_engines();
  return table;
}

const Engine* find_engine(const std::string& name) {
  for (const Engine& e : engines())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace exprjit::bench
