// test_parser.cpp — the recursive-descent parser: precedence, associativity, spans,
// session lines, limits.
#include <doctest/doctest.h>

#include "frontend/base/diagnostic.hpp"
#include "frontend/base/limits.hpp"
#include "frontend/syntax/parser.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::syntax;

namespace {
std::string sx(std::string_view text) { return to_sexpr(*parse_expression(text)); }
CompileError parse_error(std::string_view text) {
  try {
    parse_expression(text);
  } catch (const CompileError& e) {
    return e;
  }
  FAIL("accepted: " << text);
  return CompileError("", {});
}
}  // namespace

TEST_CASE("precedence and associativity") {
  CHECK(sx("1+2*3") == "(+ 0x1.0000000000000p+0 (* 0x1.0000000000000p+1 0x1.8000000000000p+1))");
  CHECK(sx("a-b-c") == "(- (- a b) c)");
  CHECK(sx("a/b*c") == "(* (/ a b) c)");
  CHECK(sx("a%b*c") == "(* (% a b) c)");
  CHECK(sx("a^b^c") == "(^ a (^ b c))");
  CHECK(sx("-a^b") == "(neg (^ a b))");
  CHECK(sx("a^-b") == "(^ a (neg b))");
  CHECK(sx("-a^-b^c") == "(neg (^ a (neg (^ b c))))");
  CHECK(sx("(-a)^b") == "(^ (neg a) b)");
  CHECK(sx("!a+b") == "(+ (! a) b)");
  CHECK(sx("a<b<c") == "(< (< a b) c)");
  CHECK(sx("a<b==c>d") == "(> (== (< a b) c) d)");  // one comparison level, left to right
  CHECK(sx("a+b<c*d") == "(< (+ a b) (* c d))");
  CHECK(sx("a||b&&c") == "(|| a (&& b c))");
  CHECK(sx("a&&b||c") == "(|| (&& a b) c)");
  CHECK(sx("a==b&&c!=d") == "(&& (== a b) (!= c d))");
  CHECK(sx("a?b:c?d:e") == "(? a b (? c d e))");
  CHECK(sx("a?b?c:d:e") == "(? a (? b c d) e)");
  CHECK(sx("a||b?c:d") == "(? (|| a b) c d)");
  CHECK(sx("--a") == "(neg (neg a))");
  CHECK(sx("+-!a") == "(pos (neg (! a)))");
  CHECK(sx("f()") == "(call f)");
  CHECK(sx("min(a, b+1, c)") == "(call min a (+ b 0x1.0000000000000p+0) c)");
  CHECK(sx("((a))") == "a");
}

TEST_CASE("every line of the sign-and-power torture set parses") {
  for (const std::string& line : test::load_corpus("bench_expr_weird.txt")) {
    CAPTURE(line);
    CHECK_NOTHROW(parse_expression(line));
  }
}

TEST_CASE("spans exclude parentheses and cover operands") {
  ExprPtr e = parse_expression("(a + b) * sin(c)");
  CHECK(to_sexpr(*e, true) == "(* (+ a@1:2 b@5:6)@1:6 (call sin@10:13 c@14:15)@10:16)@1:16");
}

TEST_CASE("session lines") {
  CHECK(to_sexpr(parse_line("x = 1; y = x + 1; y")) ==
        "(= x 0x1.0000000000000p+0); (= y (+ x 0x1.0000000000000p+0)); y");
  CHECK(to_sexpr(parse_line("a == b")) == "(== a b)");
  CHECK(to_sexpr(parse_line("1;")) == "0x1.0000000000000p+0");
  CHECK(parse_line("").empty());
  CHECK(parse_line("   # comment").empty());
  CHECK_THROWS_AS(parse_line(";"), CompileError);
  CHECK_THROWS_AS(parse_line("1;;2"), CompileError);
  CHECK_THROWS_AS(parse_line("x = y = 1"), CompileError);
  CHECK_THROWS_AS(parse_line("1 = 2"), CompileError);
}

