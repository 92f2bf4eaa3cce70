// compiler.hpp — checked tree -> register bytecode (isa/bytecode.hpp).
#pragma once
#include "backends/vm/isa/bytecode.hpp"
#include "frontend/ir/ir.hpp"

namespace exprjit::vm {

// What the compiler may do.  The defaults are what the vm backend uses; the others exist so
// the tests can check that each transformation leaves every result unchanged, and so the
// benchmark can measure what each one is worth (docs/design.md).  Constant folding happens
// before, on the checked tree (frontend/ir/fold.hpp), for every backend alike.
struct Options {
  bool shapes = true;  // constant and variable operands in place (else LOADK/LOADV first)
  bool fuse = true;    // superinstructions (FUSED in opcodes.def)
  bool batch = false;  // for batch evaluation: '?:' becomes SEL (no jumps)
};

// Compiles e (an expression of the unit, or a language function's body, whose parameters
// become V operands) against the module's callees (the unit's functions and hosts, in its
// order).  Throws CompileError (at the expression's start) only if a count would not fit
// the 32-bit operand fields.
Program compile_program(const ir::Expr& e, const ir::Unit& unit, const Module& module, const Options& options = {});

// The module of a unit: its host functions and its language functions, compiled.
std::shared_ptr<const Module> compile_module(const ir::Unit& unit, const Options& options = {});

}  // namespace exprjit::vm
