// direct_bench.cpp — the figures of docs/benchmarks.md, "Go JIT direct calls": every
// expression of the public math-parser corpus (bench/bench_expr.txt), evaluated side by
// side in one run by
//   - the same expression written in C++, compiled with -O2 into a shared object and
//     called through a function pointer (native_cpp.hpp): the reference;
//   - the jit, calling the plugin directly (--jit-call=auto, which the run checks is direct);
//   - the jit through cgo (--jit-call=cgo, the same plugin);
//   - the VM;
// one row per call (the corpus's variables, a,b and x,y swapped every other call, as the
// peer benchmark does) and in batch (ns per row).  Prints Markdown: the corpus medians and
// their ratios to native, and with --all every expression.
//   gojit_direct_bench [--calls=N] [--rows=N] [--reps=N] [--all]
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/gojit/gojit.hpp"
#include "frontend/check.hpp"
#include "frontend/parser.hpp"
#include "tests/gojit/native_cpp.hpp"

using namespace exprjit;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

std::vector<std::string> corpus(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

struct Entry {
  std::string text;
  ExprPtr expr;
  Scope scope;
};

// The methods measured; one column each in single and in batch.
enum Method { kNative, kDirect, kCgo, kVm, kMethods };
const char* const kNames[kMethods] = {"C++ -O2 through a pointer", "jit, direct call", "jit through cgo", "vm"};

}  // namespace

