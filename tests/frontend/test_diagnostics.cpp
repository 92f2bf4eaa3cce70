// test_diagnostics.cpp — exact error text: location, message, source line, caret.
#include <doctest/doctest.h>

#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/parser.hpp"

using namespace exprjit;

namespace {
// Runs the front end on text with variables a, b and returns the formatted diagnostic.
std::string diag(std::string_view text, Source src = {}) {
  src.text = text;
  try {
    ExprPtr e = parse_expression(text);
    check(*e, Scope({"a", "b"}));
  } catch (const CompileError& err) {
    return format_error(src, err);
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("unknown variable, function, arity: at the name") {
  CHECK(diag("1+1.2-q") == "<expr>:1:7: error: unknown variable 'q'\n1+1.2-q\n      ^\n");
  CHECK(diag("a + foo(1)") == "<expr>:1:5: error: unknown function 'foo'\na + foo(1)\n    ^\n");
  CHECK(diag("2*sin(a, b)") == "<expr>:1:3: error: 'sin' takes 1 argument, given 2\n2*sin(a, b)\n  ^\n");
  CHECK(diag("atan2(1)") == "<expr>:1:1: error: 'atan2' takes 2 arguments, given 1\natan2(1)\n^\n");
  CHECK(diag("min()") == "<expr>:1:1: error: 'min' takes at least 1 argument, given 0\nmin()\n^\n");
  CHECK(diag("clamp(1,2)") == "<expr>:1:1: error: 'clamp' takes 3 arguments, given 2\nclamp(1,2)\n^\n");
  CHECK(diag("a+sin") == "<expr>:1:3: error: 'sin' is a function; call it as sin(...)\na+sin\n  ^\n");
}

TEST_CASE("file positions use the file's line number") {
  Source src{"session.txt", "", 12};
  CHECK(diag("a +", src) == "session.txt:12:4: error: expected an expression, found end of input\na +\n   ^\n");
}

TEST_CASE("the caret follows tabs, and control bytes are shown as '?'") {
  CHECK(diag("\ta + q") == "<expr>:1:6: error: unknown variable 'q'\n\ta + q\n\t    ^\n");
  std::string nul("a\0", 2);
  CHECK(diag(nul) == std::string("<expr>:1:2: error: unexpected byte 0x00\na?\n ^\n"));
}

TEST_CASE("multi-line text shows only the offending line") {
  CHECK(diag("a +\n b +\n q") == "<expr>:3:2: error: unknown variable 'q'\n q\n ^\n");
}

TEST_CASE("long lines are cut to a window around the caret") {
  std::string text = std::string(500, '1') + "+q";
  std::string d = diag(text);
  CHECK(d.rfind("<expr>:1:502: error: unknown variable 'q'\n...", 0) == 0);
  std::size_t nl1 = d.find('\n'), nl2 = d.find('\n', nl1 + 1);
  std::string line = d.substr(nl1 + 1, nl2 - nl1 - 1);
  std::string caret = d.substr(nl2 + 1);
  CHECK(line.size() < 120);
  CHECK(line.substr(caret.size() - 2, 1) == "q");  // the caret sits under the q
}

TEST_CASE("errors without a position") {
  CHECK(format_error("the jit backend needs a Go toolchain") == "error: the jit backend needs a Go toolchain\n");
}
