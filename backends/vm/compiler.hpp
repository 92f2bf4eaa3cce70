// compiler.hpp — checked AST -> register bytecode (bytecode.hpp).
#pragma once
#include "backends/vm/bytecode.hpp"
#include "frontend/ast.hpp"

namespace exprjit::vm {

// What the compiler may do.  The defaults are what the vm backend uses; the others exist so
// the tests can check that each transformation leaves every result unchanged, and so the
// benchmark can measure what each one is worth (docs/design.md).
struct Options {
  bool fold = true;    // evaluate constant subexpressions at compile time
  bool shapes = true;  // constant and variable operands in place (else LOADK/LOADV first)
  bool fuse = true;    // superinstructions (FUSED in opcodes.def)
  bool batch = false;  // for batch evaluation: '?:' becomes SEL (no jumps)
};

// Compiles a checked expression.  Throws CompileError (at the expression's start) only if
// a count would not fit the 32-bit operand fields.
Program compile_program(const Expr& checked, const Options& options = {});

// True when the expression contains a conditional, i.e. when the batch program differs
// from the single-evaluation one.
bool has_conditional(const Expr& checked);

}  // namespace exprjit::vm
