// test_jit.cpp — the Go JIT backend's results: conformance, differential against the VM
// (or the tree backend), every inexact function against glibc, batch against single rows,
// threads, deep nesting.  The build, cache and toolchain side: test_jit_cache.cpp.
//
// Every test uses this process's private EXPRJIT_CACHE_DIR and the shared GOCACHE
// (jit_test_env); the number of `go build` runs is kept small (CI has 2 cores).
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <random>
#include <sstream>
#include <thread>

#include "backends/backend.hpp"
#include "backends/tree/tree.hpp"
#include "frontend/format.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using test::jit;

namespace {

// The reference backend of the differential test: the VM when this build has it.
const BackendInfo& reference_backend() {
  const BackendInfo* vm = find_backend("vm");
  return vm ? *vm : *find_backend("tree");
}

// The call path a test runs through: every test that evaluates runs once per path (doctest
// subcases); the plugin is built once and reused in-process.
BackendOptions path_options() {
  BackendOptions o;
  o.jit_call = "cgo";
  SUBCASE("through cgo") { o.jit_call = "cgo"; }
  SUBCASE("called directly") { o.jit_call = "direct"; }  // an error if any function cannot be
  return o;
}

bool is_exact(const Expr& e) {
  return std::visit(
      [](const auto& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, Unary>) return is_exact(*n.operand);
        if constexpr (std::is_same_v<T, Binary>) return n.op != BinOp::Pow && is_exact(*n.lhs) && is_exact(*n.rhs);
        if constexpr (std::is_same_v<T, Conditional>)
          return is_exact(*n.cond) && is_exact(*n.then_expr) && is_exact(*n.else_expr);
        if constexpr (std::is_same_v<T, Call>) {
          bool ok = n.fn->exact;
          for (const ExprPtr& a : n.args) ok = ok && is_exact(*a);
          return ok;
        }
        return true;
      },
      e.node);
}

}  // namespace

TEST_CASE("jit: 1+1.2-5 is -2.8, and --emit=go shows what is built") {
  auto b = jit();
  test::Checked c = test::front("1+1.2-5", {});
  auto compiled = b->compile(*c.expr, 0);
  CHECK(format_value(compiled->eval(nullptr)) == "-2.8");
  CHECK(b->name() == "jit");
  const std::string go = b->emit(*c.expr, 0);
  CHECK(go.find("package main") != std::string::npos);
  CHECK(go.find("func E0(_, _, _ uintptr, vp unsafe.Pointer) float64") != std::string::npos);
  CHECK(go.find("func B0(cols unsafe.Pointer, out unsafe.Pointer, n int)") != std::string::npos);
}

TEST_CASE("jit: every conformance case (one plugin): exact bit for bit, ulp within 4 ulp") {
  const BackendOptions o = path_options();
  auto b = jit(o);
  const auto cases = test::load_conformance();
  const auto names = test::conformance_var_names();
  const auto values = test::conformance_var_values();
  std::vector<test::Checked> checked;
  std::vector<const Expr*> exprs;
  for (const auto& c : cases) {
    checked.push_back(test::front(c.expr, names));
    exprs.push_back(checked.back().expr.get());
  }
  auto compiled = b->compile_many(exprs, names.size());
  REQUIRE(compiled.size() == cases.size());
  std::vector<const double*> cols;
  for (const double& v : values) cols.push_back(&v);
  std::uint64_t worst = 0;
  std::string worst_case;
  int exact = 0, ulp = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    CAPTURE(c.line);
    CAPTURE(c.expr);
    const double got = compiled[i]->eval(values.data());
    double batch = 0;
    compiled[i]->eval_batch(cols.data(), 1, &batch);
    CHECK(test::same_bits(got, batch));
    if (c.exact) {
      ++exact;
      CHECK_MESSAGE(test::same_bits(got, c.value), "got " << format_hex(got) << ", want " << c.hex);
    } else {
      ++ulp;
      const std::uint64_t d = test::ulp_distance(got, c.value);
      CHECK_MESSAGE(d <= 4, "got " << format_hex(got) << ", want " << c.hex << " (" << d << " ulp)");
      if (d > worst || worst_case.empty()) worst = std::max(worst, d), worst_case = c.expr;
    }
  }
  MESSAGE("jit conformance (" << o.jit_call << "): " << exact << " exact rows bit for bit, " << ulp
                              << " ulp rows; largest distance from glibc: " << worst << " ulp (" << worst_case << ")");
}

