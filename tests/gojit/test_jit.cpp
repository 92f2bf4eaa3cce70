// test_jit.cpp — the Go JIT backend's results: every conformance case and a differential of
// tree, vm and jit over random expressions using every built-in on random-bit arguments,
// all bit for bit; batch against single rows; threads; deep nesting; the regressions of the
// Go-math era.  The build, cache and toolchain side: test_jit_cache.cpp.
//
// Every test uses this process's private EXPRJIT_CACHE_DIR and the shared GOCACHE
// (jit_test_env); the number of `go build` runs is kept small (CI has 2 cores).
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "backends/backend.hpp"
#include "frontend/base/format.hpp"
#include "frontend/lang/builtins.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using test::jit;

namespace {

// The call path a test runs through: every test that evaluates runs once per path (doctest
// subcases); the plugin is built once and reused in-process.
BackendOptions path_options() {
  BackendOptions o;
  o.jit_call = JitCall::direct;
  SUBCASE("called directly") { o.jit_call = JitCall::direct; }  // an error if any entry cannot be
  SUBCASE("on the fallback") { o.jit_call = JitCall::fallback; }
  return o;
}
const char* path_name(const BackendOptions& o) { return o.jit_call == JitCall::direct ? "direct" : "fallback"; }

// A double from any bit pattern, or one of the awkward ones each function has.
double argument(std::mt19937_64& rng) {
  static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 5e-324, -5e-324, 2.2250738585072014e-308,
                                   1e-300, -1e-300, 1e300, -1e300, 1.7976931348623157e308, 709.78, -745.1, 710.0,
                                   0x1p30, -0x1p52, 1.8787311012116655e+291, -1.8787311012116655e+291, 1e22,
                                   M_PI / 2, M_PI, 1, -1, 0.5, 2, 10, 1e15, 0.1};
  switch (rng() % 4) {
    case 0: return special[rng() % std::size(special)];
    case 1: return std::bit_cast<double>(rng());
    case 2: return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng), static_cast<int>(rng() % 2100) - 1075);
    default: return std::uniform_real_distribution<double>(-20, 20)(rng);
  }
}

}  // namespace

TEST_CASE("jit: 1+1.2-5 is -2.8, and the listing shows what is built") {
  auto b = jit();
  test::Checked c = test::front("1+1.2-5", {});
  auto compiled = test::compile_one(*b, c);
  CHECK(format_value(compiled->eval(nullptr)) == "-2.8");
  CHECK(b->name() == "jit");
  const std::string go = b->listing(c.unit());
  CHECK(go.find("package main") != std::string::npos);
  CHECK(go.find("func E0(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64") != std::string::npos);
  CHECK(go.find("func P0(_, _, _ uintptr, pp unsafe.Pointer, fp unsafe.Pointer) float64") != std::string::npos);
  CHECK(go.find("func B0(cols, out unsafe.Pointer, n int, fp unsafe.Pointer)") != std::string::npos);
}

TEST_CASE("jit: every conformance case (one plugin), bit for bit, single, by pointer and batch") {
  const BackendOptions o = path_options();
  auto b = jit(o);
  const auto cases = test::load_conformance();
  const auto names = test::conformance_var_names();
  const auto values = test::conformance_var_values();
  std::vector<test::Checked> checked;
  for (const auto& c : cases) checked.push_back(test::front(c.expr, names));
  auto compiled = b->compile(test::unit_of(checked));
  REQUIRE(compiled.size() == cases.size());
  std::vector<const double*> cols;
  for (const double& v : values) cols.push_back(&v);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    CAPTURE(c.line);
    CAPTURE(c.expr);
    const double got = compiled[i]->eval(values.data());
    double batch = 0;
    compiled[i]->eval_batch(cols.data(), 1, &batch);
    CHECK_MESSAGE(test::same_bits(got, c.value), "got " << format_hex(got) << ", want " << c.hex);
    CHECK(test::same_bits(compiled[i]->eval_ptrs(cols.data()), c.value));
    CHECK(test::same_bits(batch, c.value));
  }
  MESSAGE("jit conformance (" << path_name(o) << "): " << cases.size() << " cases bit for bit");
}

