// parser.cpp — the hand-written recursive-descent parser (precedence climbing for the
// binary levels).  The grammar rule each function parses is written above it.  The Bison
// grammar (grammar.y) is the executable reference; tests check both build the same AST.
#include "parser.hpp"

#include <algorithm>
#include <array>

#include "diagnostic.hpp"
#include "lexer.hpp"
#include "limits.hpp"

namespace exprjit {

namespace {

// A parsed subtree and its height, so that depth is checked as nodes are built.
struct Parsed {
  ExprPtr e;
  std::size_t h = 1;
};

// Binary precedence levels, lowest first; each is left-associative.
//   or  := and ( '||' and )*
//   and := cmp ( '&&' cmp )*
//   cmp := add ( ( '<' | '<=' | '>' | '>=' | '==' | '!=' ) add )*
//   add := mul ( ( '+' | '-' ) mul )*
//   mul := unary ( ( '*' | '/' | '%' ) unary )*
constexpr int kLevels = 5;
int level_of(Tok t) {
  switch (t) {
    case Tok::OR: return 0;
    case Tok::AND: return 1;
    case Tok::LT: case Tok::LE: case Tok::GT: case Tok::GE: case Tok::EQ: case Tok::NE: return 2;
    case Tok::PLUS: case Tok::MINUS: return 3;
    case Tok::STAR: case Tok::SLASH: case Tok::PERCENT: return 4;
    default: return -1;
  }
}

BinOp binop_of(Tok t) {
  switch (t) {
#define BINOP(id, tok, sym, exact, meaning) \
  case Tok::tok:                            \
    return BinOp::id;
#include "operators.def"
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

std::string where(const Pos& p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) { tok_ = lex_.next(); }

  // whole := expr END
  ExprPtr whole_expression() {
    Parsed p = expr();
    if (tok_.kind == Tok::ASSIGN)
      fail("'=' assigns only at the start of a session line (REPL or -f), found '='");
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
  Token peeked_;
  bool has_peek_ = false;
  std::size_t depth_ = 0;

  std::string_view src() const { return lex_.text(); }

  void advance() {
    if (has_peek_) {
      tok_ = peeked_;
      has_peek_ = false;
    } else {
      tok_ = lex_.next();
    }
  }
  const Token& peek() {
    if (!has_peek_) {
      peeked_ = lex_.next();
      has_peek_ = true;
    }
    return peeked_;
  }

  [[noreturn]] void fail(const std::string& msg) const { throw CompileError(msg, tok_.span.begin); }
  [[noreturn]] void too_deep(const Pos& at) const {
    throw CompileError("expression nests too deeply (limit " + std::to_string(kMaxDepth) + " levels)", at);
  }

  void expect_end() {
    if (tok_.kind != Tok::END) fail("expected an operator or the end of the expression, found " + describe(tok_, src()));
  }

  // Every recursive descent into a sub-expression passes through one of these guards.
  struct Nest {
    Parser& p;
    Nest(Parser& parser, const Pos& at) : p(parser) {
      if (++p.depth_ > kMaxDepth) p.too_deep(at);
    }
    ~Nest() { --p.depth_; }
  };

  Parsed node(Span span, Node n, std::size_t h, const Pos& at) {
    if (h > kMaxDepth) too_deep(at);
    return Parsed{std::make_unique<Expr>(Expr{span, std::move(n)}), h};
  }

  // statement := IDENT '=' expr | expr
  Statement statement() {
    Statement s;
    if (tok_.kind == Tok::IDENT && peek().kind == Tok::ASSIGN) {
      s.target = std::string(src().substr(tok_.span.begin.offset, tok_.span.end - tok_.span.begin.offset));
      s.target_span = tok_.span;
      advance();  // IDENT
      advance();  // '='
    }
    s.expr = expr().e;
    return s;
  }

  // expr := or ( '?' expr ':' expr )?
  Parsed expr() {
    Parsed c = binary(0);
    if (tok_.kind != Tok::QUESTION) return c;
    Token q = tok_;
    advance();
    Nest nest(*this, q.span.begin);
    Parsed a = expr();
    if (tok_.kind != Tok::COLON)
      fail("expected ':' of the conditional started by '?' at " + where(q.span.begin) + ", found " +
           describe(tok_, src()));
    advance();
    Parsed b = expr();
    Span span{c.e->span.begin, b.e->span.end};
    std::size_t h = 1 + std::max({c.h, a.h, b.h});
    return node(span, Conditional{std::move(c.e), std::move(a.e), std::move(b.e)}, h, q.span.begin);
  }

  // or .. mul: see the table above level_of.
  Parsed binary(int level) {
    if (level == kLevels) return unary();
    Parsed lhs = binary(level + 1);
    while (level_of(tok_.kind) == level) {
      Token op = tok_;
      advance();
      Parsed rhs = binary(level + 1);
      Span span{lhs.e->span.begin, rhs.e->span.end};
      std::size_t h = 1 + std::max(lhs.h, rhs.h);
      lhs = node(span, Binary{binop_of(op.kind), std::move(lhs.e), std::move(rhs.e)}, h, op.span.begin);
    }
    return lhs;
  }

  // unary := ( '-' | '+' | '!' ) unary | power
  Parsed unary() {
    UnOp op;
    switch (tok_.kind) {
      case Tok::MINUS: op = UnOp::Neg; break;
      case Tok::PLUS: op = UnOp::Plus; break;
      case Tok::NOT: op = UnOp::Not; break;
      default: return power();
    }
    Token t = tok_;
    advance();
    Nest nest(*this, t.span.begin);
    Parsed operand = unary();
    Span span{t.span.begin, operand.e->span.end};
    return node(span, Unary{op, std::move(operand.e)}, operand.h + 1, t.span.begin);
  }

  // power := primary ( '^' unary )?      right-associative through unary -> power
  Parsed power() {
    Parsed base = primary();
    if (tok_.kind != Tok::CARET) return base;
    Token t = tok_;
    advance();
    Nest nest(*this, t.span.begin);
    Parsed exponent = unary();
    Span span{base.e->span.begin, exponent.e->span.end};
    std::size_t h = 1 + std::max(base.h, exponent.h);
    return node(span, Binary{BinOp::Pow, std::move(base.e), std::move(exponent.e)}, h, t.span.begin);
  }

  // primary := NUMBER | IDENT | IDENT '(' args? ')' | '(' expr ')'
  // args    := expr ( ',' expr )*
  Parsed primary() {
    Token t = tok_;
    switch (t.kind) {
      case Tok::NUMBER:
        advance();
        return node(t.span, Number{t.number}, 1, t.span.begin);
      case Tok::IDENT: {
        std::string name(src().substr(t.span.begin.offset, t.span.end - t.span.begin.offset));
        advance();
        if (tok_.kind != Tok::LPAREN) return node(t.span, Name{std::move(name)}, 1, t.span.begin);
        Token open = tok_;
        advance();
        Nest nest(*this, open.span.begin);
        Call call{std::move(name), t.span, {}, nullptr};
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
        if (tok_.kind != Tok::RPAREN)
          fail("expected ',' or ')' after an argument of '" + call.name + "(' at " + where(open.span.begin) +
               ", found " + describe(tok_, src()));
        Span span{t.span.begin, tok_.span.end};
        advance();
        return node(span, std::move(call), h + 1, t.span.begin);
      }
      case Tok::LPAREN: {
        advance();
        Nest nest(*this, t.span.begin);
        Parsed inner = expr();
        if (tok_.kind != Tok::RPAREN)
          fail("expected ')' to close '(' at " + where(t.span.begin) + ", found " + describe(tok_, src()));
        advance();
        return inner;
      }
      default:
        fail("expected an expression, found " + describe(t, src()));
    }
  }
};

}  // namespace

ExprPtr parse_expression(std::string_view text, ParserKind kind) {
  if (kind == ParserKind::lalr) return lalr_parse_expression(text);
  return Parser(text).whole_expression();
}

std::vector<Statement> parse_line(std::string_view text, ParserKind kind) {
  if (kind == ParserKind::lalr) return lalr_parse_line(text);
  return Parser(text).line();
}

}  // namespace exprjit
