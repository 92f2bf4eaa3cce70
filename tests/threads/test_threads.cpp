// test_threads.cpp — compiled expressions of every backend evaluated from 8 threads at once
// (singly and in batch) give the same bits as a serial evaluation.  Built into the normal
// suite and, under ThreadSanitizer, into the tsan build (scripts/test), where any data race
// fails the run.
#include <doctest/doctest.h>

#include <exprjit/exprjit.hpp>

#include <atomic>
#include <thread>

#include "backends/backend.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;

TEST_CASE("every backend, 8 threads, same results as serial") {
  const std::vector<std::string> names = {"a", "b", "c", "x", "y", "z", "w"};
  const std::vector<std::string> exprs = {
      "sin(2.2*a)+cos(pi/b)", "a < b ? min(a, b, c) : max(x, y, z)", "(((((((7*a+6)*a+5)*a+4)*a+3)*a+2)*a+1)*a+0.1)",
      "sqrt(a^2+b^2) % 3 - -w", "!(a && b) || c != x", "clamp(-1, sign(y - z) * hypot(x, w), 1)"};
  constexpr int kThreads = 8, kRows = 257;

  // Columns with awkward values; the expected results come from serial tree evaluation.
  std::mt19937_64 rng(7);
  std::vector<std::vector<double>> cols(names.size(), std::vector<double>(kRows));
  for (auto& col : cols)
    for (double& v : col) v = test::random_value(rng);
  std::vector<const double*> colp;
  for (auto& col : cols) colp.push_back(col.data());

  for (const BackendInfo& info : backend_table()) {
    CAPTURE(info.name);
    test::TestBackend backend;
    try {
      backend = test::make_backend(info.name);
    } catch (const std::exception& e) {
      FAIL("backend " << info.name << " unavailable: " << e.what());
      continue;
    }
    std::vector<test::Checked> checked;
    for (const std::string& e : exprs) checked.push_back(test::front(e, names));
    auto compiled = backend->compile(test::unit_of(checked));
    auto tree = find_backend("tree")->make({});

    // Serial reference: the tree backend (every backend gives the same bits).
    std::vector<std::vector<double>> want(exprs.size(), std::vector<double>(kRows));
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      auto ref = test::compile_one(*tree, checked[i]);
      ref->eval_batch(colp.data(), kRows, want[i].data());
    }

    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<double> row(names.size()), out(kRows);
        for (int rep = 0; rep < 20; ++rep) {
          for (std::size_t i = 0; i < compiled.size(); ++i) {
            int r = (t * 31 + rep * 7 + static_cast<int>(i)) % kRows;
            for (std::size_t s = 0; s < names.size(); ++s) row[s] = cols[s][static_cast<std::size_t>(r)];
            std::vector<const double*> ptrs;
            for (std::size_t s = 0; s < names.size(); ++s) ptrs.push_back(&cols[s][static_cast<std::size_t>(r)]);
            const double v = compiled[i]->eval(row.data());
            compiled[i]->eval_batch(colp.data(), kRows, out.data());
            const double again = compiled[i]->eval_ptrs(ptrs.data());
            const double w = want[i][static_cast<std::size_t>(r)];
            if (!test::same_bits(v, w) || !test::same_bits(again, w) || !test::same_bits(out[static_cast<std::size_t>(r)], w))
              ++mismatches[t];
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) CHECK(mismatches[t] == 0);

    // And after the threads, serially, on every row.
    std::vector<double> out(kRows);
    for (std::size_t i = 0; i < compiled.size(); ++i) {
      compiled[i]->eval_batch(colp.data(), kRows, out.data());
      for (int r = 0; r < kRows; ++r)
        CHECK(test::same_bits(out[static_cast<std::size_t>(r)], want[i][static_cast<std::size_t>(r)]));
    }
  }
}

namespace {
// A host function with shared state it reads (the coefficients) and counts atomically:
// what the API's contract allows a thread-safe host function to do.
std::atomic<long> g_host_calls{0};
const double kCoeffs[] = {0.5, -1.25, 2.0};
double poly3(double x, double y) noexcept {
  g_host_calls.fetch_add(1, std::memory_order_relaxed);
  return (kCoeffs[0] * x + kCoeffs[1]) * y + kCoeffs[2];
}
double sum_all(const double* a, std::size_t n, void* user) {
  double s = *static_cast<const double*>(user);
  for (std::size_t i = 0; i < n; ++i) s += a[i];
  return s;
}
}  // namespace

TEST_CASE("host and language functions from 8 threads at once, through the public API, on every backend") {
  double bias = 0.25;
  exprjit::Symbols s;
  s.declare("a").declare("b");
  s.bind_function("poly3", &poly3).bind_function("sum_all", &sum_all, &bias, 1, 0);
  s.define("hyp(p, q) = sqrt(p*p + q*q); twice(t) = 2*t");
  const std::string text = "poly3(a, b) + sum_all(a, b, hyp(a, b)) - twice(poly3(b, a))";
  std::mt19937_64 rng(11);
  std::vector<std::vector<double>> cols(2, std::vector<double>(513));
  for (auto& c : cols)
    for (double& v : c) v = std::uniform_real_distribution<double>(-4, 4)(rng);
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    const exprjit::Expression f = exprjit::compile(text, s, {.backend = b.name, .threads = 1});
    std::vector<double> want(cols[0].size());
    f.eval_batch({cols[0], cols[1]}, want);
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        std::vector<double> out(cols[0].size());
        for (int rep = 0; rep < 10; ++rep) {
          f.eval_batch({cols[0], cols[1]}, out);
          for (std::size_t i = 0; i < out.size(); ++i) bad += !test::same_bits(out[i], want[i]);
          const std::size_t r = static_cast<std::size_t>(t * 37 + rep) % cols[0].size();
          bad += !test::same_bits(f.eval({cols[0][r], cols[1][r]}), want[r]);
        }
      });
    for (std::thread& th : threads) th.join();
    CHECK(bad.load() == 0);
  }
  CHECK(g_host_calls.load() > 0);
}
