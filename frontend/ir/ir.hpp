// ir.hpp — the checked tree: what the checker (check/check.hpp) makes of a parsed tree and
// what every backend compiles.  It has no unresolved names: a variable is a slot, a
// constant a number, a call names its callee (a built-in, a host function registered from
// C++, or a function defined in the language), '^' with an integer-literal exponent is
// PowInt, any other '^' a call of pow, and unary '+' is gone.
//
// Walks use std::visit with Overload (base/visit.hpp), one handler per kind, or
// for_each_child below: a new kind is a compile error wherever it is not handled.  Height
// is bounded by kMaxDepth, as in the parsed tree (chains are one node).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "frontend/base/pos.hpp"
#include "frontend/base/visit.hpp"
#include "frontend/lang/builtins.hpp"
#include "frontend/lang/operators.hpp"

namespace exprjit::ir {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A function registered by the host program (exprjit::Symbols::bind_function): the
// signature and the call, never its text.  Immutable; shared by every unit that calls it.
struct HostFunction {
  enum class Form : std::uint8_t {
    typed,    // double f(double, ...) with exactly `arity` arguments (0 .. kMaxTypedArity)
    general,  // double f(const double* args, std::size_t n, void* user), min_args .. max_args
  };
  static constexpr int kMaxTypedArity = 8;

  std::string name;
  Form form = Form::typed;
  int min_args = 0, max_args = 0;  // typed: both the arity; general: max 0 = any number >= min
  void* fn = nullptr;              // the function (cast by form)
  void* user = nullptr;            // general: passed as its third argument
  bool pure = false;               // same arguments, same result: may be folded
  bool nothrow = false;            // declared noexcept: called without an exception guard

  bool accepts(std::size_t n) const {
    return n >= static_cast<std::size_t>(min_args) && (max_args == 0 || n <= static_cast<std::size_t>(max_args));
  }
  double call(const double* args, std::size_t n) const;  // may throw what the function throws
};
using HostRef = std::shared_ptr<const HostFunction>;

struct Function;
using FunctionRef = std::shared_ptr<const Function>;

// What a call calls.
using Callee = std::variant<const Builtin*, HostRef, FunctionRef>;

struct Number { double value; };                  // a literal or a constant (pi), as a double
struct Variable { std::uint32_t slot; };          // vars[slot]
struct Param { std::uint32_t index; };            // a parameter, in a function's body
struct Unary { UnOp op; ExprPtr operand; };       // -x  !x
struct Link { BinOp op; ExprPtr rhs; };
struct Chain { ExprPtr first; std::vector<Link> rest; };  // ((first op1 r1) op2 r2) ...
struct PowInt { ExprPtr base; int n; };           // base ^ n, n an integer literal, |n| <= 64
struct Conditional { ExprPtr cond, then_expr, else_expr; };  // only the chosen arm is evaluated
struct Call { Callee callee; std::vector<ExprPtr> args; };

using Node = std::variant<Number, Variable, Param, Unary, Chain, PowInt, Conditional, Call>;

struct Expr {
  Span span;  // of the source text (diagnostics of backend limits point here)
  Node node;
};

template <class T>
ExprPtr make(Span span, T node) {
  return std::make_unique<Expr>(Expr{span, Node{std::move(node)}});
}

// A function defined in the language (`f(x, y) = x^2 + y`), checked: its body reads only its
// parameters and calls only built-ins, host functions and functions defined before it, so
// the functions of a program form a DAG and need no stack of their own.  Immutable; a later
// definition of the same name is a new Function.
struct Function {
  std::string name;
  std::vector<std::string> params;
  ExprPtr body;
  std::string text;          // the definition as written, for listings ("f(x, y) = x^2 + y")
  std::size_t depth = 0;     // the body's height, with each call counting its callee's depth
  std::uint64_t serial = 0;  // unique in the process: tells two definitions of one name apart
};

// What a backend compiles: expressions over nslots variable slots, with every language
// function they reach (callees before callers) and every host function they call.
struct Unit {
  std::vector<std::shared_ptr<const Expr>> exprs;  // shared: compiled code may keep them
  std::size_t nslots = 0;
  std::vector<std::string> slot_names;  // for listings ("" where unknown)
  std::vector<FunctionRef> functions;   // reachable language functions, callees first
  std::vector<HostRef> hosts;           // called host functions, in order of first call

  // Fills functions and hosts from exprs.
  void collect_callees();
  std::size_t function_index(const Function* f) const;  // position in functions
  std::size_t host_index(const HostFunction* h) const;  // position in hosts
};

// Calls f(const Expr&) on each direct child of e, in evaluation order.
template <class F>
void for_each_child(const Expr& e, F&& f) {
  std::visit(Overload{
                 [](const Number&) {},
                 [](const Variable&) {},
                 [](const Param&) {},
                 [&](const Unary& u) { f(*u.operand); },
                 [&](const Chain& c) {
                   f(*c.first);
                   for (const Link& l : c.rest) f(*l.rhs);
                 },
                 [&](const PowInt& p) { f(*p.base); },
                 [&](const Conditional& c) { f(*c.cond), f(*c.then_expr), f(*c.else_expr); },
                 [&](const Call& c) {
                   for (const ExprPtr& a : c.args) f(*a);
                 },
             },
             e.node);
}

// The name a callee is called by.
std::string_view callee_name(const Callee& c);

// Whether e contains a conditional (the vm compiles such an expression twice).
bool has_conditional(const Expr& e);

// Whether e is a number (after folding: constant).
inline const Number* as_number(const Expr& e) { return std::get_if<Number>(&e.node); }

// Indented listing of a checked tree, one node per line (tests, debugging):
//   Chain
//     Variable a #0
//     + Number 1
std::string to_tree(const Expr& e, const std::vector<std::string>& slot_names = {},
                    const std::vector<std::string>& param_names = {});

}  // namespace exprjit::ir