int main(int argc, char** argv) {
  std::size_t calls = 200'000, rows = 100'000;
  int reps = 5;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--calls=", 8) == 0) calls = std::strtoull(argv[i] + 8, nullptr, 10);
    else if (std::strncmp(argv[i], "--rows=", 7) == 0) rows = std::strtoull(argv[i] + 7, nullptr, 10);
    else if (std::strncmp(argv[i], "--reps=", 7) == 0) reps = std::max(1, std::atoi(argv[i] + 7));
    else if (std::strcmp(argv[i], "--all") == 0) all = true;
    else {
      std::fprintf(stderr, "usage: gojit_direct_bench [--calls=N] [--rows=N] [--reps=N] [--all]\n");
      return 2;
    }
  }
  const std::string build = GOJIT_TEST_BUILD_DIR;
  std::string scratch;
  if (const char* d = std::getenv("EXPRJIT_CACHE_DIR"); !d || !*d) {
    scratch = build + "/direct-bench-cache";
    ::setenv("EXPRJIT_CACHE_DIR", scratch.c_str(), 1);
  }
  if (const char* g = std::getenv("GOCACHE"); !g || !*g) {
    const std::string shared = build + "/gocache";
    ::mkdir(shared.c_str(), 0700);
    ::setenv("GOCACHE", shared.c_str(), 1);
  }
  try {
    const std::vector<std::string> vars = {"a", "b", "c", "x", "y", "z", "w"};
    std::vector<Entry> entries;
    std::size_t refused = 0;
    for (const std::string& t : corpus(GOJIT_BENCH_CORPUS)) {
      try {
        Entry e{t, parse_expression(t), Scope(vars)};
        check(*e.expr, e.scope);
        entries.push_back(std::move(e));
      } catch (const std::exception&) {
        ++refused;
      }
    }
    std::vector<const Expr*> exprs;
    for (const Entry& e : entries) exprs.push_back(e.expr.get());

    const std::string dir = build + "/direct-bench";
    std::filesystem::create_directories(dir);
    bench::NativeLibrary native(exprs, GOJIT_CXX, EXPRJIT_SOURCE_ROOT, dir);
    std::ostringstream log;
    BackendOptions direct_opts;
    direct_opts.verbose = &log;
    BackendOptions cgo_opts;
    cgo_opts.jit_call = "cgo";
    const auto t0 = Clock::now();
    auto direct = find_backend("jit")->make(direct_opts)->compile_many(exprs, vars.size());
    const double jit_s = std::chrono::duration<double>(Clock::now() - t0).count();
    auto cgo = find_backend("jit")->make(cgo_opts)->compile_many(exprs, vars.size());
    auto vm_backend = find_backend("vm")->make({});
    std::vector<std::unique_ptr<Compiled>> vm;
    for (const Expr* e : exprs) vm.push_back(vm_backend->compile(*e, vars.size()));
    std::string direct_line;  // what the jit chose, from its --verbose log
    std::istringstream in(log.str());
    for (std::string l; std::getline(in, l);)
      if (l.find("jit: direct calls for") == 0 || l.find("jit: calls go through cgo") == 0) direct_line = l;

    // The corpus's values; every other row swaps a,b and x,y.
    const double base[7] = {1.1, 2.2, 3.3, 2.123456, 3.123456, 4.123456, 5.123456};
    const double swapped[7] = {2.2, 1.1, 3.3, 3.123456, 2.123456, 4.123456, 5.123456};
    const double* row_of[2] = {base, swapped};
    std::vector<std::vector<double>> cols(7, std::vector<double>(rows));
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t s = 0; s < 7; ++s) cols[s][r] = row_of[r & 1][s];
    std::vector<const double*> ptrs;
    for (auto& c : cols) ptrs.push_back(c.data());

    std::vector<double> single_ns[kMethods], batch_ns[kMethods];
    std::vector<double> bare_native, bare_fn, bare_eval;  // the bare expressions only
    std::size_t same_native = 0, same_cgo = 0;
    volatile double sink = 0;
    std::vector<double> out(rows), ref(rows);
    for (std::size_t k = 0; k < exprs.size(); ++k) {
      const auto nrow = native.row(k);
      const auto nbatch = native.batch(k);
      const Compiled &d = *direct[k], &c = *cgo[k], &v = *vm[k];
      auto time_single = [&](auto&& f) {
        double acc = 0;
        const auto a = Clock::now();
        for (std::size_t i = 0; i < calls; ++i) acc += f(row_of[i & 1]);
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - a).count() / static_cast<double>(calls);
        sink = sink + acc;
        return ns;
      };
      auto time_batch = [&](auto&& f) {
        const auto a = Clock::now();
        f(out.data());
        return std::chrono::duration<double, std::nano>(Clock::now() - a).count() / static_cast<double>(rows);
      };
      std::vector<double> s[kMethods], b[kMethods];
      // Interleaved, and in a rotating order, so that drifts of a shared machine and the
      // cost of going first hit every method alike.
      for (int r = 0; r < reps; ++r)
        for (int j = 0; j < kMethods; ++j) {
          switch ((r + j) % kMethods) {
            case kNative: s[kNative].push_back(time_single([&](const double* row) { return nrow(row); })); break;
            case kDirect: s[kDirect].push_back(time_single([&](const double* row) { return d.eval(row); })); break;
            case kCgo: s[kCgo].push_back(time_single([&](const double* row) { return c.eval(row); })); break;
            default: s[kVm].push_back(time_single([&](const double* row) { return v.eval(row); })); break;
          }
        }
      for (int r = 0; r < reps; ++r)
        for (int j = 0; j < kMethods; ++j) {
          switch ((r + j) % kMethods) {
            case kNative: b[kNative].push_back(time_batch([&](double* o) { nbatch(ptrs.data(), rows, o); })); break;
            case kDirect: b[kDirect].push_back(time_batch([&](double* o) { d.eval_batch(ptrs.data(), rows, o); })); break;
            case kCgo: b[kCgo].push_back(time_batch([&](double* o) { c.eval_batch(ptrs.data(), rows, o); })); break;
            default: b[kVm].push_back(time_batch([&](double* o) { v.eval_batch(ptrs.data(), rows, o); })); break;
          }
        }
      for (int m = 0; m < kMethods; ++m) single_ns[m].push_back(median(s[m])), batch_ns[m].push_back(median(b[m]));
      if (const Compiled::PlainFunction f = d.plain_function()) {  // the same call without Compiled::eval
        std::vector<double> t;
        for (int r = 0; r < reps; ++r) t.push_back(time_single([&](const double* row) { return f(row); }));
        bare_native.push_back(single_ns[kNative][k]), bare_eval.push_back(single_ns[kDirect][k]);
        bare_fn.push_back(median(t));
      }
      const double dv = d.eval(base), nv = nrow(base), cv = c.eval(base);
      same_native += std::memcmp(&dv, &nv, sizeof dv) == 0;
      same_cgo += std::memcmp(&dv, &cv, sizeof dv) == 0;
      if (all && k == 0) {
        std::printf("| expression | native | direct | cgo | vm | native batch | direct batch | cgo batch | vm batch |\n");
        std::printf("|---|---|---|---|---|---|---|---|---|\n");
      }
      if (all)
        std::printf("| `%s` | %.2f | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", entries[k].text.c_str(),
                    single_ns[kNative][k], single_ns[kDirect][k], single_ns[kCgo][k], single_ns[kVm][k],
                    batch_ns[kNative][k], batch_ns[kDirect][k], batch_ns[kCgo][k], batch_ns[kVm][k]);
    }
    if (all) std::printf("\n");

    std::vector<double> ratio_single, ratio_batch;
    std::size_t within_single = 0, within_batch = 0;
    for (std::size_t k = 0; k < exprs.size(); ++k) {
      ratio_single.push_back(single_ns[kDirect][k] / single_ns[kNative][k]);
      ratio_batch.push_back(batch_ns[kDirect][k] / batch_ns[kNative][k]);
      within_single += ratio_single.back() <= 1.2;
      within_batch += ratio_batch.back() <= 1.2;
    }
    std::printf("%zu corpus expressions (%zu lines the front end refuses left out); jit compile of all of them "
                "%.0f ms, the C++ reference %.0f ms\n%s\n\n",
                exprs.size(), refused, jit_s * 1e3, native.compile_seconds() * 1e3, direct_line.c_str());
    std::printf("| method | single: corpus median ns/call | ratio to native | batch: corpus median ns/row | ratio "
                "to native |\n|---|---|---|---|---|\n");
    for (int m = 0; m < kMethods; ++m)
      std::printf("| %s | %.2f | %.2fx | %.2f | %.2fx |\n", kNames[m], median(single_ns[m]),
                  median(single_ns[m]) / median(single_ns[kNative]), median(batch_ns[m]),
                  median(batch_ns[m]) / median(batch_ns[kNative]));
    std::printf("\nDirect / native per expression: single median %.2fx (90th percentile %.2fx, %zu of %zu within "
                "1.2x); batch median %.2fx (90th percentile %.2fx, %zu of %zu within 1.2x).\n",
                median(ratio_single), quantile(ratio_single, 0.9), within_single, exprs.size(), median(ratio_batch),
                quantile(ratio_batch, 0.9), within_batch, exprs.size());
    std::printf("The %zu expressions called without a trampoline: native %.2f ns, the jit's function through a "
                "pointer (Compiled::plain_function) %.2f ns (%.2fx), through Compiled::eval %.2f ns (%.2fx) (corpus "
                "medians).\n",
                bare_fn.size(), median(bare_native), median(bare_fn), median(bare_fn) / median(bare_native),
                median(bare_eval), median(bare_eval) / median(bare_native));
    std::printf("Same bits: direct and cgo %zu of %zu; direct and native C++ %zu of %zu (the rest are Go's math "
                "functions against glibc's, within 4 ulp).\n",
                same_cgo, exprs.size(), same_native, exprs.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gojit_direct_bench: %s\n", e.what());
    return 1;
  }
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  return 0;
}
