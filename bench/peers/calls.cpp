// calls.cpp — what a call costs (issue "Functions"; docs/benchmarks.md, "Function calls"):
//   calls/<engine>/host/single, /host/batch     f(a) with a trivial host function f
//   calls/<engine>/inline/single, /inline/batch  its body written inline: a*1.5 + 0.25
//   calls/<engine>/langfn/single                 g(a) + 1 with g(t) = t*t defined in the language
//   calls/<engine>/langfn-inline/single          a*a + 1
// for exprjit's backends through the public API, native C++ (f through a function pointer
// the compiler cannot see through) and muparser (DefineFun).  A call's cost is the
// difference between the host and inline lines of one engine.
#include "bench/peers/calls.hpp"

#include <benchmark/benchmark.h>
#include <exprjit/exprjit.hpp>

#include <regex>
#include <vector>

#if EXPRJIT_BENCH_HAVE_MUPARSER
#include <muParser.h>
#endif

namespace exprjit::bench {
namespace {

double trivial(double x) noexcept { return x * 1.5 + 0.25; }
double (*volatile g_trivial)(double) = &trivial;  // native C++ calls it through this pointer

constexpr std::size_t kEvals = 100, kRows = 100000;

template <class F>
void single(const std::string& name, const std::regex& filter, F eval) {
  if (!std::regex_search(name, filter)) return;
  benchmark::RegisterBenchmark(name.c_str(), [eval](benchmark::State& st) mutable {
    double a = 1.1, acc = 0;
    for (auto _ : st) {
      for (std::size_t i = 0; i < kEvals; ++i) {
        acc += eval(a);
        a = a == 1.1 ? 2.2 : 1.1;  // as the corpus's swap: nothing can be folded away
      }
      benchmark::DoNotOptimize(acc);
    }
    st.counters["evals"] = kEvals;
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kEvals));
  });
}

template <class F>
void batch(const std::string& name, const std::regex& filter, F eval) {
  if (!std::regex_search(name, filter)) return;
  benchmark::RegisterBenchmark(name.c_str(), [eval](benchmark::State& st) mutable {
    std::vector<double> a(kRows), out(kRows);
    for (std::size_t i = 0; i < kRows; ++i) a[i] = i % 2 ? 1.1 : 2.2;
    for (auto _ : st) {
      eval(a, out);
      benchmark::ClobberMemory();
    }
    st.counters["rows"] = kRows;
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * kRows));
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace

void register_calls(const std::string& filter_text) {
  const std::regex filter(filter_text.empty() ? ".*" : filter_text);
  single("calls/native/host/single", filter, [](double a) { return g_trivial(a); });
  single("calls/native/inline/single", filter, [](double a) { return a * 1.5 + 0.25; });
  batch("calls/native/host/batch", filter, [](const std::vector<double>& a, std::vector<double>& out) {
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = g_trivial(a[i]);
  });
  for (const BackendDescription& b : available_backends()) {
    // Compiled once per process, shared by the registered lambdas: Expression is immutable.
    static std::vector<std::vector<double>> bound;  // the bound variable of each backend's expressions
    bound.push_back({1.1});
    double* a = bound.back().data();
    Symbols s;
    s.bind("a", a).bind_function("f", &trivial).define("g(t) = t*t");
    const CompileOptions o{.backend = b.name, .threads = 1};
    const std::vector<std::string> texts = {"f(a)", "a*1.5 + 0.25", "g(a) + 1", "a*a + 1"};
    std::vector<Expression> fs;
    try {
      fs = compile_many(texts, s, o);
    } catch (const Error&) {
      continue;  // a backend that cannot work here (no Go toolchain): the suite's gate reports it
    }
    const char* what[] = {"host", "inline", "langfn", "langfn-inline"};
    for (std::size_t k = 0; k < fs.size(); ++k) {
      const Expression f = fs[k];
      single("calls/" + b.name + "/" + what[k] + "/single", filter, [f, a](double v) {
        *a = v;
        return f();
      });
      if (k < 2)
        batch("calls/" + b.name + "/" + what[k] + "/batch", filter, [f](const std::vector<double>& col, std::vector<double>& out) {
          f.eval_batch({col}, out);
        });
    }
  }
#if EXPRJIT_BENCH_HAVE_MUPARSER
  for (const char* kind : {"host", "inline"}) {
    auto p = std::make_shared<mu::Parser>();
    auto v = std::make_shared<double>(1.1);
    p->DefineVar("a", v.get());
    p->DefineFun("f", &trivial);
    p->SetExpr(std::string(kind) == "host" ? "f(a)" : "a*1.5 + 0.25");
    p->Eval();
    single(std::string("calls/muparser/") + kind + "/single", filter, [p, v](double x) {
      *v = x;
      return p->Eval();
    });
  }
#endif
}

}  // namespace exprjit::bench
