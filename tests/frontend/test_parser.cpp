// test_parser.cpp — the recursive-descent parser: precedence, associativity, spans,
// session lines, limits.
#include <doctest/doctest.h>

#include "frontend/diagnostic.hpp"
#include "frontend/limits.hpp"
#include "frontend/parser.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;

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
  std::string longsum = "1";
  for (std::size_t i = 0; i < 10000; ++i) longsum += "+1";
  CHECK(parse_error(longsum).message().find("nests too deeply") != std::string::npos);
}
