// ast.hpp — the abstract syntax tree: a closed std::variant of node kinds, each with a span.
//
// The parsers (parser.cpp, lalr_parser.cpp) build it with Name and Call nodes as written;
// the checker (check.cpp) resolves each Name into a Variable (slot) or a Constant and each
// Call to its Builtin, in place.  Backends visit the checked tree with std::visit.
//
// Height is bounded by kMaxDepth (limits.hpp), so the recursive passes below and in the
// backends, and the destructor, cannot exhaust the stack.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "builtins.hpp"
#include "token.hpp"

namespace exprjit {

enum class UnOp : std::uint8_t {
#define UNOP(id, tok, sym, meaning) id,
#include "operators.def"
};
enum class BinOp : std::uint8_t {
#define BINOP(id, tok, sym, exact, meaning) id,
#include "operators.def"
};
std::string_view unop_symbol(UnOp op);
std::string_view binop_symbol(BinOp op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Number { double value; };                          // 1.5   (value already rounded)
struct Name { std::string name; };                        // a     (as parsed, unresolved)
struct Variable { std::string name; std::uint32_t slot; }; // a     (checked: slot in vars[])
struct Constant { std::string name; double value; };      // pi    (checked)
struct Unary { UnOp op; ExprPtr operand; };               // -x  +x  !x
struct Binary { BinOp op; ExprPtr lhs, rhs; };            // x + y ...
struct Conditional { ExprPtr cond, then_expr, else_expr; };  // c ? a : b
struct Call {                                             // f(a, b)
  std::string name;
  Span name_span;
  std::vector<ExprPtr> args;
  const Builtin* fn = nullptr;  // set by the checker
};

using Node = std::variant<Number, Name, Variable, Constant, Unary, Binary, Conditional, Call>;

struct Expr {
  Span span;  // from the first to the last byte of the expression (parentheses excluded)
  Node node;
};

template <class T>
ExprPtr make_expr(Span span, T node) {
  return std::make_unique<Expr>(Expr{span, Node{std::move(node)}});
}

// A statement of a session line: `name = expr` or `expr`.
struct Statement {
  std::optional<std::string> target;  // assigned variable, if any
  Span target_span;
  ExprPtr expr;
};

// Deep copy.
ExprPtr clone(const Expr& e);

// Canonical one-line printout used to compare the two parsers:
//   (+ 1 (* 2 a))  numbers as C hex floats so equal text means equal bits;
//   with spans, each node is followed by @offset:end.
std::string to_sexpr(const Expr& e, bool with_spans = false);
std::string to_sexpr(const std::vector<Statement>& stmts, bool with_spans = false);

// Indented tree for --emit=ast, one node per line.
std::string to_tree(const Expr& e);

// Height of the tree (a leaf has height 1).
std::size_t height(const Expr& e);

}  // namespace exprjit
