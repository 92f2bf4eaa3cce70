// check.hpp — name resolution and the checked tree: a parsed tree (syntax/ast.hpp) in, a
// tree of ir/ir.hpp out, or a CompileError at the offending name.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "frontend/check/scope.hpp"
#include "frontend/ir/ir.hpp"
#include "frontend/syntax/ast.hpp"

namespace exprjit {

// What names mean to the checker besides the built-ins and the constants (pi, e).
struct Names {
  const Scope* variables = nullptr;              // the variables, with their slots
  const Functions* functions = nullptr;          // host and language functions
  const std::vector<std::string>* params = nullptr;  // in a function's body: its parameters
  std::string_view defining;                     // in a function's body: its own name
};

// Checks e against names: every Name becomes a Variable (slot), a Param or a Number (pi, e);
// every call finds its callee and is checked for arity; an integer-literal exponent makes
// PowInt.  Throws CompileError at the name's position for an unknown variable or function,
// a wrong argument count, a function used as a value or a value called as a function, a
// function calling itself, and nesting deeper than kMaxDepth with calls counted.
ir::ExprPtr check(const syntax::Expr& e, const Names& names);

// Throws CompileError at `at` when name may not be assigned: the constants (pi, e), the
// built-in functions and the functions in names.
void check_assignable(std::string_view name, Pos at, const Names& names);

// Checks a definition statement (`f(x, y) = body`): the name may not be a constant, a
// built-in or a variable of names; parameters must be distinct and not constants or
// built-in functions; the body reads only the parameters (and pi, e) and calls built-ins and
// the functions in names (a function defined later, or itself, is not there: no recursion).
// source is the line the statement was parsed from (the definition's text is kept for
// listings); fold: fold the body's constants (frontend/ir/fold.hpp).
ir::FunctionRef check_definition(const syntax::Statement& def, const Names& names, std::string_view source, bool fold = true);

// The integer n when e is an integer-literal exponent (docs/language.md): a number whose
// value is an integer with |n| <= 64, under any unary '-' or '+' (and parentheses).
std::optional<int> integer_literal_exponent(const syntax::Expr& e);

}  // namespace exprjit
