// batch.cpp — evaluating one expression over arrays: columns in, a column out.
//
//   build/examples/batch/example_batch [BACKEND] [ROWS]
//
// Prices a million (by default) rows of a made-up order book with eval_batch, checks every
// row against single evaluation (bit for bit: the API guarantees it), and splits the work
// over threads with eval_batch on sub-spans (one compiled expression, shared).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exprjit/exprjit.hpp>
#include <random>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const std::string backend = argc > 1 ? argv[1] : "";
  const std::size_t rows = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
  try {
    // Compiled against names (no bound addresses): the values come as columns, in the
    // order given here.
    exprjit::Expression price = exprjit::compile(
        "qty * unit * (qty >= 100 ? 0.9 : 1) + (express ? max(5, 0.02 * qty * unit) : 0)",
        {"qty", "unit", "express"}, {.backend = backend});
    std::printf("backend %s, %zu rows, columns:", price.backend().c_str(), rows);
    for (const std::string& v : price.variables()) std::printf(" %s", v.c_str());
    std::printf("\n");

    std::mt19937_64 rng(42);
    std::vector<double> qty(rows), unit(rows), express(rows), out(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      qty[i] = static_cast<double>(1 + rng() % 250);
      unit[i] = static_cast<double>(rng() % 10000) / 100;
      express[i] = static_cast<double>(rng() % 2);
    }

    // One call for all rows.
    auto t0 = std::chrono::steady_clock::now();
    price.eval_batch({qty, unit, express}, out);
    auto t1 = std::chrono::steady_clock::now();

    // The same rows one at a time, for comparison (and as the check).
    std::size_t differ = 0;
    double total = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      const double one = price.eval({qty[i], unit[i], express[i]});
      if (std::memcmp(&one, &out[i], sizeof one) != 0) ++differ;
      total += out[i];
    }
    auto t2 = std::chrono::steady_clock::now();

    // Threads: each evaluates its own slice of the columns with the same Expression.
    std::vector<double> out2(rows);
    const unsigned nthreads = 4;
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < nthreads; ++k)
      pool.emplace_back([&, k] {
        const std::size_t from = rows * k / nthreads, to = rows * (k + 1) / nthreads;
        auto slice = [&](const std::vector<double>& c) { return std::span(c).subspan(from, to - from); };
        price.eval_batch({slice(qty), slice(unit), slice(express)}, std::span(out2).subspan(from, to - from));
      });
    for (auto& th : pool) th.join();
    if (std::memcmp(out.data(), out2.data(), rows * sizeof(double)) != 0) ++differ;

    auto ns = [&](auto d) { return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(rows); };
    std::printf("total %.2f; eval_batch %.1f ns/row, eval %.1f ns/row (informative, not a benchmark)\n", total,
                ns(t1 - t0), ns(t2 - t1));
    if (differ) std::fprintf(stderr, "%zu rows differ between batch and single evaluation\n", differ);
    return differ ? 1 : 0;
  } catch (const exprjit::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
