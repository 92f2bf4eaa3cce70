// test_threads.cpp — one compiled Expression evaluated from many threads at once (eval,
// eval_batch, and operator() on variables nobody writes), copies made and dropped
// concurrently; every result must equal the single-threaded one, bit for bit.
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <exprjit/exprjit.hpp>
#include <random>
#include <thread>
#include <vector>

#include "random_text.hpp"

namespace {
bool same_bits(double a, double b) {
  return (a != a && b != b) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
}  // namespace

TEST_CASE("many threads evaluate one expression at once, on every backend") {
  constexpr int kThreads = 8;
  constexpr std::size_t kRows = 20000;
  std::mt19937_64 rng(7);
  std::vector<double> xs(kRows), ys(kRows), zs(kRows);
  for (std::size_t r = 0; r < kRows; ++r) {
    xs[r] = exprjit::test::random_value(rng);
    ys[r] = exprjit::test::random_value(rng);
    zs[r] = exprjit::test::random_value(rng);
  }
  const std::string text = "x < y ? hypot(x, z) * y - floor(z) : max(x, y, z) % 3 + sqrt(abs(y))";

  for (const auto& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    double x = 0.5, y = -2, z = 7;  // read by operator(), written by nobody while threads run
    exprjit::Symbols syms;
    syms.bind("x", &x).bind("y", &y).bind("z", &z);
    const exprjit::Expression f = exprjit::compile(text, syms, {.backend = b.name});

    // Single-threaded reference.
    std::vector<double> want(kRows);
    for (std::size_t r = 0; r < kRows; ++r) want[r] = f.eval({xs[r], ys[r], zs[r]});
    const double want_bound = f();

    std::atomic<std::size_t> wrong{0}, done{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < kThreads; ++t) {
      pool.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        // Each thread walks every row, starting at a different place, alternating the
        // single and batch entry points and copying the expression as it goes.
        const std::size_t chunk = 1000, start = static_cast<std::size_t>(t) * 3 * chunk;  // kRows % chunk == 0
        std::vector<double> out(chunk);
        for (std::size_t n = 0; n < kRows; n += chunk) {
          const std::size_t base = (start + n) % kRows;
          const std::size_t m = std::min(chunk, kRows - base);
          exprjit::Expression copy = f;  // concurrent shared_ptr copies and releases
          if ((n / chunk + static_cast<std::size_t>(t)) % 2 == 0) {
            copy.eval_batch({std::span(xs).subspan(base, m), std::span(ys).subspan(base, m),
                             std::span(zs).subspan(base, m)},
                            std::span(out).first(m));
            for (std::size_t i = 0; i < m; ++i)
              if (!same_bits(out[i], want[base + i])) ++wrong;
          } else {
            for (std::size_t i = base; i < base + m; ++i)
              if (!same_bits(copy.eval({xs[i], ys[i], zs[i]}), want[i])) ++wrong;
          }
          if (!same_bits(copy(), want_bound)) ++wrong;
          done += m;
        }
      });
    }
    go = true;
    for (auto& th : pool) th.join();
    CHECK(wrong.load() == 0);
    CHECK(done.load() == kThreads * kRows);
  }
}

TEST_CASE("compiling from several threads at once") {
  // Each thread compiles its own expressions (own Symbols); results must be right.
  for (const auto& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    const int per_thread = b.name == "jit" ? 2 : 200;  // the jit: one go build per compile
    std::atomic<int> wrong{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
      pool.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          double v = t * 1000 + i;
          exprjit::Symbols syms;
          syms.bind("v", &v);
          exprjit::Expression f = exprjit::compile("v * 2 + " + std::to_string(i), syms, {.backend = b.name});
          if (f() != v * 2 + i) ++wrong;
        }
      });
    for (auto& th : pool) th.join();
    CHECK(wrong.load() == 0);
  }
}
