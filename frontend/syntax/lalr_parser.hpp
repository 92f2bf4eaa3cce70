// lalr_parser.hpp — the state shared by the Bison grammar (grammar.y) and its driver
// (lalr_parser.cpp).  Nothing here is global: each parse owns one Context, so the LALR
// parser can run many times and concurrently.  Users call lalr_parse_* (parser.hpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/ast.hpp"
#include "frontend/syntax/lexer.hpp"

namespace exprjit::lalr {

// Semantic values live in Bison's union, so they are trivial types holding raw owning
// pointers; grammar.y's %destructor frees them on error paths.
struct Sub {             // a parsed subtree and its height (a leaf has height 1)
  syntax::Expr* e;
  std::uint32_t h;
  std::int32_t open;     // the level of the chain it is while that may grow, else -1 (parser.cpp)
};
struct Args {            // call arguments and the greatest height among them
  std::vector<syntax::ExprPtr>* v;
  std::uint32_t h;
};
// Bison's location type: a Span, flat, because the skeleton initialises its default
// location as { 1, 1, 1, 1 } (a nested struct there draws clang's -Wmissing-braces).
struct Loc {
  std::uint32_t offset, line, col, end;
  Pos begin() const { return Pos{offset, line, col}; }
  Span span() const { return Span{begin(), end}; }
};

enum class Mode { expression, line };

class Context {
 public:
  Context(std::string_view text, Mode mode) : lexer(text), mode(mode) {}

  Lexer lexer;
  Mode mode;
  bool started = false;   // the first yylex call returns the start token of the mode
  Token last;             // the token most recently read (the lookahead at an error)

  // The first error; rethrown by the driver after yyparse returns.
  std::optional<CompileError> error;
  // A depth error found while the parser had not yet read the next token.  The
  // hand-written parser reads that token before it checks depth, so a lexical error
  // there wins; yylex reports this one only after the next token lexed cleanly.
  std::optional<CompileError> pending;

  std::size_t depth = 0;  // open nesting levels, counted like the RD parser's Nest guards

  syntax::ExprPtr result;                // Mode::expression
  std::vector<syntax::Statement> stmts;  // Mode::line
  syntax::Statement head;                // the statement whose right side is being parsed

  std::string text(const Span& s) const;
  std::string text(const Loc& l) const { return text(l.span()); }

  // One more nesting level opened by the token at `at` ('(', a prefix operator, '^',
  // '?', a call's '(').  False: abort the parse now (error recorded).
  bool open(const Pos& at, bool lookahead_read);
  void close() { --depth; }

  // Node builders: take ownership of the children, check the height against kMaxDepth
  // (error at `at`, where the RD parser reports it).  False: abort now (the new node has
  // been freed with its children, the error recorded).
  bool leaf(Sub& out, const Loc& tok, syntax::Node n);
  bool unary(Sub& out, UnOp op, const Loc& op_tok, Sub operand, bool lookahead_read);
  bool power(Sub& out, Sub base, const Loc& op_tok, Sub exponent, bool lookahead_read);
  // lhs op rhs at a binary level: a new chain, or one more link of the chain lhs is.
  bool link(Sub& out, int level, BinOp op, Sub lhs, const Loc& op_tok, Sub rhs, bool lookahead_read);
  bool conditional(Sub& out, Sub cond, const Loc& q_tok, Sub a, Sub b, bool lookahead_read);
  bool call(Sub& out, const Loc& name, Args args, const Loc& rparen, bool lookahead_read);

  // Statements.  begin_head checks the left side of '=' (syntax::statement_head) as soon as
  // '=' is read, as the RD parser does; the tree stays on Bison's stack (the names are
  // moved out) and end_statement frees it.  False: abort now (error recorded).
  void evaluate(Sub e);
  bool begin_head(Sub lhs, const Loc& lhs_loc, const Loc& eq);
  void end_statement(Sub lhs, Sub value);

 private:
  bool build(Sub& out, Span span, syntax::Node n, std::size_t h, const Pos& at, bool lookahead_read);
  bool too_deep(const Pos& at, bool lookahead_read);
};

}  // namespace exprjit::lalr
