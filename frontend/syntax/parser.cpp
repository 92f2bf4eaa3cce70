// parser.cpp — the hand-written recursive-descent parser (precedence climbing for the
// binary levels, which build chains).  The grammar rule each function parses is written
// above it.  The Bison grammar (grammar.y) is the executable reference; tests check both
// build the same tree.
#include "frontend/syntax/parser.hpp"

#include <algorithm>

#include "frontend/base/diagnostic.hpp"
#include "frontend/base/limits.hpp"
#include "frontend/syntax/lexer.hpp"

namespace exprjit {

namespace syntax {

void statement_head(Statement& s, Expr& lhs, std::uint32_t start, Pos eq) {
  auto bad = [&] {
    throw CompileError("the left side of '=' must be a variable name (x = 1) or a function head (f(x, y) = x*y)", eq);
  };
  if (lhs.span.begin.offset != start) bad();  // (a) = 1
  if (auto* n = std::get_if<Name>(&lhs.node)) {
    s.kind = Statement::Kind::assign;
    s.name = std::move(n->name);
    s.name_span = lhs.span;
    return;
  }
  auto* c = std::get_if<Call>(&lhs.node);
  if (!c) bad();
  s.kind = Statement::Kind::define;
  s.name = std::move(c->name);
  s.name_span = c->name_span;
  for (ExprPtr& a : c->args) {
    auto* p = std::get_if<Name>(&a->node);
    if (!p) throw CompileError("a parameter of '" + s.name + "' must be a name, as in " + s.name + "(x, y) = ...",
                               a->span.begin);
    s.params.emplace_back(std::move(p->name), a->span);
  }
}

}  // namespace syntax

namespace {

using namespace syntax;

// A parsed subtree, its height (so that depth is checked as nodes are built), and the level
// of the chain it is, while that chain may still grow (-1: not an open chain; parentheses
// close one, so (a+b)+c is two chains, as written).
struct Parsed {
  ExprPtr e;
  std::size_t h = 1;
  int open = -1;
};

// The binary levels (operators.def's LEVEL), lowest first; each is left-associative:
//   or  := and ( '||' and )*
//   and := cmp ( '&&' cmp )*
//   cmp := add ( ( '<' | '<=' | '>' | '>=' | '==' | '!=' ) add )*
//   add := mul ( ( '+' | '-' ) mul )*
//   mul := unary ( ( '*' | '/' | '%' ) unary )*
int level_of(Tok t) {
  switch (t) {
#define BINOP(id, tok, sym, level, meaning) \
  case Tok::tok:                            \
    return level;
#include "frontend/lang/operators.def"
    default: return -1;  // not a binary operator: ends every level
  }
}

BinOp binop_of(Tok t) {
  switch (t) {
#define BINOP(id, tok, sym, level, meaning) \
  case Tok::tok:                            \
    return BinOp::id;
#include "frontend/lang/operators.def"
    default: return BinOp::Add;  // unreachable: callers check level_of first
  }
}

std::string describe(const Token& t, std::string_view src) {
  if (t.kind == Tok::NUMBER || t.kind == Tok::IDENT) {
    std::string_view text = src.substr(t.span.begin.offset, t.span.end - t.span.begin.offset);
    if (text.size() > 40) return std::string(tok_description(t.kind));
    return std::string(tok_description(t.kind)) + " '" + std::string(text) + "'";
  }
  return std::string(tok_description(t.kind));
}

// The recursive functions (expr, binary, unary, power, primary) keep their frames small:
// building nodes and composing error messages happen in separate functions that are never
// inlined, so their locals are not on the stack while the parser recurses.  That is what
// lets kMaxDepth levels fit in the default stack even in sanitizer builds.
#define EXPRJIT_OUTLINE [[gnu::noinline]]

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) { tok_ = lex_.next(); }

  // whole := expr END
  ExprPtr whole_expression() {
    Parsed p = expr();
    if (tok_.kind == Tok::ASSIGN) fail_assign();
    expect_end();
    return std::move(p.e);
  }

  // line := ( statement ( ';' statement )* ';'? )? END
  std::vector<Statement> line() {
    std::vector<Statement> out;
    if (tok_.kind == Tok::END) return out;
    for (;;) {
      out.push_back(statement());
      if (tok_.kind != Tok::SEMI) break;
      advance();
      if (tok_.kind == Tok::END) break;
    }
    expect_end();
    return out;
  }

 private:
  Lexer lex_;
  Token tok_;
  std::size_t depth_ = 0;

  std::string_view src() const { return lex_.text(); }
  std::string text_of(const Token& t) const {
    return std::string(src().substr(t.span.begin.offset, t.span.end - t.span.begin.offset));
  }