TEST_CASE("jit: differential against the VM on seeded random expressions, one plugin") {
  const BackendInfo& ref_info = reference_backend();
  auto ref = ref_info.make({});
  const BackendOptions o = path_options();
  auto b = jit(o);
  const std::vector<std::string> vars = {"a", "b", "c", "x", "y"};
  std::mt19937_64 rng(0x5eed'0404);
  std::vector<test::Checked> exact, inexact;
  while (exact.size() < 300 || inexact.size() < 100) {
    test::Checked c = test::front(test::random_expression(rng, vars, 6), vars);
    auto& bucket = is_exact(*c.expr) ? exact : inexact;
    if (bucket.size() < (&bucket == &exact ? 300u : 100u)) bucket.push_back(std::move(c));
  }
  std::vector<const Expr*> exprs;
  for (auto& c : exact) exprs.push_back(c.expr.get());
  for (auto& c : inexact) exprs.push_back(c.expr.get());
  auto compiled = b->compile_many(exprs, vars.size());
  REQUIRE(compiled.size() == exprs.size());

  constexpr std::size_t kRows = 8;
  std::uint64_t worst = 0;
  int beyond = 0, mismatches = 0;
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    auto r = ref->compile(*exprs[k], vars.size());
    std::vector<std::vector<double>> cols(vars.size(), std::vector<double>(kRows));
    for (std::size_t row = 0; row < kRows; ++row)
      for (auto& col : cols) col[row] = test::random_value(rng);
    std::vector<const double*> ptrs;
    for (auto& col : cols) ptrs.push_back(col.data());
    std::vector<double> batch(kRows);
    compiled[k]->eval_batch(ptrs.data(), kRows, batch.data());
    for (std::size_t row = 0; row < kRows; ++row) {
      std::vector<double> v;
      for (auto& col : cols) v.push_back(col[row]);
      const double want = r->eval(v.data()), got = compiled[k]->eval(v.data());
      CHECK(test::same_bits(got, batch[row]));
      if (k < exact.size()) {
        if (!test::same_bits(got, want)) {
          ++mismatches;
          std::ostringstream s;
          for (std::size_t i = 0; i < v.size(); ++i) s << " " << vars[i] << "=" << format_hex(v[i]);
          FAIL_CHECK(to_sexpr(*exprs[k]) << "\n  with" << s.str() << "\n  " << ref_info.name << " "
                                          << format_hex(want) << "  jit " << format_hex(got));
        }
      } else {
        const std::uint64_t d = test::ulp_distance(got, want);
        if (d > 4) ++beyond;
        if (d != UINT64_MAX) worst = std::max(worst, d);
      }
    }
  }
  CHECK(mismatches == 0);
  MESSAGE("jit (" << o.jit_call << ") vs " << ref_info.name << ": " << exact.size() << " exact-only expressions x " << kRows
                    << " rows bit for bit; " << inexact.size()
                    << " with transcendental functions or ^: " << beyond << " of " << inexact.size() * kRows
                    << " results beyond 4 ulp (errors propagate; reported, not asserted), largest finite distance "
                    << worst << " ulp");
}

TEST_CASE("jit: batch equals one-row evaluation; zero rows, zero slots; threads") {
  auto b = jit(path_options());
  const std::vector<std::string> vars = {"a", "b", "c"};
  std::vector<test::Checked> checked;
  for (const char* t : {"sin(a)*b + (c > 0 ? a : b) - max(a, b, c) % 3", "a < b && b < c || !c", "42 + 0*a"})
    checked.push_back(test::front(t, vars));
  test::Checked noslot = test::front("pi * 2", {});
  std::vector<const Expr*> exprs = {checked[0].expr.get(), checked[1].expr.get(), checked[2].expr.get()};
  auto compiled = b->compile_many(exprs, vars.size());
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
  auto k = b->compile(*noslot.expr, 0);
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
  std::string neg, sum = "a", cond = "a", paren = "a";
  for (int i = 0; i < 600; ++i) neg += "-";
  neg += "a";
  for (int i = 0; i < 900; ++i) sum += (i % 3 ? "+a*" : "-a/") + std::to_string(i % 7 + 1);
  for (int i = 0; i < 300; ++i) cond = "a > " + std::to_string(i) + " ? " + std::to_string(i) + " : (" + cond + ")";
  for (int i = 0; i < 900; ++i) paren = "(" + paren + "+1)";
  std::vector<test::Checked> checked;
  std::vector<const Expr*> exprs;
  for (const std::string* t : {&neg, &sum, &cond, &paren}) {
    checked.push_back(test::front(*t, {"a"}));
    exprs.push_back(checked.back().expr.get());
  }
  auto compiled = b->compile_many(exprs, 1);
  auto tree = make_tree_backend({});
  for (double a : {-1.5, 0.0, 150.5, 1000.0})
    for (std::size_t k = 0; k < exprs.size(); ++k) {
      CAPTURE(k);
      CHECK(test::same_bits(compiled[k]->eval(&a), tree->compile(*exprs[k], 1)->eval(&a)));
    }
}

