// translate.hpp — a checked expression written out in another language, for the
// benchmark's peers: C++ (the native reference, generated at build time by gen_native.cpp),
// Lua (LuaJIT) and muparser's syntax.  Every form is fully parenthesised and follows the
// language's semantics (docs/language.md): comparisons give 1 or 0, `&&`/`||`/`?:` test
// "not equal to 0" (nan is true), `%` is C fmod, `^` is C pow, min/max/sign/clamp are
// exprjit::rt's, variadic min/max fold left to right.  Numbers are printed so they read back
// exactly (C++: hex floats; Lua and muparser: %.17g).
#pragma once
#include <string>

#include "frontend/ast.hpp"

namespace exprjit::bench {

// Thrown when the target cannot express a construct (e.g. muparser has no fmod); what()
// is the reason shown in the report.
struct Untranslatable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// C++ over `const double* v` (row) or `const double* const* c` at row `i` (batch).
std::string to_cpp(const Expr& checked, bool batch);

// Lua over the parameters v0 .. v<n-1>; helper functions it calls (ej_sign, ej_min, ...)
// and C functions reached through the FFI come from lua_prelude().
std::string to_lua(const Expr& checked);
std::string lua_prelude();

// muparser syntax over the corpus's variable names (bound with DefineVar) and its
// built-in functions; throws Untranslatable for what muparser lacks.
std::string to_muparser(const Expr& checked);

}  // namespace exprjit::bench
