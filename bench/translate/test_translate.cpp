// test_translate.cpp — the peers' translations (translate.hpp) against the language spec:
// every case of tests/data/conformance.tsv, translated to Lua and run by the benchmark's
// LuaJIT engine, must give the spec's value (within the benchmark gate's tolerance), and
// the C++, muparser and ExprTk texts must follow the language's semantics.  The
// benchmark's own gate checks the corpora; this checks the translator on everything the
// language has (operators, ?:, comparisons, every function, integer powers, nan and inf).
#include <doctest/doctest.h>

#include "bench/harness/engines.hpp"
#include "bench/harness/suite.hpp"
#include "bench/peers/peers.hpp"
#include "bench/translate/translate.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::bench;

TEST_CASE("LuaJIT runs the Lua translation of every conformance case to the spec's value") {
  Corpus corpus;
  corpus.names = test::conformance_var_names();
  corpus.values = test::conformance_var_values();
  Columns cols(corpus, 2);
  const Engine e = luajit_engine();
  REQUIRE_MESSAGE(e.unavailable.empty(), e.unavailable);
  int checked = 0;
  for (const test::ConformanceCase& c : test::load_conformance()) {
    CAPTURE(c.line);
    CAPTURE(c.expr);
    CAPTURE(to_lua(*check_text(c.expr, corpus.names)));
    const Job job{0, c.expr, corpus, cols.ptrs.data(), 2};
    Prepared p = e.prepare(job);
    std::vector<double> v = corpus.values;
    const double got = p.eval->run(v.data(), 1);
    CHECK_MESSAGE(agrees(got, c.value), "got ", got, ", the spec says ", c.expected);
    ++checked;
  }
  CHECK(checked > 50);
}

TEST_CASE("the C++ translation follows the language's semantics") {
  const std::vector<std::string> vars = {"a", "b"};
  auto cpp = [&](const char* text) { return to_cpp(*check_text(text, vars), false); };
  CHECK(cpp("a^b") == "std::pow(v[0], v[1])");
  CHECK(cpp("a % b") == "std::fmod(v[0], v[1])");
  CHECK(cpp("a < b") == "((v[0] < v[1]) ? 1.0 : 0.0)");
  CHECK(cpp("a ? b : 1") == "(exprjit::rt::truth(v[0]) ? v[1] : (0x1p+0))");
  CHECK(cpp("min(a, b, 2)") == "exprjit::rt::min(exprjit::rt::min(v[0], v[1]), (0x1p+1))");
  CHECK(cpp("-a^2") == "(-exprjit::rt::pow_int(v[0], 2))");  // an integer-literal power: the spec's chain
  CHECK(cpp("a^-3") == "exprjit::rt::pow_int(v[0], -3)");
  CHECK(cpp("a^2.5") == "std::pow(v[0], (0x1.4p+1))");
  CHECK(cpp("a - b + a * 2") == "((v[0] - v[1]) + (v[0] * (0x1p+1)))");
  CHECK(to_cpp(*check_text("a + b", vars), true) == "(c[0][i] + c[1][i])");
}

TEST_CASE("muparser and ExprTk text: what a peer lacks is refused, not mistranslated") {
  const std::vector<std::string> vars = {"a", "b"};
  auto mu = [&](const char* text) { return to_muparser(*check_text(text, vars), vars); };
  CHECK(mu("-a^2") == "(-(a ^ 2))");
  CHECK(mu("log(a)") == "ln(a)");
  CHECK(mu("pow(a, b)") == "(a ^ b)");
  CHECK_THROWS_AS(mu("a % b"), Untranslatable);
  CHECK_THROWS_AS(mu("fmod(a, b)"), Untranslatable);
  CHECK_THROWS_AS(mu("cbrt(a)"), Untranslatable);
  auto tk = [&](const char* text) { return to_exprtk(*check_text(text, vars), vars); };
  CHECK(tk("a % b") == "(a % b)");
  CHECK(tk("a < b") == "(if ((a < b)) 1; else 0;)");
  CHECK(tk("a ? b : 1") == "(if ((a != 0)) b; else 1;)");
  CHECK(tk("max(a, b, 3)") == "max(max(a, b), 3)");
  CHECK_THROWS_AS(tk("sign(a)"), Untranslatable);
}
