// test_tree.cpp — the tree-walking interpreter against the spec's conformance table, bit
// for bit, and the semantics the spec spells out.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "backends/tree/tree.hpp"
#include "frontend/base/format.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;

namespace {
double eval(std::string_view text, const std::vector<std::string>& names = {}, const std::vector<double>& vals = {}) {
  test::Checked c = test::front(text, names);
  auto backend = make_tree_backend({});
  auto code = test::compile_one(*backend, c);
  // Both modes: values, and the values' addresses.
  std::vector<const double*> ptrs;
  for (const double& v : vals) ptrs.push_back(&v);
  const double by_value = code->eval(vals.data()), by_pointer = code->eval_ptrs(ptrs.data());
  CHECK(test::same_bits(by_value, by_pointer));
  return by_value;
}
}  // namespace

TEST_CASE("every conformance case, bit for bit") {
  std::vector<std::string> names = test::conformance_var_names();
  std::vector<double> values = test::conformance_var_values();
  auto cases = test::load_conformance();
  CHECK(cases.size() >= 100);
  int checked = 0;
  for (const auto& c : cases) {
    CAPTURE(c.line);
    CAPTURE(c.expr);
    double v = eval(c.expr, names, values);
    CHECK(format_hex(v) == format_hex(c.value));
    CHECK(format_value(v) == c.expected);
    CHECK(test::same_bits(v, c.value));
    ++checked;
  }
  MESSAGE("conformance cases checked on tree: " << checked);
}

TEST_CASE("IEEE edge cases the spec names") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(eval("-x", {"x"}, {0.0}) == 0.0);
  CHECK(std::signbit(eval("-x", {"x"}, {0.0})));
  CHECK(std::isnan(eval("x % 0", {"x"}, {5.0})));
  CHECK(eval("0^-1") == inf);
  CHECK(std::isnan(eval("(-8)^(1/3)")));
  CHECK(eval("x^0", {"x"}, {std::nan("")}) == 1.0);
  CHECK(eval("x ? 1 : 2", {"x"}, {std::nan("")}) == 1.0);  // nan is true
  CHECK(eval("!x", {"x"}, {std::nan("")}) == 0.0);
  CHECK(eval("x < 1 || x >= 1", {"x"}, {std::nan("")}) == 0.0);
  CHECK(std::signbit(eval("sign(x)", {"x"}, {-0.0})));
  CHECK(std::signbit(eval("min(0, -0)")));
  CHECK(!std::signbit(eval("max(-0, 0)")));
  CHECK(std::isnan(eval("max(1, 2, 0/0, 3)")));
  CHECK(eval("min(5, 4, 3, 2, 1, 0, -1, -2, -3, -4)") == -4.0);  // more args than inline storage
  CHECK(eval("clamp(0, 0/0, 1) != clamp(0, 0/0, 1)") == 1.0);
  CHECK(eval("round(-0.5)") == -1.0);
  CHECK(eval("log(e)") == 1.0);
  CHECK(eval("ln(x) == log(x)", {"x"}, {3.0}) == 1.0);
}

TEST_CASE("no FMA contraction: a*b+c rounds twice") {
  // With one rounding (fma) this would be 1.2e-16ish; with two it is exactly 0.
  double a = 1 + std::ldexp(1.0, -30), c = -(1 + std::ldexp(1.0, -29));
  CHECK(eval("a*a+c", {"a", "c"}, {a, c}) == 0.0);  // fused: 2^-60
  volatile double prod = a * a;
  CHECK(eval("a*a+c", {"a", "c"}, {a, c}) == prod + c);
}

TEST_CASE("batch evaluation equals single evaluation") {
  test::Checked c = test::front("x*y + sin(x)", {"x", "y"});
  auto compiled = test::compile_one(*make_tree_backend({}), c);
  std::vector<double> xs{1, 2, -0.0, std::nan(""), 1e300}, ys{3, 4, 5, 6, 1e300}, out(5);
  const double* cols[] = {xs.data(), ys.data()};
  compiled->eval_batch(cols, xs.size(), out.data());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    double row[] = {xs[i], ys[i]};
    CHECK(test::same_bits(out[i], compiled->eval(row)));
  }
}
