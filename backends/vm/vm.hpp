// vm.hpp — the bytecode VM backend: compile (compiler.hpp), evaluate one row (run_goto /
// run_switch) or many (run_batch), list (disasm.hpp).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/vm/compiler.hpp"
#include "backends/vm/run.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_vm_backend(const BackendOptions&);

namespace vm {

// Compiles a checked expression into a Compiled whose eval() runs the single-evaluation
// program and eval_batch() the batch program.  Throws std::invalid_argument when dispatch
// is computed_goto in a build without it.
std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots, const Options& options = {},
                                  Dispatch dispatch = default_dispatch());

// The variable names by slot, as the checked expression's Variable nodes carry them (a slot
// the expression does not read gets an empty name).
std::vector<std::string> slot_names(const Expr& checked, std::size_t nslots);

// What --emit=bytecode prints: the single-evaluation program and, when the expression has
// a conditional, the batch program too.
std::string listing(const Expr& checked, std::size_t nslots, const Options& options = {});

}  // namespace vm
}  // namespace exprjit
