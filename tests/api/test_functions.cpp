// test_functions.cpp — host functions and functions defined in the language, through the
// public API, on every backend: the same bits everywhere (single, bound, batch, and the
// jit's direct and fallback paths), arity and name errors at their positions, recursion
// and redefinition, pure folding, a throwing or NaN-returning host function, and 8 threads.
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exprjit/exprjit.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "random_text.hpp"

namespace {

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Every backend of the build, the jit twice (directly where vetted, and on its fallback).
std::vector<exprjit::CompileOptions> every_backend() {
  std::vector<exprjit::CompileOptions> out;
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    out.push_back({.backend = b.name});
    if (b.name == "jit") out.push_back({.backend = "jit", .jit_call = "fallback"});
  }
  return out;
}
std::string label(const exprjit::CompileOptions& o) { return o.backend + (o.jit_call.empty() ? "" : "/" + o.jit_call); }

double f0() noexcept { return 0.25; }
double f1(double x) noexcept { return std::sin(x) * 3 - 1; }
double f2(double x, double y) noexcept { return std::atan2(y, x) + x * y; }
double f3(double x, double y, double z) { return x * y - z; }  // not noexcept: guarded
double f8(double a, double b, double c, double d, double e, double f, double g, double h) noexcept {
  return a - b + c * d - e / f + g * h;
}
double weighted(const double* args, std::size_t n, void* user) {
  const double w = *static_cast<const double*>(user);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s = s * w + args[i];
  return s;
}
std::atomic<int> g_calls{0};
double counted(double x) noexcept {
  g_calls.fetch_add(1, std::memory_order_relaxed);
  return x + 1;
}
double thrower(double x) {
  if (x > 10) throw std::domain_error("thrower: x > 10");
  return x;
}
double nan_of(double) noexcept { return std::nan(""); }

double g_weight = 0.5;

exprjit::Symbols symbols(std::vector<double>& vars) {
  exprjit::Symbols s;
  s.bind("x", &vars[0]).bind("y", &vars[1]).bind("z", &vars[2]);
  s.bind_function("f0", &f0).bind_function("f1", &f1).bind_function("f2", &f2).bind_function("f3", &f3);
  s.bind_function("f8", &f8);
  s.bind_function("wsum", &weighted, &g_weight, 1, 0);
  s.bind_function("pair", &weighted, &g_weight, 2, 2);
  s.define("sq(t) = t*t; hyp(a, b) = sqrt(sq(a) + sq(b)); k() = 7; lerp(a, b, t) = a + (b - a)*t");
  return s;
}

const char* const kTexts[] = {
    "f0() + f1(x) * f2(x, y) - f3(x, y, z)",
    "f8(x, y, z, x, y, z, x, y) + wsum(x) + wsum(x, y, z) + pair(y, z)",
    "hyp(x, y) + sq(z) - k() + lerp(x, y, 0.25)",
    "x < y ? f1(hyp(x, z)) : wsum(x, y, z, 1, 2, 3, 4, 5)",
    "sin(f1(x))^2 + f2(sq(y), k())^3 + hyp(f0(), f1(z))",
};

}  // namespace

TEST_CASE("host and language functions give the same bits on every backend, single, bound and batch") {
  std::vector<double> vars = {1.5, -2.25, 0.75};
  exprjit::Symbols s = symbols(vars);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-4, 4);
  std::vector<std::vector<double>> rows(64, std::vector<double>(3));
  for (auto& r : rows)
    for (double& v : r) v = u(rng);
  rows[1] = {0.0, -0.0, 1e300};
  rows[2] = {std::nan(""), INFINITY, -INFINITY};
  for (const char* text : kTexts) {
    CAPTURE(text);
    std::vector<double> want;
    const exprjit::Expression ref = exprjit::compile(text, s, {.backend = "tree"});
    for (const auto& r : rows) want.push_back(ref.eval(r));
    std::vector<std::vector<double>> cols(3, std::vector<double>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (int c = 0; c < 3; ++c) cols[c][i] = rows[i][c];
    for (const exprjit::CompileOptions& o : every_backend()) {
      CAPTURE(label(o));
      const exprjit::Expression f = exprjit::compile(text, s, o);
      std::vector<double> out(rows.size());
      f.eval_batch({cols[0], cols[1], cols[2]}, out);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        CAPTURE(i);
        CHECK(same_bits(f.eval(rows[i]), want[i]));
        vars = rows[i];
        CHECK(same_bits(f(), want[i]));
        CHECK(same_bits(out[i], want[i]));
      }
    }
  }
}

