// jit_bench.cpp — the Go JIT's figures for docs/benchmarks.md ("Go JIT"), measured side by
// side in one run and printed as Markdown:
//   1. compile latency with a warm GOCACHE: a new expression through the jit (codegen, go
//      build, cache store, plugin.Open, symbols, first call) against a bare
//      `go build -buildmode=plugin` of a trivial one-function file;
//   2. a cache hit in a new process: gojit_probe --time, from creating the backend to the
//      first result (the process's Go loader starts inside that time);
//   3. one-row evaluation, ns per call (one C++ -> Go crossing each) against the VM and the
//      same expression written in C++ and compiled here with -O2;
//   4. batch evaluation over N rows, ns per row, against the VM's batch mode and C++ -O2.
//   gojit_bench [--rows=N] [--reps=N]      (meson test -C BUILD --benchmark --suite jit)
// Uses $EXPRJIT_CACHE_DIR when set, else a private directory under the build tree; GOCACHE
// as the environment says (else the tests' shared one).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/gojit/cachedir.hpp"
#include "backends/gojit/process.hpp"
#include "backends/gojit/toolchain.hpp"
#include "frontend/check.hpp"
#include "frontend/parser.hpp"

using namespace exprjit;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Checked {
  ExprPtr expr;
  Scope scope;
};
Checked front(const std::string& text, const std::vector<std::string>& vars) {
  Checked c{parse_expression(text), Scope(vars)};
  check(*c.expr, c.scope);
  return c;
}

std::string unique_tag() {
  static int n = 0;
  return std::to_string(::getpid()) + std::to_string(Clock::now().time_since_epoch().count() % 100000000) +
         std::to_string(n++);
}

// The expressions of sections 3 and 4, each also written in C++.
struct Case {
  const char* text;
  double (*native)(const double* v);
};
constexpr Case kCases[] = {
    {"a + b*c", [](const double* v) { return v[0] + v[1] * v[2]; }},
    {"((((((7*a+6)*a+5)*a+4)*a+3)*a+2)*a+1)*a+0.1",
     [](const double* v) {
       const double a = v[0];
       return ((((((7 * a + 6) * a + 5) * a + 4) * a + 3) * a + 2) * a + 1) * a + 0.1;
     }},
    {"sin(2.2*a) + cos(pi/b)", [](const double* v) { return std::sin(2.2 * v[0]) + std::cos(M_PI / v[1]); }},
    {"a < b ? a*c : b - c", [](const double* v) { return v[0] < v[1] ? v[0] * v[2] : v[1] - v[2]; }},
    {"a^2.5 + sqrt(b)*c", [](const double* v) { return std::pow(v[0], 2.5) + std::sqrt(v[1]) * v[2]; }},
};
const std::vector<std::string> kVars = {"a", "b", "c"};

// The C++ versions with the expression inlined into the loops (a template per case).
template <double (*F)(const double*)>
void native_batch(const double* const* cols, std::size_t n, double* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const double row[3] = {cols[0][i], cols[1][i], cols[2][i]};
    out[i] = F(row);
  }
}
template <double (*F)(const double*)>
double native_single_sum(const std::vector<std::vector<double>>& cols, std::size_t n) {
  double acc = 0, row[3];
  for (std::size_t i = 0; i < n; ++i) {
    row[0] = cols[0][i], row[1] = cols[1][i], row[2] = cols[2][i];
    acc += F(row);
  }
  return acc;
}
using NativeBatch = void (*)(const double* const*, std::size_t, double*);
using NativeSingle = double (*)(const std::vector<std::vector<double>>&, std::size_t);
constexpr NativeBatch kNativeBatch[] = {native_batch<kCases[0].native>, native_batch<kCases[1].native>,
                                        native_batch<kCases[2].native>, native_batch<kCases[3].native>,
                                        native_batch<kCases[4].native>};
