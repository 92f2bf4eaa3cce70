// parallel.cpp — exprjit_parallel: eval_batch on 2 threads against 1, ns per row, for a
// cheap and an expensive expression over a range of row counts (docs/benchmarks.md,
// "Parallel batches"; the cut-off rule of docs/api.md).
//
//   build/bench/exprjit_parallel [BACKEND [EXPR...]]   (EXPR over a and b; default the two above)
#include <exprjit/exprjit.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  const char* backend = argc > 1 ? argv[1] : "vm";
  std::vector<double> a(10000000), b(a.size()), out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = 0.5 + (i % 1000) * 1e-3, b[i] = 1.5 - (i % 777) * 1e-3;
  std::vector<const char*> texts(argv + std::min(argc, 2), argv + argc);
  if (texts.empty()) texts = {"a+b", "sin(a)*cos(b) + sqrt(a*b)"};
  for (const char* text : texts) {
    const exprjit::Expression one = exprjit::compile(text, {"a", "b"}, {.backend = backend, .threads = 1});
    const exprjit::Expression two = exprjit::compile(text, {"a", "b"}, {.backend = backend, .threads = 2});
    for (std::size_t n : {4096ul, 16384ul, 32768ul, 65536ul, 131072ul, 1000000ul, 10000000ul}) {
      auto median_ns = [&](const exprjit::Expression& f) {  // ns per row, median of 15 runs
        std::vector<double> t;
        const int reps = std::max<int>(1, static_cast<int>(2000000 / n));
        for (int r = 0; r < 15; ++r) {
          const auto t0 = std::chrono::steady_clock::now();
          for (int k = 0; k < reps; ++k)
            f.eval_batch({std::span<const double>(a.data(), n), std::span<const double>(b.data(), n)},
                         std::span<double>(out.data(), n));
          t.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
                      (static_cast<double>(reps) * static_cast<double>(n)));
        }
        std::sort(t.begin(), t.end());
        return t[t.size() / 2];
      };
      const double t1 = median_ns(one), t2 = median_ns(two);
      std::printf("%-26s %-4s n=%-9zu 1 thread %7.3f ns/row, 2 threads %7.3f ns/row, speed-up %.2f\n", text, backend, n,
                  t1, t2, t1 / t2);
    }
  }
  return 0;
}
