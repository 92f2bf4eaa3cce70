// translate.hpp — the one translator of the benchmark: a checked expression (the front end's
// tree, frontend/ir) written out in another language, for the evaluators that are not
// exprjit: C++ (the native reference, generated at build time by gen_native.cpp), Lua
// (LuaJIT), muparser's and ExprTk's syntax.  Every form is fully parenthesised and follows
// the language's semantics (docs/language.md): comparisons give 1 or 0, `&&`/`||`/`?:` test
// "not equal to 0" (nan is true), `%` is C fmod, `^` is C pow except for an integer-literal
// exponent (the spec's multiplication chain in C++; the peer's own power elsewhere, which
// the gate compares within its tolerance), min/max/sign/clamp are exprjit::rt's, variadic
// min/max fold left to right.  Numbers are printed so that they read back exactly (C++:
// hex floats; the others: %.17g).
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ir/ir.hpp"

namespace exprjit::bench {

// Thrown when the target cannot express a construct (muparser has no fmod); what() is the
// reason shown in the report.
struct Untranslatable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The front end on one text over the variables names (slot order), unfolded: each peer
// gets the expression as written and folds what its own optimiser folds.  Throws the
// front end's CompileError.
ir::ExprPtr check_text(std::string_view text, const std::vector<std::string>& names);

// C++ over `const double* v` (row) or `const double* const* c` at row `i` (batch).
std::string to_cpp(const ir::Expr& e, bool batch);

// Lua over the parameters v0 .. v<n-1>; helper functions it calls (ej_sign, ej_min, ...)
// and C functions reached through the FFI come from lua_prelude().
std::string to_lua(const ir::Expr& e);
std::string lua_prelude();

// muparser and ExprTk syntax over the variables' names (each peer binds them by address);
// throws Untranslatable for what the peer lacks.
std::string to_muparser(const ir::Expr& e, const std::vector<std::string>& names);
std::string to_exprtk(const ir::Expr& e, const std::vector<std::string>& names);

}  // namespace exprjit::bench
