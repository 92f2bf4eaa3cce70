// test_parallel.cpp — batches on the library's pool, and several outputs per pass: the same
// bits as one thread, whatever the thread count and the row count around the part sizes,
// on every backend; errors for mismatched or overlapping arguments; an exception in a part
// reaches the caller.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <exprjit/exprjit.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::vector<std::vector<double>> random_columns(std::size_t rows, int ncols, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-5, 5);
  std::vector<std::vector<double>> c(static_cast<std::size_t>(ncols), std::vector<double>(rows));
  for (auto& col : c)
    for (double& v : col) v = u(rng);
  return c;
}

double thrower(double x) {
  if (x > 4.999) throw std::range_error("thrower: too big");
  return x;
}

}  // namespace

TEST_CASE("a parallel batch gives the bits of one thread, on every backend") {
  const std::vector<std::string> vars = {"a", "b", "c"};
  const char* text = "sin(a)*b + c^3 - (a < b ? hypot(a, c) : b % 1.5)";
  const std::size_t rows = 12 * exprjit::kParallelProbeRows + 77;  // several parts, on expensive rows
  const auto cols = random_columns(rows, 3, 3);
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    const exprjit::Expression one = exprjit::compile(text, vars, {.backend = b.name, .threads = 1});
    CHECK(one.threads() == 1);
    std::vector<double> want(rows);
    one.eval_batch({cols[0], cols[1], cols[2]}, want);
    for (unsigned t : {2u, 3u, 8u, 0u}) {
      CAPTURE(t);
      const exprjit::Expression f = exprjit::compile(text, vars, {.backend = b.name, .threads = t});
      CHECK(f.threads() == (t ? t : std::max(1u, std::thread::hardware_concurrency())));
      // Row counts around the part size and its multiples.
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, exprjit::kParallelProbeRows - 1, exprjit::kParallelProbeRows,
                            2 * exprjit::kParallelProbeRows + 1, rows}) {
        CAPTURE(n);
        std::vector<double> out(n + 2, -7.0);  // a guard on each side
        f.eval_batch({cols[0], cols[1], cols[2]}, std::span<double>(out.data() + 1, n));
        CHECK(out.front() == -7.0);
        CHECK(out.back() == -7.0);
        bool all = true;
        for (std::size_t i = 0; i < n; ++i) all = all && same_bits(out[i + 1], want[i]);
        CHECK(all);
      }
    }
  }
}

TEST_CASE("several outputs in one pass equal one batch each") {
  exprjit::Symbols s;
  s.declare("x").declare("y");
  const std::vector<std::string> texts = {"x*y", "x+y", "sqrt(abs(x)) - y^2", "max(x, y, 0)"};
  const std::size_t rows = 2 * exprjit::kParallelProbeRows + 4099;
  const auto cols = random_columns(rows, 2, 9);
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    const std::vector<exprjit::Expression> fs = exprjit::compile_many(texts, s, {.backend = b.name, .threads = 2});
    std::vector<std::vector<double>> outs(fs.size(), std::vector<double>(rows));
    std::vector<std::span<double>> spans(outs.begin(), outs.end());
    const std::span<const double> in[] = {cols[0], cols[1]};
    exprjit::eval_batch_many(fs, in, spans);
    for (std::size_t k = 0; k < fs.size(); ++k) {
      std::vector<double> want(rows);
      fs[k].eval_batch({cols[0], cols[1]}, want);
      bool all = true;
      for (std::size_t i = 0; i < rows; ++i) all = all && same_bits(outs[k][i], want[i]);
      CHECK_MESSAGE(all, texts[k]);
    }
  }
}

TEST_CASE("eval_batch_many refuses mismatched and overlapping arguments") {
  exprjit::Symbols xy, yx;
  xy.declare("x").declare("y");
  yx.declare("y").declare("x");
  const exprjit::Expression a = exprjit::compile("x+y", xy), b = exprjit::compile("x*y", yx);
  std::vector<double> x(8, 1), y(8, 2), o1(8), o2(8), o3(7);
  const std::span<const double> cols[] = {x, y};
  std::vector<exprjit::Expression> ab = {a, b};
  CHECK_THROWS_AS(exprjit::eval_batch_many(ab, cols, std::vector<std::span<double>>{o1, o2}), exprjit::Error);
  std::vector<exprjit::Expression> aa = {a, a};
  CHECK_THROWS_AS(exprjit::eval_batch_many(aa, cols, std::vector<std::span<double>>{o1, o3}), exprjit::Error);
  CHECK_THROWS_AS(exprjit::eval_batch_many(aa, cols, std::vector<std::span<double>>{o1, o1}), exprjit::Error);
  CHECK_THROWS_AS(exprjit::eval_batch_many(aa, cols, std::vector<std::span<double>>{o1}), exprjit::Error);
  CHECK_THROWS_AS(exprjit::eval_batch_many(aa, cols, std::vector<std::span<double>>{o1, std::span<double>(x)}),
                  exprjit::Error);
  exprjit::eval_batch_many(aa, cols, std::vector<std::span<double>>{o1, o2});
  CHECK(o1[7] == 3);
  CHECK(o2[0] == 3);
}

TEST_CASE("an exception in one part of a parallel batch reaches the caller, after every part finished") {
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    exprjit::Symbols s;
    s.declare("a").bind_function("t", &thrower);
    // Rows costly enough that the batch goes parallel (the first part is timed).
    const exprjit::Expression f = exprjit::compile("t(a) + 1 + 0*sin(a)*cos(a)*exp(a)", s, {.backend = b.name, .threads = 4});
    const std::size_t rows = 64 * exprjit::kParallelProbeRows;
    std::vector<double> a(rows, 1.0), out(rows);
    a[rows - 3] = 6;  // in the last part
    CHECK_THROWS_WITH_AS(f.eval_batch({a}, out), "thrower: too big", std::range_error);
    a[rows - 3] = 1;
    f.eval_batch({a}, out);  // the pool is fine afterwards
    CHECK(out[rows - 3] == 2);
    CHECK(out[0] == 2);
  }
}