TEST_CASE("jit: every inexact function within 4 ulp of glibc on sampled arguments (largest distance printed)") {
  auto b = jit();
  struct Fn {
    const char* text;
    double (*ref)(double, double);
    bool trig;  // checked for |x| < 2^30 (beyond, Go's own reduction: reported)
  };
  const std::vector<Fn> fns = {
      {"sin(x)", [](double x, double) { return std::sin(x); }, true},
      {"cos(x)", [](double x, double) { return std::cos(x); }, true},
      {"tan(x)", [](double x, double) { return std::tan(x); }, true},
      {"asin(x)", [](double x, double) { return std::asin(x); }, false},
      {"acos(x)", [](double x, double) { return std::acos(x); }, false},
      {"atan(x)", [](double x, double) { return std::atan(x); }, false},
      {"exp(x)", [](double x, double) { return std::exp(x); }, false},
      {"exp2(x)", [](double x, double) { return std::exp2(x); }, false},
      {"log(x)", [](double x, double) { return std::log(x); }, false},
      {"log2(x)", [](double x, double) { return std::log2(x); }, false},
      {"log10(x)", [](double x, double) { return std::log10(x); }, false},
      {"sinh(x)", [](double x, double) { return std::sinh(x); }, false},
      {"cosh(x)", [](double x, double) { return std::cosh(x); }, false},
      {"tanh(x)", [](double x, double) { return std::tanh(x); }, false},
      {"asinh(x)", [](double x, double) { return std::asinh(x); }, false},
      {"acosh(x)", [](double x, double) { return std::acosh(x); }, false},
      {"atanh(x)", [](double x, double) { return std::atanh(x); }, false},
      {"cbrt(x)", [](double x, double) { return std::cbrt(x); }, false},
      {"atan2(x, y)", [](double x, double y) { return std::atan2(x, y); }, false},
      {"hypot(x, y)", [](double x, double y) { return std::hypot(x, y); }, false},
      {"x ^ y", [](double x, double y) { return std::pow(x, y); }, false},
  };
  const std::vector<std::string> vars = {"x", "y"};
  std::vector<test::Checked> checked;
  std::vector<const Expr*> exprs;
  for (const Fn& f : fns) {
    checked.push_back(test::front(f.text, vars));
    exprs.push_back(checked.back().expr.get());
  }
  auto compiled = b->compile_many(exprs, vars.size());
  // Arguments: small, moderate, large, near 1, subnormal, any bits, near multiples of pi/2.
  std::mt19937_64 rng(0x5eed'0ace);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> xs, ys;
  for (int i = 0; i < 20000; ++i) {
    for (double x : {u(rng) * 1.2, u(rng) * 1e4, u(rng) * 1.07e9, 1 + u(rng) * 1e-4, std::fabs(u(rng)) * 1e-310,
                     std::bit_cast<double>(rng()), std::nextafter((i + 1) * (M_PI / 2), 0.0), std::fabs(u(rng)) * 700,
                     709 + std::fabs(u(rng))}) {
      xs.push_back(x);
      ys.push_back(u(rng) * 20);
    }
  }
  const double* cols[2] = {xs.data(), ys.data()};
  std::vector<double> out(xs.size());
  for (std::size_t k = 0; k < fns.size(); ++k) {
    compiled[k]->eval_batch(cols, xs.size(), out.data());
    std::uint64_t worst = 0, worst_far = 0;
    double worst_x = 0, worst_y = 0;
    long beyond = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const std::uint64_t d = test::ulp_distance(out[i], fns[k].ref(xs[i], ys[i]));
      if (fns[k].trig && !(std::fabs(xs[i]) < 0x1p30)) {
        worst_far = std::max(worst_far, d);
        continue;
      }
      beyond += d > 4;
      if (d > worst) worst = d, worst_x = xs[i], worst_y = ys[i];
    }
    const std::string name = fns[k].text;
    CHECK_MESSAGE(beyond == 0, name << ": " << beyond << " results beyond 4 ulp, worst " << worst << " ulp at x="
                                    << format_hex(worst_x) << " y=" << format_hex(worst_y));
    MESSAGE(name << ": largest distance from glibc " << worst << " ulp (x=" << format_hex(worst_x) << " y="
                 << format_hex(worst_y) << ") over " << xs.size() << " arguments"
                 << (fns[k].trig ? " with |x| < 2^30; beyond, " + std::to_string(worst_far) + " ulp" : std::string()));
  }
}
