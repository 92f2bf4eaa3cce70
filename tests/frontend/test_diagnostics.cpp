// test_diagnostics.cpp — exact error text: location, message, source line, caret.
#include <doctest/doctest.h>

#include "frontend/check/check.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/parser.hpp"

using namespace exprjit;
using namespace exprjit::syntax;

namespace {
// Runs the front end on text with variables a, b and returns the formatted diagnostic.
std::string diag(std::string_view text, Source src = {}) {
  src.text = text;
  try {
    ExprPtr e = parse_expression(text);
    const Scope scope({"a", "b"});
    check(*e, Names{&scope, nullptr, nullptr, {}});
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

TEST_CASE("a second place in a message counts lines from the file's first line too") {
  // A session reads line 3 of a file: both positions are the file's.
  Source src{"s", "", 3};
  CHECK(diag("(1", src) == "s:3:3: error: expected ')' to close '(' at 3:1, found end of input\n(1\n  ^\n");
  CHECK(diag("a ? b", src).rfind("s:3:6: error: expected ':' of the conditional started by '?' at 3:3", 0) == 0);
  CHECK(diag("sin(a b)", src).rfind("s:3:7: error: expected ',' or ')' after an argument of 'sin(' at 3:4", 0) == 0);
}

TEST_CASE("control characters never reach the terminal: C0, DEL and C1 (U+0080..U+009F)") {
  // U+009B (CSI) in UTF-8 is C2 9B: shown as '?' in the line, named by number in the message.
  const std::string csi = "a + \xC2\x9B[31m";
  const std::string d = diag(csi);
  CHECK(d.find('\x9B') == std::string::npos);
  CHECK(d.find("unexpected control character U+009B") != std::string::npos);
  CHECK(d.find("a + ?[31m") != std::string::npos);
  CHECK(printable_text("x\x1b]0;title\x07") == "x\\x1b]0;title\\x07");
  CHECK(printable_text("\xC2\x85") == "\\u0085");
  CHECK(printable_text("\xff") == "\\xff");
  CHECK(printable_text("caf\xC3\xA9") == "caf\xC3\xA9");  // ordinary UTF-8 stays
}

TEST_CASE("the caret counts characters, not bytes, before it") {
  CHECK(diag("\xC3\xA9 + q") == "<expr>:1:1: error: unexpected character '\xC3\xA9'\n\xC3\xA9 + q\n^\n");
}

TEST_CASE("errors without a position") {
  CHECK(format_error("the jit backend needs a Go toolchain") == "error: the jit backend needs a Go toolchain\n");
}
