// tiers.cpp — exprjit_tiers: wall-clock time to the last result, from before compile(), of
// N evaluations of one expression on one backend (docs/benchmarks.md, "Time to result").
// One measurement per process, since a process keeps every plugin it loaded: the driver
// (bench/report/tiers.py) chooses the cache state with EXPRJIT_CACHE_DIR.
//
//   build/bench/exprjit_tiers single|batch BACKEND N [TIER]
// single: N calls of operator() on bound variables, one of them changed before each call;
// batch: N rows through eval_batch, in calls of at most 2^20 rows.  Prints
// "<seconds> <checksum> <how>" (the checksum keeps the work from being optimised away and
// lets the driver compare backends).
#include <exprjit/exprjit.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: exprjit_tiers single|batch BACKEND N [TIER]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const std::string backend = argv[2];
  const double n_d = std::strtod(argv[3], nullptr);
  const auto n = static_cast<std::uint64_t>(n_d);
  const std::string text = "(a + b) * c - sin(a) / (1 + b*b)";
  double a = 0.5, b = 1.25, c = -3;
  exprjit::CompileOptions o{.backend = backend, .threads = 1};
  if (argc > 4) o.tier = argv[4];
  double sum = 0;
  std::string how;
  const auto t0 = std::chrono::steady_clock::now();
  if (mode == "single") {
    exprjit::Symbols syms;
    syms.bind("a", &a).bind("b", &b).bind("c", &c);
    const exprjit::Expression f = exprjit::compile(text, syms, o);
    for (std::uint64_t i = 0; i < n; ++i) {
      a = static_cast<double>(i & 1023) * 1e-3;
      sum += f();
    }
    how = f.how();
  } else {
    const std::size_t block = static_cast<std::size_t>(std::min<std::uint64_t>(n, 1u << 20));
    std::vector<double> ca(block), cb(block, 1.25), cc(block, -3), out(block);
    for (std::size_t i = 0; i < block; ++i) ca[i] = static_cast<double>(i & 1023) * 1e-3;
    const exprjit::Expression f = exprjit::compile(text, {"a", "b", "c"}, o);
    for (std::uint64_t done = 0; done < n;) {
      const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(block, n - done));
      f.eval_batch({std::span<const double>(ca.data(), m), std::span<const double>(cb.data(), m),
                    std::span<const double>(cc.data(), m)},
                   std::span<double>(out.data(), m));
      sum += out[m - 1];
      done += m;
    }
    how = f.how();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%.6f %.17g %s\n", s, sum, how.c_str());
  return 0;
}