  EXPRJIT_OUTLINE void advance() { tok_ = lex_.next(); }

  // ---- errors (out of line: see above) ----
  [[noreturn]] EXPRJIT_OUTLINE void fail(const std::string& msg, std::optional<Pos> related = std::nullopt) const {
    throw CompileError(msg, tok_.span.begin, related);
  }
  [[noreturn]] EXPRJIT_OUTLINE void too_deep(Pos at) const {
    throw CompileError("expression nests too deeply (limit " + std::to_string(kMaxDepth) + " levels)", at);
  }
  [[noreturn]] EXPRJIT_OUTLINE void fail_assign() const {
    fail("'=' assigns only at the start of a session line (REPL or -f), found '='");
  }
  [[noreturn]] EXPRJIT_OUTLINE void fail_expected_expression() const {
    fail("expected an expression, found " + describe(tok_, src()));
  }
  [[noreturn]] EXPRJIT_OUTLINE void fail_close_paren(Pos open) const {
    fail("expected ')' to close '(' at {at}, found " + describe(tok_, src()), open);
  }
  [[noreturn]] EXPRJIT_OUTLINE void fail_colon(Pos question) const {
    fail("expected ':' of the conditional started by '?' at {at}, found " + describe(tok_, src()), question);
  }
  [[noreturn]] EXPRJIT_OUTLINE void fail_call_args(const std::string& name, Pos open) const {
    fail("expected ',' or ')' after an argument of '" + name + "(' at {at}, found " + describe(tok_, src()), open);
  }
  void expect_end() {
    if (tok_.kind != Tok::END) fail("expected an operator or the end of the expression, found " + describe(tok_, src()));
  }

  // Every recursive descent into a sub-expression passes through one of these guards.
  struct Nest {
    Parser& p;
    Nest(Parser& parser, Pos at) : p(parser) {
      if (++p.depth_ > kMaxDepth) p.too_deep(at);
    }
    ~Nest() { --p.depth_; }
  };

  // ---- node builders (out of line: see above) ----
  template <class T>
  EXPRJIT_OUTLINE Parsed node(Span span, T&& n, std::size_t h, Pos at) {
    if (h > kMaxDepth) too_deep(at);
    return Parsed{std::make_unique<Expr>(Expr{span, Node{std::forward<T>(n)}}), h};
  }
  // lhs op rhs at one binary level: a new chain, or one more link of the chain lhs is.
  EXPRJIT_OUTLINE Parsed link(int level, Tok op, Pos at, Parsed lhs, Parsed rhs) {
    const std::size_t h = std::max(lhs.h, rhs.h + 1);
    if (h > kMaxDepth) too_deep(at);
    if (lhs.open == level) {
      lhs.e->span.end = rhs.e->span.end;
      std::get<Chain>(lhs.e->node).rest.push_back(Link{binop_of(op), at, std::move(rhs.e)});
      lhs.h = h;
      return lhs;
    }
    Span span{lhs.e->span.begin, rhs.e->span.end};
    Chain c{std::move(lhs.e), {}};
    c.rest.push_back(Link{binop_of(op), at, std::move(rhs.e)});
    Parsed p = node(span, std::move(c), 1 + std::max(lhs.h, rhs.h), at);
    p.open = level;
    return p;
  }
  EXPRJIT_OUTLINE Parsed make_power(Pos at, Parsed base, Parsed exponent) {
    Span span{base.e->span.begin, exponent.e->span.end};
    std::size_t h = 1 + std::max(base.h, exponent.h);
    return node(span, Power{std::move(base.e), std::move(exponent.e)}, h, at);
  }
  EXPRJIT_OUTLINE Parsed make_unary(UnOp op, Pos at, Parsed operand) {
    Span span{at, operand.e->span.end};
    std::size_t h = operand.h + 1;
    return node(span, Unary{op, std::move(operand.e)}, h, at);
  }
  EXPRJIT_OUTLINE Parsed make_conditional(Pos at, Parsed c, Parsed a, Parsed b) {
    Span span{c.e->span.begin, b.e->span.end};
    std::size_t h = 1 + std::max({c.h, a.h, b.h});
    return node(span, Conditional{std::move(c.e), std::move(a.e), std::move(b.e)}, h, at);
  }
  EXPRJIT_OUTLINE Parsed make_leaf(const Token& t) {
    if (t.kind == Tok::NUMBER) return node(t.span, Number{t.number}, 1, t.span.begin);
    return node(t.span, Name{text_of(t)}, 1, t.span.begin);
  }

