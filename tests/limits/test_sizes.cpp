// test_sizes.cpp — inputs of any size through the public library, checked for the right
// answer (never for speed: the scaling figures are the benchmark's "scale" lines): 200,000
// bound variables, a session of 100,000 assignment lines, an expression reading the last of
// 100,000 declared variables, 20,000 host functions.
#include <doctest/doctest.h>

#include <exprjit/exprjit.hpp>

#include <string>
#include <vector>

namespace {
double plus_one(double x) noexcept { return x + 1; }
}  // namespace

TEST_CASE("200,000 bound variables: an expression over the first and the last compiles on every backend") {
  constexpr std::size_t n = 200000;
  std::vector<double> values(n);
  exprjit::Symbols s;
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = static_cast<double>(i);
    s.bind(std::string("v").append(std::to_string(i)), &values[i]);
  }
  CHECK(s.size() == n);
  for (const char* backend : {"tree", "vm"}) {
    CAPTURE(backend);
    exprjit::Expression f = exprjit::compile("v0 + v199999 * 2", s, {.backend = backend});
    CHECK(f() == 399998);
    values[0] = 5;
    CHECK(f() == 400003);
    values[0] = 0;
    CHECK(f.used_variables() == std::vector<std::string>{"v0", "v199999"});
  }
}

TEST_CASE("a session of 100,000 assignments, each line reading the one before") {
  exprjit::Session s;
  std::vector<std::string> texts = {"x0 = 1"};
  for (int i = 1; i < 100000; ++i) texts.push_back(std::string("x").append(std::to_string(i)) + " = x" + std::to_string(i - 1) + " + 1");
  std::vector<exprjit::Session::Line> lines;
  for (std::size_t i = 0; i < texts.size(); ++i) lines.push_back({texts[i], i + 1});
  const std::vector<exprjit::Session::Result> r = s.run(lines);
  REQUIRE(r.size() == lines.size());
  CHECK(r.back().ok);
  CHECK(r.back().value == 100000);
  CHECK(s.variables().size() == 100000);
}

TEST_CASE("20,000 host functions and 100,000 declared variables") {
  exprjit::Symbols s;
  for (int i = 0; i < 20000; ++i) s.bind_function(std::string("f").append(std::to_string(i)), &plus_one);
  for (int i = 0; i < 100000; ++i) s.declare(std::string("d").append(std::to_string(i)));
  exprjit::Expression f = exprjit::compile("f19999(d99999) + f0(d0)", s);
  const std::vector<std::string>& vars = f.variables();
  CHECK(vars.size() == 100000);
  std::vector<double> values(vars.size(), 0.0);
  values.back() = 41;
  CHECK(f.eval(values) == 43);
}
