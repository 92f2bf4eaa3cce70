// test_limits.cpp — every recursive pass at the documented nesting limit: both parsers, the
// checker, the folder, the printers, every backend's compiler and evaluator, the Go code
// generator, and destruction; and inputs of any length where the length is not nesting (a
// chain of a million operands).  Run under ASan too (scripts/test), where frames are larger:
// no pass may exhaust the stack at kMaxDepth.
#include <doctest/doctest.h>

#include <functional>

#include "backends/backend.hpp"
#include "frontend/check/check.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/base/limits.hpp"
#include "frontend/ir/fold.hpp"
#include "frontend/syntax/parser.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::syntax;

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
      {"sum chain", "x" + repeat("+x", 100 * n)},  // not nesting: any length
      {"nested chains", repeat("(x+", n - 1) + "x" + repeat(")", n - 1)},
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
    const Scope scope({"x"});
    std::shared_ptr<const ir::Expr> checked;
    {
      ir::ExprPtr e = check(*rd, Names{&scope, nullptr, nullptr, {}});
      ir::fold(e);
      checked = std::move(e);
    }
    CHECK(!to_tree(*rd).empty());
    CHECK(!ir::to_tree(*checked).empty());
    test::Checked c{checked, scope};
    double want = 0;
    for (const std::string& name : backends) {
      CAPTURE(name);
      test::TestBackend b = test::make_backend(name);
      if (find_backend(name)->has(kCostlyCompile)) {  // the code generator recurses too; building is tested elsewhere
        CHECK(!b->listing(c.unit()).empty());
        continue;
      }
      double got = test::compile_one(*b, c)->eval(&x);
      if (name == backends.front()) want = got;
      CHECK(test::same_bits(got, want));
      (void)b->listing(c.unit());
    }
  }
}

TEST_CASE("a sum of a million terms evaluates on every interpreter, like a short one") {
  std::string text = "x";
  for (int i = 0; i < 1000000; ++i) text += i % 2 ? "+x" : "-0.5";
  const test::Checked c = test::front(text, {"x"});
  const double x = 0.25;
  double want = x;
  for (int i = 0; i < 1000000; ++i) want = i % 2 ? want + x : want - 0.5;
  for (const BackendInfo& info : backend_table()) {
    if (info.has(kCostlyCompile)) continue;  // the jit builds it in the jit suite
    CAPTURE(info.name);
    test::TestBackend b = test::make_backend(info.name);
    auto code = test::compile_one(*b, c);
    CHECK(test::same_bits(code->eval(&x), want));
    const double* col[] = {&x};
    double out = 0;
    code->eval_batch(col, 1, &out);
    CHECK(test::same_bits(out, want));
  }
}

TEST_CASE("language functions count their bodies' depth where they are called") {
  Functions fns;
  std::string body = repeat("-", 1500) + "x";
  std::vector<syntax::Statement> st = parse_line("f(x) = " + body);
  fns.define("f", check_definition(st[0], Names{nullptr, &fns, nullptr, {}}, "f(x) = " + body));
  const Scope scope({"x"});
  // f's depth is about 1500; calling it under 600 more levels passes the limit.
  CHECK_NOTHROW(check(*parse_expression(repeat("-", 400) + "f(x)"), Names{&scope, &fns, nullptr, {}}));
  try {
    check(*parse_expression(repeat("-", 600) + "f(x)"), Names{&scope, &fns, nullptr, {}});
    FAIL("accepted");
  } catch (const CompileError& e) {
    CHECK(e.message().find("nests too deeply") != std::string::npos);
    CHECK(e.message().find("counting the bodies of the functions it calls") != std::string::npos);
  }
}

TEST_CASE("one level past the limit is an error, not a crash") {
  const std::size_t n = kMaxDepth + 1;
  for (const std::string& text : {repeat("(", n) + "1" + repeat(")", n), repeat("-", n) + "1", "1" + repeat("^1", n)}) {
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
