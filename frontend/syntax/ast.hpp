// ast.hpp — the parsed tree: what both parsers build, exactly as written (names unresolved).
//
// A closed std::variant of node kinds, each with a span.  The checker (check/check.hpp)
// turns it into the checked tree of ir/ir.hpp, which is what backends see.  Walks use
// std::visit with one handler per kind (visit.hpp's Overload), so a new kind is a compile
// error wherever it is not handled.
//
// Height is bounded by kMaxDepth (base/limits.hpp): a chain of one precedence level's
// operators is one node with a list, so its length does not count, and the recursive
// passes below stay within the stack.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "frontend/base/pos.hpp"
#include "frontend/base/visit.hpp"
#include "frontend/lang/operators.hpp"

namespace exprjit::syntax {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Number { double value; };                          // 1.5   (value already rounded)
struct Name { std::string name; };                        // a  pi (as written)
struct Unary { UnOp op; ExprPtr operand; };               // -x  +x  !x
struct Power { ExprPtr base, exponent; };                 // x ^ y  (right-associative)
struct Link {                                             // one "op operand" of a chain
  BinOp op;
  Pos at;  // the operator's position
  ExprPtr rhs;
};
struct Chain {                                            // a + b - c: one level, left to right
  ExprPtr first;
  std::vector<Link> rest;  // at least one; every op of the same level (operators.def)
};
struct Conditional { ExprPtr cond, then_expr, else_expr; };  // c ? a : b
struct Call {                                             // f(a, b)
  std::string name;
  Span name_span;
  std::vector<ExprPtr> args;
};

using Node = std::variant<Number, Name, Unary, Power, Chain, Conditional, Call>;

struct Expr {
  Span span;  // from the first to the last byte of the expression (parentheses excluded)
  Node node;
};

// Calls f(const Expr&) on each direct child of e, left to right (evaluation order).
template <class F>
void for_each_child(const Expr& e, F&& f);

template <class T>
ExprPtr make_expr(Span span, T node) {
  return std::make_unique<Expr>(Expr{span, Node{std::move(node)}});
}

// A statement of a session line:
//   expr                      evaluate
//   name = expr               assign a variable
//   name(p, q) = expr         define a function of its parameters
struct Statement {
  enum class Kind { evaluate, assign, define };
  Kind kind = Kind::evaluate;
  std::string name;                                 // assign, define
  Span name_span;
  std::vector<std::pair<std::string, Span>> params;  // define
  ExprPtr expr;                                     // the value, or the function's body
};

// Canonical one-line printout used to compare the two parsers:
//   (+ 1 (* 2 a))  numbers as C hex floats so equal text means equal bits; a chain prints
//   as the left-nested operations it means; with spans, each node is followed by
//   @offset:end (a chain's prefixes span from its first operand to their last).
std::string to_sexpr(const Expr& e, bool with_spans = false);
std::string to_sexpr(const std::vector<Statement>& stmts, bool with_spans = false);

// Indented tree for --emit=ast, one node per line; a chain lists its operands, each but
// the first after its operator.
std::string to_tree(const Expr& e);
std::string to_tree(const std::vector<Statement>& stmts);

// Height of the tree (a leaf has height 1).
std::size_t height(const Expr& e);

// The names an expression reads as variables, in order of first use, without the
// constants (pi, e) and without the names in `bound` (a function's parameters).
std::vector<std::string> free_variables(const Expr& e, const std::vector<std::string>& bound = {});

template <class F>
void for_each_child(const Expr& e, F&& f) {
  std::visit(Overload{
                 [](const Number&) {},
                 [](const Name&) {},
                 [&](const Unary& u) { f(*u.operand); },
                 [&](const Power& p) { f(*p.base), f(*p.exponent); },
                 [&](const Chain& c) {
                   f(*c.first);
                   for (const Link& l : c.rest) f(*l.rhs);
                 },
                 [&](const Conditional& c) { f(*c.cond), f(*c.then_expr), f(*c.else_expr); },
                 [&](const Call& c) {
                   for (const ExprPtr& a : c.args) f(*a);
                 },
             },
             e.node);
}

}  // namespace exprjit::syntax