TEST_CASE("random expressions calling host and language functions: the same bits on every backend") {
  std::vector<double> vars = {0, 0, 0};
  exprjit::Symbols s = symbols(vars);
  std::mt19937_64 rng(23);
  const std::vector<std::string> names = {"x", "y", "z"};
  std::vector<std::string> texts;
  for (int i = 0; i < 120; ++i) {
    auto r = [&] { return exprjit::test::random_text(rng, names, 3); };
    texts.push_back("hyp(" + r() + ", " + r() + ") + f2(" + r() + ", x) - lerp(" + r() + ", y, z) * f1(" + r() +
                    ") + wsum(" + r() + ", " + r() + ", " + r() + ") + sq(pair(" + r() + ", z))");
  }
  std::vector<std::vector<double>> rows(24, std::vector<double>(3));
  for (auto& row : rows)
    for (double& v : row) v = std::uniform_real_distribution<double>(-3, 3)(rng);
  rows[0] = {0.0, -0.0, std::nan("")};
  rows[1] = {INFINITY, 1e-310, -1e300};
  std::vector<std::vector<double>> cols(3, std::vector<double>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int c = 0; c < 3; ++c) cols[c][i] = rows[i][c];
  const std::vector<exprjit::Expression> ref = exprjit::compile_many(texts, s, {.backend = "tree"});
  for (const exprjit::CompileOptions& o : every_backend()) {
    CAPTURE(label(o));
    const std::vector<exprjit::Expression> fs = exprjit::compile_many(texts, s, o);  // one build for the jit
    int bad = 0;
    for (std::size_t k = 0; k < texts.size(); ++k) {
      std::vector<double> out(rows.size());
      fs[k].eval_batch({cols[0], cols[1], cols[2]}, out);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const double want = ref[k].eval(rows[i]);
        vars = rows[i];
        if (!same_bits(fs[k].eval(rows[i]), want) || !same_bits(fs[k](), want) || !same_bits(out[i], want)) {
          if (++bad <= 3) MESSAGE(texts[k] << " at row " << i);
        }
      }
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("arity, names, recursion and redefinition are errors with positions") {
  std::vector<double> vars = {1, 2, 3};
  exprjit::Symbols s = symbols(vars);
  auto error_of = [&](const std::string& text) {
    try {
      exprjit::compile(text, s);
    } catch (const exprjit::ParseError& e) {
      return std::to_string(e.line()) + ":" + std::to_string(e.column()) + " " + e.message();
    }
    return std::string("no error");
  };
  CHECK(error_of("1 + f2(x)") == "1:5 'f2' takes 2 arguments, given 1");
  CHECK(error_of("pair(x, y, z)") == "1:1 'pair' takes 2 arguments, given 3");
  CHECK(error_of("wsum()").find("'wsum' takes at least 1 argument") != std::string::npos);
  CHECK(error_of("x + f1").find("1:5") == 0);
  CHECK(error_of("hyp(1)") == "1:1 'hyp' takes 2 arguments, given 1");
  CHECK_THROWS_AS(s.bind_function("sin", &f1), exprjit::Error);
  CHECK_THROWS_AS(s.bind_function("x", &f1), exprjit::Error);  // a variable's name
  CHECK_THROWS_AS(s.bind_function("2x", &f1), exprjit::Error);
  CHECK_THROWS_AS(s.bind("f1", &vars[0]), exprjit::Error);     // a function's name
  try {
    s.define("r(t) = r(t) + 1");
    FAIL("recursion accepted");
  } catch (const exprjit::ParseError& e) {
    CHECK(e.column() == 8);
    CHECK(e.message().find("'r' calls itself") != std::string::npos);
  }
  // A later definition replaces the name for later compiles only.
  const exprjit::Expression before = exprjit::compile("sq(3)", s);
  s.define("sq(t) = t*t*t");
  CHECK(before.eval({1, 2, 3}) == 9);
  CHECK(exprjit::compile("sq(3)", s).eval({1, 2, 3}) == 27);
}

TEST_CASE("a pure host function with constant arguments is folded; others are called every time") {
  for (const exprjit::CompileOptions& o : every_backend()) {
    CAPTURE(label(o));
    exprjit::Symbols s;
    double x = 2;
    s.bind("x", &x);
    s.bind_function("pure1", &counted, {.pure = true});
    s.bind_function("plain1", &counted);
    g_calls = 0;
    const exprjit::Expression a = exprjit::compile("pure1(3) + x", s, o);
    const int at_compile = g_calls.load();
    CHECK(at_compile <= 1);  // computed once while compiling (folded)
    for (int i = 0; i < 10; ++i) CHECK(a() == 6);
    CHECK(g_calls.load() == at_compile);  // never again
    const exprjit::Expression b = exprjit::compile("plain1(3) + x", s, o);
    const int before = g_calls.load();
    for (int i = 0; i < 10; ++i) CHECK(b() == 6);
    CHECK(g_calls.load() - before == 10);  // once per evaluation: never at compile time
  }
}

TEST_CASE("a throwing host function: the evaluation finishes, then its exception is rethrown") {
  for (const exprjit::CompileOptions& o : every_backend()) {
    CAPTURE(label(o));
    exprjit::Symbols s;
    double x = 1;
    s.bind("x", &x).bind_function("t", &thrower).bind_function("nan_of", &nan_of);
    const exprjit::Expression f = exprjit::compile("t(x) * 2", s, o);
    CHECK(f() == 2);
    x = 11;
    CHECK_THROWS_WITH_AS(f(), "thrower: x > 10", std::domain_error);
    CHECK_THROWS_AS(f.eval({12.0}), std::domain_error);
    std::vector<double> col = {1, 2, 30, 4}, out(4, -1);
    CHECK_THROWS_AS(f.eval_batch({col}, out), std::domain_error);
    x = 3;
    CHECK(f() == 6);  // nothing left over from the failed call
    const exprjit::Expression n = exprjit::compile("nan_of(x) + 1", s, o);
    CHECK(std::isnan(n()));
  }
}

TEST_CASE("8 threads call host and language functions at once, on every backend") {
  for (const exprjit::CompileOptions& o : every_backend()) {
    CAPTURE(label(o));
    std::vector<double> unused = {0, 0, 0};
    exprjit::Symbols s = symbols(unused);
    const exprjit::Expression f = exprjit::compile(kTexts[0] + std::string(" + hyp(x, wsum(y, z, x))"), s, o);
    std::vector<std::vector<double>> rows(256, std::vector<double>(3));
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(-3, 3);
    for (auto& r : rows)
      for (double& v : r) v = u(rng);
    std::vector<double> want;
    for (const auto& r : rows) want.push_back(f.eval(r));
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int rep = 0; rep < 50; ++rep)
          for (std::size_t i = t; i < rows.size(); i += 3)
            if (!same_bits(f.eval(rows[i]), want[i])) bad.fetch_add(1);
      });
    for (auto& th : threads) th.join();
    CHECK(bad.load() == 0);
  }
}

TEST_CASE("eval_batch refuses an output that overlaps a column") {
  exprjit::Symbols s;
  s.declare("a");
  const exprjit::Expression f = exprjit::compile("a*2", s);
  std::vector<double> buf = {1, 2, 3, 4, 5};
  CHECK_THROWS_AS(f.eval_batch({std::span<const double>(buf.data(), 4)}, std::span<double>(buf.data() + 1, 4)),
                  exprjit::Error);
  CHECK_THROWS_AS(f.eval_batch({std::span<const double>(buf.data(), 4)}, std::span<double>(buf.data(), 4)),
                  exprjit::Error);
  CHECK_NOTHROW(f.eval_batch({std::span<const double>(buf.data(), 2)}, std::span<double>(buf.data() + 2, 2)));
  CHECK(buf[2] == 2);
  CHECK(buf[3] == 4);
}
