// vm.hpp — the bytecode VM backend: compile (compile/), evaluate one row or many (run/),
// list (isa/disasm.hpp).
//   isa/      the instruction set: opcodes.def, the Program format, the listing
//   compile/  checked tree -> Program
//   run/      the dispatch loops (one row, two builds) and the batch loop
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/vm/compile/compiler.hpp"
#include "backends/vm/run/run.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_vm_backend(const BackendOptions&);

namespace vm {

// Compiles every expression of the unit into a Compiled whose eval() runs the
// single-evaluation program and eval_batch() the batch program.  Throws
// std::invalid_argument when dispatch is computed_goto in a build without it.
std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit, const Options& options = {},
                                               Dispatch dispatch = default_dispatch());

// What --emit=bytecode prints: the language functions' programs, then each expression's
// single-evaluation program and, when it has a conditional, its batch program too.
std::string listing(const ir::Unit& unit, const Options& options = {});

}  // namespace vm
}  // namespace exprjit
