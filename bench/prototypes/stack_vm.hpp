// stack_vm.hpp — a stack-machine prototype of the VM, kept only to measure the register
// design against (docs/design.md "Register or stack").  Not a backend: same operations
// (expanded from backends/vm/isa/opcodes.def), the same folded tree, the same
// computed-goto dispatch; only the machine model differs.
#pragma once
#include <memory>

#include "frontend/ir/ir.hpp"

namespace exprjit::bench {

struct StackCode;

class StackProgram {
 public:
  // immediates: binary operations may take their right operand from a constant or a
  // variable (ADD_K, ADD_V), the stack analogue of the register VM's operand shapes.
  // Built-in functions only.
  StackProgram(const ir::Expr& folded, bool immediates);
  double eval(const double* vars) const;

 private:
  std::shared_ptr<const StackCode> p_;
};

}  // namespace exprjit::bench