TEST_CASE("jit: tree, vm and jit give the same bits: random expressions of every built-in, random-bit arguments") {
  const BackendOptions o = path_options();
  auto b = jit(o);
  auto tree = test::make_backend("tree");
  auto vm = test::make_backend("vm");
  const std::vector<std::string> vars = {"a", "b", "c", "x", "y"};
  std::mt19937_64 rng(0x5eed'1313);
  std::vector<std::string> texts;
  // Every built-in called on its own (on random variables), then random expressions.
  for (const Builtin& f : builtins()) {
    const int n = f.variadic() ? 3 : f.min_args;
    std::string s = std::string(f.name) + "(";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + vars[static_cast<std::size_t>(i)];
    texts.push_back(s + ")");
  }
  for (const char* op : {"a ^ b", "a % b", "a^2", "a^-3", "a^0.5", "a^64"}) texts.push_back(op);
  while (texts.size() < 600) texts.push_back(test::random_expression(rng, vars, 5));
  std::vector<test::Checked> checked;
  for (const std::string& t : texts) checked.push_back(test::front(t, vars));
  const ir::Unit unit = test::unit_of(checked);
  auto j = b->compile(unit), t = tree->compile(unit), v = vm->compile(unit);
  // The rows: random-bit and awkward arguments, 200 per expression, as columns.
  constexpr std::size_t kRows = 200;
  std::vector<std::vector<double>> cols(vars.size(), std::vector<double>(kRows));
  for (auto& col : cols)
    for (double& x : col) x = argument(rng);
  std::vector<const double*> colp;
  for (auto& col : cols) colp.push_back(col.data());
  std::size_t evaluations = 0, differ = 0;
  std::vector<double> jb(kRows), tb(kRows), vb(kRows);
  for (std::size_t k = 0; k < checked.size(); ++k) {
    j[k]->eval_batch(colp.data(), kRows, jb.data());
    t[k]->eval_batch(colp.data(), kRows, tb.data());
    v[k]->eval_batch(colp.data(), kRows, vb.data());
    for (std::size_t r = 0; r < kRows; ++r) {
      std::vector<double> row;
      std::vector<const double*> ptrs;
      for (std::size_t s = 0; s < vars.size(); ++s) row.push_back(cols[s][r]), ptrs.push_back(&cols[s][r]);
      const double want = t[k]->eval(row.data());
      const double got[] = {j[k]->eval(row.data()), j[k]->eval_ptrs(ptrs.data()), jb[r], v[k]->eval(row.data()),
                            v[k]->eval_ptrs(ptrs.data()), vb[r], tb[r], t[k]->eval_ptrs(ptrs.data())};
      evaluations += std::size(got);
      for (double g : got)
        if (!test::same_bits(g, want)) {
          if (++differ <= 10) {
            std::ostringstream s;
            for (std::size_t i = 0; i < row.size(); ++i) s << " " << vars[i] << "=" << format_hex(row[i]);
            FAIL_CHECK(texts[k] << "\n  with" << s.str() << ": tree " << format_hex(want) << ", one of jit/vm "
                                << format_hex(g));
          }
        }
    }
  }
  CHECK(differ == 0);
  CHECK(evaluations >= 100000);
  MESSAGE("tree, vm, jit (" << path_name(o) << "): " << checked.size() << " expressions x " << kRows << " rows, "
                            << evaluations << " evaluations (one row, by pointer, batch), " << differ
                            << " differing bits");
}

TEST_CASE("jit: the regressions of Go's math, named (now the C library's own functions)") {
  auto b = jit();
  auto t = test::make_backend("tree");
  struct Case {
    const char* text;
    std::vector<double> values;  // x, y
    double want;                 // exactly
  };
  const std::vector<Case> cases = {
      // Go's Atan2 took the quadrant from Atan(y/x), which underflows to +0 here.
      {"atan2(x, y)", {-1e-300, -1e300}, -M_PI},
      {"atan2(x, y) < 0", {-1e-300, -1e300}, 1},
      // Exact cases that came out inexact.
      {"log10(x)", {1e15, 0}, 15},
      {"floor(log10(x))", {1e15, 0}, 15},
      {"log10(x)", {0.1, 0}, -1},
      {"x^0.5 == sqrt(x)", {2, 0}, 1},
      {"exp2(0.5) == sqrt(2)", {0, 0}, 1},
      {"exp2(x) == sqrt(2)", {0.5, 0}, 1},
  };
  std::vector<test::Checked> checked;
  for (const Case& c : cases) checked.push_back(test::front(c.text, {"x", "y"}));
  // Large trigonometric arguments: glibc's reduction, bit for bit (Go's was 1e5 ulp off).
  const std::vector<double> huge = {-1.8787311012116655e+291, 0x1p30, 1e22, -0x1p1023, 0x1.921fb54442d18p+1000};
  for (const char* f : {"sin(x)", "cos(x)", "tan(x)"}) checked.push_back(test::front(f, {"x", "y"}));
  // Folded at compile time and computed at run time: one answer (the C library's, both).
  checked.push_back(test::front("sin(3*0.37)", {"x", "y"}));
  checked.push_back(test::front("sin(x*0.37)", {"x", "y"}));
  auto j = b->compile(test::unit_of(checked));
  for (std::size_t k = 0; k < cases.size(); ++k) {
    CAPTURE(cases[k].text);
    CHECK(test::same_bits(j[k]->eval(cases[k].values.data()), cases[k].want));
  }
  for (std::size_t k = cases.size(); k < cases.size() + 3; ++k)
    for (double x : huge) {
      CAPTURE(k);
      CAPTURE(x);
      const double row[] = {x, 0};
      CHECK(test::same_bits(j[k]->eval(row), test::compile_one(*t, checked[k])->eval(row)));
    }
  const double three[] = {3, 0};
  CHECK(test::same_bits(j[cases.size() + 3]->eval(three), j[cases.size() + 4]->eval(three)));
  CHECK(test::same_bits(j[cases.size() + 3]->eval(three), std::sin(3 * 0.37)));
}

TEST_CASE("jit: batch equals one-row evaluation; zero rows, zero slots; threads") {
  auto b = jit(path_options());
  const std::vector<std::string> vars = {"a", "b", "c"};
  std::vector<test::Checked> checked;
  for (const char* t : {"sin(a)*b + (c > 0 ? a : b) - max(a, b, c) % 3", "a < b && b < c || !c", "42 + 0*a"})
    checked.push_back(test::front(t, vars));
  test::Checked noslot = test::front("pi * 2", {});
  auto compiled = b->compile(test::unit_of(checked));
  std::mt19937_64 rng(99);
  constexpr std::size_t kRows = 10000;
  std::vector<std::vector<double>> cols(3, std::vector<double>(kRows));
  for (auto& col : cols)
    for (double& x : col) x = test::random_value(rng);
  std::vector<const double*> ptrs = {cols[0].data(), cols[1].data(), cols[2].data()};
  for (auto& c : compiled) {
    std::vector<double> out(kRows);
    c->eval_batch(ptrs.data(), kRows, out.data());
    int same = 0;
    for (std::size_t r = 0; r < kRows; ++r) {
      double row[3] = {cols[0][r], cols[1][r], cols[2][r]};
      same += test::same_bits(c->eval(row), out[r]);
    }
    CHECK(same == static_cast<int>(kRows));
    c->eval_batch(ptrs.data(), 0, nullptr);  // zero rows: nothing happens
  }
  auto k = test::compile_one(*b, noslot);
  double out2[4];
  k->eval_batch(nullptr, 4, out2);
  CHECK(out2[3] == 2 * M_PI);
  // Several threads at once (Compiled objects are immutable).
  std::vector<double> want(kRows);
  compiled[0]->eval_batch(ptrs.data(), kRows, want.data());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t r = static_cast<std::size_t>(t); r < kRows; r += 4) {
        double row[3] = {cols[0][r], cols[1][r], cols[2][r]};
        if (!test::same_bits(compiled[0]->eval(row), want[r])) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}

TEST_CASE("jit: deep nesting up to the front end's limit compiles and agrees with the tree") {
  auto b = jit(path_options());
  std::string neg, sum = "a", cond = "a", paren = "a", fn = "a";
  for (int i = 0; i < 600; ++i) neg += "-";
  neg += "a";
  for (int i = 0; i < 900; ++i) sum += (i % 3 ? "+a*" : "-a/") + std::to_string(i % 7 + 1);
  for (int i = 0; i < 300; ++i) cond = "a > " + std::to_string(i) + " ? " + std::to_string(i) + " : (" + cond + ")";
  for (int i = 0; i < 900; ++i) paren = "(" + paren + "+1)";
  for (int i = 0; i < 200; ++i) fn = "sin(" + fn + ")";
  std::vector<test::Checked> checked;
  for (const std::string* t : {&neg, &sum, &cond, &paren, &fn}) checked.push_back(test::front(*t, {"a"}));
  auto compiled = b->compile(test::unit_of(checked));
  auto tree = test::make_backend("tree");
  for (double a : {-1.5, 0.0, 150.5, 1000.0})
    for (std::size_t k = 0; k < checked.size(); ++k) {
      CAPTURE(k);
      CHECK(test::same_bits(compiled[k]->eval(&a), test::compile_one(*tree, checked[k])->eval(&a)));
    }
}

TEST_CASE("jit: a sum of 100,000 terms builds in functions of bounded size and agrees with the vm") {
  auto b = jit();
  std::string text = "x";
  for (int i = 0; i < 100000; ++i) text += i % 3 ? "+x*" + std::to_string(i % 9) : "-sin(x)";
  const test::Checked c = test::front(text, {"x"});
  const std::string go = b->listing(c.unit());
  // No generated function is longer than a few thousand lines.
  std::size_t longest = 0, lines = 0;
  for (std::size_t at = 0; at < go.size();) {
    const std::size_t nl = go.find('\n', at);
    const std::string_view line(go.data() + at, (nl == std::string::npos ? go.size() : nl) - at);
    lines = line.rfind("func ", 0) == 0 ? 0 : lines + 1;
    longest = std::max(longest, lines);
    at = nl == std::string::npos ? go.size() : nl + 1;
  }
  CHECK(longest < 4000);
  auto code = test::compile_one(*b, c);
  auto vm = test::make_backend("vm");
  for (double x : {0.5, -3.0, 1e-300}) CHECK(test::same_bits(code->eval(&x), test::compile_one(*vm, c)->eval(&x)));
  MESSAGE("100,000-term sum: " << go.size() / 1024 << " KiB of Go, longest function " << longest << " lines");
}

TEST_CASE("jit: a build with no deadline (an infinite or huge timeout) runs to the end") {
  for (double t : {static_cast<double>(INFINITY), 1e300}) {
    CAPTURE(t);
    BackendOptions o;
    o.build_timeout_s = t;
    auto b = jit(o);
    const test::Checked c = test::front("x*3 + " + test::unique_number(), {"x"});  // new to the cache: a build
    const double x = 2;
    CHECK(test::same_bits(test::compile_one(*b, c)->eval(&x), test::compile_one(*test::make_backend("vm"), c)->eval(&x)));
  }
}
