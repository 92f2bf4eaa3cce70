// test_translate.cpp — the peers' translations (translate.hpp) against the language spec:
// every case of shared/spec/conformance.tsv, translated to Lua and run by the benchmark's
// LuaJIT engine, must give the spec's value (bit for bit for 'exact' cases, else within the
// benchmark gate's tolerance), and the C++ translation must name what the tree backend
// calls.  The benchmark's own gate checks the corpus; this checks the translator on
// everything the language has (operators, ?:, comparisons, every function, nan and inf).
#include <doctest/doctest.h>

#include "bench/engines.hpp"
#include "bench/suite.hpp"
#include "bench/translate.hpp"
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
    test::Checked ch = test::front(c.expr, corpus.names);
    CAPTURE(to_lua(*ch.expr));
    const Job job{0, c.expr, *ch.expr, corpus, cols.ptrs.data(), 2};
    Prepared p = e.prepare(job);
    std::vector<double> v = corpus.values;
    const double got = p.eval->run(v.data(), 1);
    if (c.exact) CHECK_MESSAGE(test::same_bits(got, c.value), "got ", got, ", the spec says ", c.expected);
    else CHECK_MESSAGE(agrees(got, c.value), "got ", got, ", the spec says ", c.expected);
    ++checked;
  }
  CHECK(checked > 50);
}

TEST_CASE("the C++ translation follows the language's semantics") {
  const std::vector<std::string> vars = {"a", "b"};
  auto cpp = [&](const char* text) { return to_cpp(*test::front(text, vars).expr, false); };
  CHECK(cpp("a^b") == "std::pow(v[0], v[1])");
  CHECK(cpp("a % b") == "std::fmod(v[0], v[1])");
  CHECK(cpp("a < b") == "((v[0] < v[1]) ? 1.0 : 0.0)");
  CHECK(cpp("a ? b : 1") == "(exprjit::rt::truth(v[0]) ? v[1] : (0x1p+0))");
  CHECK(cpp("min(a, b, 2)") == "exprjit::rt::min(exprjit::rt::min(v[0], v[1]), (0x1p+1))");
  CHECK(cpp("-a^2") == "(-std::pow(v[0], (0x1p+1)))");
  CHECK(to_cpp(*test::front("a + b", vars).expr, true) == "(c[0][i] + c[1][i])");
}

TEST_CASE("muparser text: what muparser lacks is refused, not mistranslated") {
  const std::vector<std::string> vars = {"a", "b"};
  auto mu = [&](const char* text) { return to_muparser(*test::front(text, vars).expr); };
  CHECK(mu("-a^2") == "(-(a ^ 2))");
  CHECK(mu("log(a)") == "ln(a)");
  CHECK(mu("pow(a, b)") == "(a ^ b)");
  CHECK_THROWS_AS(mu("a % b"), Untranslatable);
  CHECK_THROWS_AS(mu("fmod(a, b)"), Untranslatable);
  CHECK_THROWS_AS(mu("cbrt(a)"), Untranslatable);
}