constexpr NativeSingle kNativeSingle[] = {native_single_sum<kCases[0].native>, native_single_sum<kCases[1].native>,
                                          native_single_sum<kCases[2].native>, native_single_sum<kCases[3].native>,
                                          native_single_sum<kCases[4].native>};

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 1'000'000;
  int reps = 7;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rows=", 7) == 0) rows = std::strtoull(argv[i] + 7, nullptr, 10);
    else if (std::strncmp(argv[i], "--reps=", 7) == 0) reps = std::atoi(argv[i] + 7);
    else {
      std::fprintf(stderr, "usage: gojit_bench [--rows=N] [--reps=N]\n");
      return 2;
    }
  }
  std::string scratch;
  if (const char* d = std::getenv("EXPRJIT_CACHE_DIR"); !d || !*d) {
    scratch = std::string(GOJIT_TEST_BUILD_DIR) + "/bench-cache";
    ::setenv("EXPRJIT_CACHE_DIR", scratch.c_str(), 1);
  }
  if (const char* g = std::getenv("GOCACHE"); !g || !*g) {
    std::string shared = std::string(GOJIT_TEST_BUILD_DIR) + "/gocache";
    ::mkdir(shared.c_str(), 0700);
    ::setenv("GOCACHE", shared.c_str(), 1);
  }
  try {
    const BackendInfo* vm_info = find_backend("vm");
    auto jit = find_backend("jit")->make({});
    auto vm = (vm_info ? vm_info : find_backend("tree"))->make({});
    const char* vm_name = vm_info ? "vm" : "tree";

    // Warm up: loader (built on first use of this toolchain), GOCACHE, this process's runtime.
    {
      Checked w = front("a + " + unique_tag(), kVars);
      auto t0 = Clock::now();
      jit->compile(*w.expr, kVars.size());
      std::printf("First jit compile in this process (loader from cache or built, Go runtime start): %.0f ms\n\n",
                  secs(t0, Clock::now()) * 1e3);
    }

    // 1. Compile latency, warm GOCACHE, side by side with a bare go build.
    gojit::Cache cache(gojit::cache_root(gojit::Environment::current()));
    gojit::Toolchain tc = gojit::probe_toolchain("", cache, 120, nullptr);
    std::vector<double> bare, stripped, ours;
    auto bare_build = [&](bool strip) {
      const std::string dir = cache.make_temp_dir("bench-");
      const std::string tag = unique_tag();
      std::ofstream(dir + "/t.go") << "package main\n\nfunc F() float64 { return " << tag << " }\n";
      gojit::RunRequest req;
      req.argv = {tc.go, "build", "-buildmode=plugin", "-o", dir + "/t.so", "t.go"};
      if (strip) req.argv.insert(req.argv.begin() + 2, "-ldflags=-s -w");
      req.env = tc.env;
      req.cwd = dir;
      gojit::RunResult res = gojit::run_process(req);
      std::filesystem::remove_all(dir);
      if (!res.ok()) throw std::runtime_error("bare go build failed: " + res.err);
      return res.seconds;
    };
    for (int r = 0; r < reps; ++r) {
      bare.push_back(bare_build(false));
      stripped.push_back(bare_build(true));
      Checked c = front("a*2 + " + unique_tag(), kVars);
      auto t0 = Clock::now();
      jit->compile(*c.expr, kVars.size());
      ours.push_back(secs(t0, Clock::now()));
    }
    std::printf("### Compile latency, warm GOCACHE (median of %d, alternating)\n\n", reps);
    std::printf("| what | median | min | max |\n|---|---|---|---|\n");
    std::printf("| bare `go build -buildmode=plugin` of a one-function file | %.0f ms | %.0f ms | %.0f ms |\n",
                median(bare) * 1e3, *std::min_element(bare.begin(), bare.end()) * 1e3,
                *std::max_element(bare.begin(), bare.end()) * 1e3);
    std::printf("| the same with `-ldflags=-s -w` (as the jit builds) | %.0f ms | %.0f ms | %.0f ms |\n",
                median(stripped) * 1e3, *std::min_element(stripped.begin(), stripped.end()) * 1e3,
                *std::max_element(stripped.begin(), stripped.end()) * 1e3);
    std::printf("| jit compile of a new expression (codegen to first call) | %.0f ms | %.0f ms | %.0f ms |\n",
                median(ours) * 1e3, *std::min_element(ours.begin(), ours.end()) * 1e3,
                *std::max_element(ours.begin(), ours.end()) * 1e3);
    std::printf("| ratio jit / bare (medians) | %.2fx | | |\n", median(ours) / median(bare));
    std::printf("| ratio jit / bare with `-s -w` (medians) | %.2fx | | |\n\n", median(ours) / median(stripped));

    // 2. Cache hit in a new process.
    const std::string cached = "sin(2.2*a) + cos(pi/b) + " + unique_tag();
    std::vector<double> hit, wall;
    for (int r = 0; r <= reps; ++r) {
      gojit::RunRequest req;
      req.argv = {GOJIT_PROBE, "--time", cached, "a=1.1", "b=2.2"};
      req.env = gojit::Environment::current();
      gojit::RunResult res = gojit::run_process(req);
      if (!res.ok()) throw std::runtime_error("gojit_probe failed: " + res.err);
      if (r == 0) continue;  // the first run builds the plugin
      const std::size_t p = res.err.find("compile-to-first-result ");
      hit.push_back(std::strtod(res.err.c_str() + p + 24, nullptr) / 1e6);
      wall.push_back(res.seconds);
    }
    std::printf("### Cache hit in a new process (median of %d)\n\n", reps);
    std::printf("| what | median | min | max |\n|---|---|---|---|\n");
    std::printf("| compile start to first result (loader dlopen + Go runtime start, hash checks, plugin.Open) | "
                "%.1f ms | %.1f ms | %.1f ms |\n",
                median(hit) * 1e3, *std::min_element(hit.begin(), hit.end()) * 1e3,
                *std::max_element(hit.begin(), hit.end()) * 1e3);
    std::printf("| whole process (exec to exit) | %.1f ms | %.1f ms | %.1f ms |\n\n", median(wall) * 1e3,
                *std::min_element(wall.begin(), wall.end()) * 1e3, *std::max_element(wall.begin(), wall.end()) * 1e3);

    // 3 and 4: evaluation.
    std::vector<Checked> checked;
    std::vector<const Expr*> exprs;
    for (const Case& c : kCases) {
      checked.push_back(front(c.text, kVars));
      exprs.push_back(checked.back().expr.get());
    }
    auto jits = jit->compile_many(exprs, kVars.size());
    std::mt19937_64 rng(42);
    std::vector<std::vector<double>> cols = {std::vector<double>(rows), std::vector<double>(rows),
                                             std::vector<double>(rows)};
    for (std::size_t i = 0; i < rows; ++i) {
      cols[0][i] = std::uniform_real_distribution<double>(0.5, 2)(rng);
      cols[1][i] = std::uniform_real_distribution<double>(1, 3)(rng);
      cols[2][i] = std::uniform_real_distribution<double>(-1, 1)(rng);
    }
    const double* ptrs[3] = {cols[0].data(), cols[1].data(), cols[2].data()};
    std::printf("### Evaluation (%zu rows; median of %d; ns per row or per call)\n\n", rows, reps);
    std::printf("| expression | jit single | %s single | C++ -O2 single | jit batch | %s batch | C++ -O2 batch |\n",
                vm_name, vm_name);
    std::printf("|---|---|---|---|---|---|---|\n");
    const std::size_t calls = std::min<std::size_t>(rows, 1'000'000);
    for (std::size_t k = 0; k < std::size(kCases); ++k) {
      auto vmc = vm->compile(*exprs[k], kVars.size());
      auto single = [&](auto f) {
        std::vector<double> t;
        volatile double sink = 0;
        for (int r = 0; r < reps; ++r) {
          double acc = 0, row[3];
          auto t0 = Clock::now();
          for (std::size_t i = 0; i < calls; ++i) {
            row[0] = cols[0][i], row[1] = cols[1][i], row[2] = cols[2][i];
            acc += f(row);
          }
          t.push_back(secs(t0, Clock::now()) / static_cast<double>(calls) * 1e9);
          sink = sink + acc;
        }
        return median(t);
      };
      auto batch = [&](auto f, std::vector<double>& out) {
        std::vector<double> t;
        for (int r = 0; r < reps; ++r) {
          auto t0 = Clock::now();
          f(out.data());
          t.push_back(secs(t0, Clock::now()) / static_cast<double>(rows) * 1e9);
        }
        return median(t);
      };
      const Compiled& j = *jits[k];
      const double js = single([&](const double* v) { return j.eval(v); });
      const double vs = single([&](const double* v) { return vmc->eval(v); });
      std::vector<double> nt;
      volatile double nsink = 0;
      for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        nsink = nsink + kNativeSingle[k](cols, calls);
        nt.push_back(secs(t0, Clock::now()) / static_cast<double>(calls) * 1e9);
      }
      const double ns = median(nt);
      std::vector<double> jo(rows), vo(rows), no(rows);
      const double jb = batch([&](double* out) { j.eval_batch(ptrs, rows, out); }, jo);
      const double vb = batch([&](double* out) { vmc->eval_batch(ptrs, rows, out); }, vo);
      const double nb = batch([&](double* out) { kNativeBatch[k](ptrs, rows, out); }, no);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < rows; ++i) differ += std::memcmp(&jo[i], &vo[i], sizeof(double)) != 0;
      std::printf("| `%s` | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |%s\n", kCases[k].text, js, vs, ns, jb, vb, nb,
                  differ ? (" (" + std::to_string(differ) + " rows differ from the vm in the last bits)").c_str() : "");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gojit_bench: %s\n", e.what());
    return 1;
  }
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  return 0;
}