TEST_CASE("errors name what was found, at its position") {
  CompileError e = parse_error("1 +");
  CHECK(e.message() == "expected an expression, found end of input");
  CHECK(e.pos().col == 4);
  e = parse_error("(1 + 2");
  CHECK(e.message() == "expected ')' to close '(' at 1:1, found end of input");
  e = parse_error("1 2");
  CHECK(e.message() == "expected an operator or the end of the expression, found number '2'");
  CHECK(e.pos().col == 3);
  e = parse_error("f(1,)");
  CHECK(e.message() == "expected an expression, found ')'");
  CHECK(e.pos().col == 5);
  e = parse_error("f(1 2)");
  CHECK(e.message() == "expected ',' or ')' after an argument of 'f(' at 1:2, found number '2'");
  e = parse_error("a ? b");
  CHECK(e.message() == "expected ':' of the conditional started by '?' at 1:3, found end of input");
  e = parse_error("x = 1");
  CHECK(e.message() == "'=' assigns only at the start of a session line (REPL or -f), found '='");
  e = parse_error("a\n  + * b");
  CHECK(e.pos().line == 2);
  CHECK(e.pos().col == 5);
}

TEST_CASE("nesting up to the limit works, beyond it is an error") {
  const std::size_t ok = 1000;
  std::string parens = std::string(ok, '(') + "1" + std::string(ok, ')');
  CHECK(sx(parens) == "0x1.0000000000000p+0");
  std::string minus = std::string(ok, '-') + "1";
  CHECK_NOTHROW(parse_expression(minus));
  std::string sum = "1";
  for (std::size_t i = 0; i < ok; ++i) sum += "+1";
  CHECK_NOTHROW(parse_expression(sum));
  std::string pw = "2";
  for (std::size_t i = 0; i < ok; ++i) pw += "^2";
  CHECK_NOTHROW(parse_expression(pw));

  const std::size_t deep = 100000;
  for (const std::string& text : {std::string(deep, '(') + "1" + std::string(deep, ')'), std::string(deep, '-') + "1",
                                  std::string(deep, '!') + "1"}) {
    CompileError e = parse_error(text);
    CHECK(e.message() == "expression nests too deeply (limit " + std::to_string(kMaxDepth) + " levels)");
    CHECK(e.pos().col == kMaxDepth + 1);
  }
}

TEST_CASE("a chain of one level's operators is one node, however long: no depth error") {
  std::string longsum = "1";
  for (std::size_t i = 0; i < 1000000; ++i) longsum += i % 3 ? "+x" : "-1";
  ExprPtr e = parse_expression(longsum);
  const auto* c = std::get_if<Chain>(&e->node);
  REQUIRE(c != nullptr);
  CHECK(c->rest.size() == 1000000);
  CHECK(height(*e) == 2);
  CHECK(parse_expression(longsum, ParserKind::lalr)->span.end == longsum.size());
  // Mixed levels nest as the grammar says: a*b+c*d is a chain of two chains.
  CHECK(sx("a*b+c*d-e") == "(- (+ (* a b) (* c d)) e)");
  // Parentheses close a chain: (a+b)+c is a chain whose first operand is a chain.
  ExprPtr p = parse_expression("(a+b)+c");
  CHECK(std::get<Chain>(p->node).rest.size() == 1);
  CHECK(std::get<Chain>(parse_expression("a+b+c")->node).rest.size() == 2);
}

TEST_CASE("definitions: name(params) = body") {
  CHECK(to_sexpr(parse_line("f(x, y) = x^2 + y")) == "(define (f x y) (+ (^ x 0x1.0000000000000p+1) y))");
  CHECK(to_sexpr(parse_line("g() = 1; g()")) == "(define (g) 0x1.0000000000000p+0); (call g)");
  CHECK(to_sexpr(parse_line("f((x)) = x")) == "(define (f x) x)");  // a parenthesised parameter is still a name
  auto bad = [](std::string_view text) {
    try {
      parse_line(text);
    } catch (const CompileError& e) {
      return e;
    }
    FAIL("accepted: " << text);
    return CompileError("", {});
  };
  CHECK(bad("f(1) = 2").message() == "a parameter of 'f' must be a name, as in f(x, y) = ...");
  CHECK(bad("f(x+1) = 2").pos().col == 3);
  CHECK(bad("(f(x)) = 1").message().rfind("the left side of '='", 0) == 0);
  CHECK(bad("(a) = 1").pos().col == 5);
  CHECK(bad("f(x) = g(y) = 1").pos().col == 13);
}
