// test_limits.cpp — every recursive pass at the documented nesting limit: both parsers, the
// checker, the printers, copying, every backend's compiler and evaluator, the Go code
// generator, and destruction.  Run under ASan too (scripts/test), where frames are larger:
// no pass may exhaust the stack at kMaxDepth.
#include <doctest/doctest.h>

#include <functional>

#include "backends/backend.hpp"
#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/limits.hpp"
#include "frontend/parser.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Deepest inputs of each shape that the limit still accepts.
std::vector<std::pair<std::string, std::string>> deep_inputs() {
  const std::size_t n = kMaxDepth - 1;
  return {
      {"parentheses", repeat("(", n) + "x" + repeat(")", n)},
      {"prefix minus", repeat("-", n) + "x"},
      {"not", repeat("!", n) + "x"},
      {"sum chain", "x" + repeat("+x", n - 1)},
      {"power chain", "x" + repeat("^x", n - 1)},
      {"nested calls", repeat("sin(", n - 1) + "x" + repeat(")", n - 1)},
      {"nested conditionals", repeat("x?x:", n / 2) + "x"},
      {"mixed", repeat("-(x*", n / 2) + "x" + repeat(")", n / 2)},
  };
}

}  // namespace

TEST_CASE("every pass at the nesting limit") {
  std::vector<std::string> backends;
  for (const BackendInfo& b : backend_table()) backends.emplace_back(b.name);
  const double x = 0.5;
  for (auto& [shape, text] : deep_inputs()) {
    CAPTURE(shape);
    ExprPtr rd, lalr;
    REQUIRE_NOTHROW(rd = parse_expression(text, ParserKind::rd));
    REQUIRE_NOTHROW(lalr = parse_expression(text, ParserKind::lalr));
    CHECK(to_sexpr(*rd, true) == to_sexpr(*lalr, true));
    CHECK(height(*rd) <= kMaxDepth);
    check(*rd, Scope({"x"}));
    CHECK(!to_tree(*rd).empty());
    ExprPtr copy = clone(*rd);
    double want = 0;
    for (const std::string& name : backends) {
      CAPTURE(name);
      std::unique_ptr<Backend> b = find_backend(name)->make({});
      if (name == "jit") {  // the code generator recurses too; building is tested elsewhere
        CHECK(!b->emit(*copy, 1).empty());
        continue;
      }
      double got = b->compile(*copy, 1)->eval(&x);
      if (name == backends.front()) want = got;
      CHECK(test::same_bits(got, want));
      (void)b->emit(*copy, 1);
    }
  }
}

TEST_CASE("one level past the limit is an error, not a crash") {
  const std::size_t n = kMaxDepth + 1;
  for (const std::string& text : {repeat("(", n) + "1" + repeat(")", n), repeat("-", n) + "1", "1" + repeat("+1", n)}) {
    for (ParserKind kind : {ParserKind::rd, ParserKind::lalr}) {
      try {
        parse_expression(text, kind);
        FAIL("accepted");
      } catch (const CompileError& e) {
        CHECK(std::string(e.message()).find("nests too deeply") != std::string::npos);
      }
    }
  }
}
