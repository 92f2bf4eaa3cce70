// stack_vm.hpp — a stack-machine prototype of the VM, kept only to measure the register
// design against (docs/design.md "Register or stack").  Not a backend: same operations
// (expanded from backends/vm/opcodes.def), same folding, same computed-goto dispatch;
// only the machine model differs.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit::bench {

// immediates: binary operations may take their right operand from a constant or a
// variable (ADD_K, ADD_V), the stack analogue of the register VM's operand shapes.
std::unique_ptr<Compiled> compile_stack_vm(const Expr& checked, std::size_t nslots, bool immediates);

}  // namespace exprjit::bench