  // statement := IDENT '=' expr | IDENT '(' params? ')' '=' expr | expr
  // The left side of '=' is read as an expression and then checked (statement_head).
  Statement statement() {
    Statement s;
    const std::uint32_t start = tok_.span.begin.offset;
    Parsed first = expr();
    if (tok_.kind != Tok::ASSIGN) {
      s.expr = std::move(first.e);
      return s;
    }
    statement_head(s, *first.e, start, tok_.span.begin);
    advance();  // '='
    s.expr = expr().e;
    return s;
  }

  // expr := or ( '?' expr ':' expr )?
  EXPRJIT_OUTLINE Parsed expr() {
    Parsed c = binary(0);
    if (tok_.kind != Tok::QUESTION) return c;
    Pos q = tok_.span.begin;
    advance();
    Nest nest(*this, q);
    Parsed a = expr();
    if (tok_.kind != Tok::COLON) fail_colon(q);
    advance();
    Parsed b = expr();
    return make_conditional(q, std::move(c), std::move(a), std::move(b));
  }

  // or .. mul (the table above level_of), by precedence climbing: one function for the
  // five left-associative levels keeps the recursion per nesting level short, and the
  // operands of one level are collected by the loop, however many.
  EXPRJIT_OUTLINE Parsed binary(int min_level) {
    Parsed lhs = unary();
    for (int level = level_of(tok_.kind); level >= min_level; level = level_of(tok_.kind)) {
      Tok op = tok_.kind;
      Pos at = tok_.span.begin;
      advance();
      Parsed rhs = binary(level + 1);
      lhs = link(level, op, at, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  // unary := ( '-' | '+' | '!' ) unary | power
  EXPRJIT_OUTLINE Parsed unary() {
    UnOp op;
    switch (tok_.kind) {
      case Tok::MINUS: op = UnOp::Neg; break;
      case Tok::PLUS: op = UnOp::Plus; break;
      case Tok::NOT: op = UnOp::Not; break;
      default: return power();
    }
    Pos at = tok_.span.begin;
    advance();
    Nest nest(*this, at);
    return make_unary(op, at, unary());
  }

  // power := primary ( '^' unary )?      right-associative through unary -> power
  EXPRJIT_OUTLINE Parsed power() {
    Parsed base = primary();
    if (tok_.kind != Tok::CARET) return base;
    Pos at = tok_.span.begin;
    advance();
    Nest nest(*this, at);
    Parsed exponent = unary();
    return make_power(at, std::move(base), std::move(exponent));
  }

  // call := IDENT '(' args? ')'        (the IDENT is already consumed: name_tok)
  // args := expr ( ',' expr )*
  EXPRJIT_OUTLINE Parsed call(Token name_tok) {
    Pos open = tok_.span.begin;
    advance();
    Nest nest(*this, open);
    Call call{text_of(name_tok), name_tok.span, {}};
    std::size_t h = 0;
    if (tok_.kind != Tok::RPAREN) {
      for (;;) {
        Parsed a = expr();
        h = std::max(h, a.h);
        call.args.push_back(std::move(a.e));
        if (tok_.kind != Tok::COMMA) break;
        advance();
      }
    }
    if (tok_.kind != Tok::RPAREN) fail_call_args(call.name, open);
    Span span{name_tok.span.begin, tok_.span.end};
    advance();
    return node(span, std::move(call), h + 1, name_tok.span.begin);
  }

  // primary := NUMBER | IDENT | call | '(' expr ')'
  EXPRJIT_OUTLINE Parsed primary() {
    switch (tok_.kind) {
      case Tok::NUMBER: {
        Parsed leaf = make_leaf(tok_);
        advance();
        return leaf;
      }
      case Tok::IDENT: {
        Token t = tok_;
        advance();
        if (tok_.kind == Tok::LPAREN) return call(t);
        return make_leaf(t);
      }
      case Tok::LPAREN: {
        Pos open = tok_.span.begin;
        advance();
        Nest nest(*this, open);
        Parsed inner = expr();
        if (tok_.kind != Tok::RPAREN) fail_close_paren(open);
        advance();
        inner.open = -1;  // (a+b)+c: the parenthesised chain is closed
        return inner;
      }
      default:
        fail_expected_expression();
    }
  }
};

#undef EXPRJIT_OUTLINE

}  // namespace

syntax::ExprPtr parse_expression(std::string_view text, ParserKind kind) {
  if (kind == ParserKind::lalr) return lalr_parse_expression(text);
  return Parser(text).whole_expression();
}

std::vector<syntax::Statement> parse_line(std::string_view text, ParserKind kind) {
  if (kind == ParserKind::lalr) return lalr_parse_line(text);
  return Parser(text).line();
}

}  // namespace exprjit
