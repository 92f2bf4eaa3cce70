// main.cpp — exprjit_bench: times the engines of engines.cpp on the corpus (bench_expr.txt,
// Arash Partow's math-parser-benchmark-project set) with Google Benchmark and prints the
// summary docs/benchmarks.md reports.
//
//   exprjit_bench [--corpus=FILE] [--engines=tree,vm,...] [--design] [--rows=N]
//                 [--no-batch] [--markdown] [--filter=REGEX] [Google Benchmark flags]
//
// Single evaluation: each iteration evaluates once, then swaps a<->b and x<->y as the
// public benchmark does, so no result can be folded or hoisted.  Batch: one eval_batch over
// N rows whose bindings alternate the same way (row r holds the values of evaluation r).
// Before timing, every engine's result is checked against the tree backend, bit for bit,
// on both bindings, and batch against single evaluation: a wrong engine is not timed.
//
// Defaults keep a run short on a shared machine: --benchmark_min_time=0.05,
// --benchmark_repetitions=3 (medians reported), CPU time.
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <regex>
#include <sstream>

#include "backends/vm/run.hpp"
#include "backends/vm/vm.hpp"
#include "bench/corpus.hpp"
#include "bench/engines.hpp"
#include "bench/native.hpp"
#include "bench/report.hpp"
#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/parser.hpp"

using namespace exprjit;
using namespace exprjit::bench;

namespace {

struct Args {
  std::string corpus = EXPRJIT_BENCH_CORPUS;
  std::vector<std::string> engines;  // empty: defaults (or all with --design)
  bool design = false;
  bool batch = true;
  bool markdown = false;
  std::size_t rows = 1'000'000;
  std::string filter;
  std::vector<char*> rest;  // for benchmark::Initialize
};

bool starts(const char* s, const char* prefix) { return std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

Args parse_args(int argc, char** argv) {
  Args a;
  a.rest.push_back(argv[0]);
  bool min_time = false, reps = false;
  for (int i = 1; i < argc; ++i) {
    const char* s = argv[i];
    if (starts(s, "--corpus=")) a.corpus = s + 9;
    else if (starts(s, "--engines=")) {
      std::stringstream ss(s + 10);
      for (std::string e; std::getline(ss, e, ',');) a.engines.push_back(e);
    } else if (!std::strcmp(s, "--design")) a.design = true;
    else if (!std::strcmp(s, "--no-batch")) a.batch = false;
    else if (!std::strcmp(s, "--markdown")) a.markdown = true;
    else if (starts(s, "--rows=")) a.rows = std::stoull(s + 7);
    else if (starts(s, "--filter=")) a.filter = s + 9;
    else if (!std::strcmp(s, "--help") || !std::strcmp(s, "-h")) {
      std::cout << "usage: exprjit_bench [--corpus=FILE] [--engines=NAME,...] [--design] [--rows=N]\n"
                   "                     [--no-batch] [--markdown] [--filter=REGEX] [Google Benchmark flags]\n"
                   "engines:";
      for (const Engine& e : engines()) std::cout << "\n  " << e.name << (e.design ? " (--design)" : "") << ": " << e.description;
      std::cout << "\ndefaults: --benchmark_min_time=0.05 --benchmark_repetitions=3; corpus " << EXPRJIT_BENCH_CORPUS << "\n";
      std::exit(0);
    }
    else {
      min_time |= starts(s, "--benchmark_min_time");
      reps |= starts(s, "--benchmark_repetitions");
      a.rest.push_back(argv[i]);
    }
  }
  static char kMinTime[] = "--benchmark_min_time=0.05";
  static char kReps[] = "--benchmark_repetitions=3";
  static char kAggr[] = "--benchmark_report_aggregates_only=true";
  if (!min_time) a.rest.push_back(kMinTime);
  if (!reps) a.rest.push_back(kReps);
  a.rest.push_back(kAggr);
  return a;
}

bool same_bits(double x, double y) {
  return (std::isnan(x) && std::isnan(y)) || std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

// The batch columns: row r holds the binding of evaluation r (a<->b, x<->y swapped on odd rows).
struct Columns {
  std::vector<std::vector<double>> data;
  std::vector<const double*> ptrs;
  Columns(const Corpus& c, std::size_t rows) : data(c.values.size(), std::vector<double>(rows)) {
    std::vector<double> v = c.values;
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t s = 0; s < v.size(); ++s) data[s][r] = v[s];
      next_binding(v.data());
    }
    for (auto& col : data) ptrs.push_back(col.data());
  }
};

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  Corpus corpus;
  try {
    corpus = load_corpus(args.corpus);
  } catch (const std::exception& e) {
    std::cerr << "exprjit_bench: " << e.what() << "\n";
    return 1;
  }
  std::vector<const Engine*> chosen;
  if (args.engines.empty()) {
    for (const Engine& e : engines())
      if (!e.design || args.design) chosen.push_back(&e);
  } else {
    for (const std::string& n : args.engines) {
      const Engine* e = find_engine(n);
      if (!e) {
        std::cerr << "exprjit_bench: unknown engine '" << n << "'; engines:";
        for (const Engine& x : engines()) std::cerr << " " << x.name;
        std::cerr << "\n";
        return 2;
      }
      chosen.push_back(e);
    }
  }
  const std::regex filter(args.filter.empty() ? ".*" : args.filter);

  // Front end once per expression.
  const Scope scope(corpus.names);
  std::vector<ExprPtr> checked;
  for (const std::string& text : corpus.exprs) {
    try {
      ExprPtr e = parse_expression(text);
      check(*e, scope);
      checked.push_back(std::move(e));
    } catch (const CompileError& err) {
      std::cerr << format_error(Source{"<corpus>", text, 1}, err);
      return 1;
    }
  }

  // Compile everything, and check it before timing anything.
  std::vector<std::unique_ptr<Compiled>> keep;
  std::vector<double> v2 = corpus.values;
  next_binding(v2.data());
  auto reference = find_backend("tree")->make({});
  for (std::size_t i = 0; i < checked.size(); ++i) {
    auto ref = reference->compile(*checked[i], corpus.names.size());
    for (const Engine* e : chosen) {
      auto c = e->compile(corpus.exprs[i], *checked[i], corpus.names);
      for (const std::vector<double>* v : {&corpus.values, &v2}) {
        if (!same_bits(c->eval(v->data()), ref->eval(v->data()))) {
          std::cerr << "exprjit_bench: engine " << e->name << " disagrees with tree on #" << i + 1 << " "
                    << corpus.exprs[i] << "\n";
          return 1;
        }
      }
      Compiled* raw = c.get();
      keep.push_back(std::move(c));
      const std::string name = single_name(e->name, i);
      if (!std::regex_search(name, filter)) continue;
      benchmark::RegisterBenchmark(name.c_str(), [raw, values = corpus.values](benchmark::State& st) {
        std::vector<double> v = values;
        for (auto _ : st) {
          benchmark::DoNotOptimize(raw->eval(v.data()));
          next_binding(v.data());
        }
      });
    }
  }

  // Batch: the vm as shipped; with --design also the variants of the batch loop.
  std::vector<std::string> batch_engines;
  std::unique_ptr<Columns> cols;
  std::vector<double> out;
  if (args.batch) {
    cols = std::make_unique<Columns>(corpus, args.rows);
    out.resize(args.rows);
    batch_engines.push_back("vm");
    // Design variants of the batch loop: other block sizes.
    std::vector<std::pair<std::string, std::size_t>> blocks;
    if (args.design)
      for (std::size_t b : {16, 32, 128, 256, 1024}) blocks.push_back({"vm-block" + std::to_string(b), b});
    for (const auto& t : blocks) batch_engines.push_back(t.first);
    batch_engines.push_back("native");
    auto vm_backend = find_backend("vm")->make({});
    for (std::size_t i = 0; i < checked.size(); ++i) {
      auto c = vm_backend->compile(*checked[i], corpus.names.size());
      const Compiled* raw = c.get();
      raw->eval_batch(cols->ptrs.data(), args.rows, out.data());
      for (std::size_t r = 0; r < args.rows; ++r) {
        double row[7];
        for (std::size_t s = 0; s < 7; ++s) row[s] = cols->data[s][r];
        if (!same_bits(out[r], raw->eval(row))) {
          std::cerr << "exprjit_bench: vm batch differs from single evaluation on #" << i + 1 << " row " << r << "\n";
          return 1;
        }
      }
      keep.push_back(std::move(c));
      const std::size_t rows = args.rows;
      const std::string name = batch_name("vm", i);
      if (std::regex_search(name, filter))
        benchmark::RegisterBenchmark(name.c_str(), [raw, &cols, &out, rows](benchmark::State& st) {
          for (auto _ : st) {
            raw->eval_batch(cols->ptrs.data(), rows, out.data());
            benchmark::ClobberMemory();
          }
          st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * rows));
        })->Unit(benchmark::kMillisecond);
      if (NativeLoop loop = native_loop(corpus.exprs[i])) {  // the hand-written reference
        std::vector<double> mine(args.rows);
        loop(cols->ptrs.data(), args.rows, mine.data());
        if (std::memcmp(mine.data(), out.data(), args.rows * sizeof(double)) != 0) {
          std::cerr << "exprjit_bench: the native loop differs from vm batch on #" << i + 1 << "\n";
          return 1;
        }
        const std::string nname = batch_name("native", i);
        if (std::regex_search(nname, filter))
          benchmark::RegisterBenchmark(nname.c_str(), [loop, &cols, &out, rows](benchmark::State& st) {
            for (auto _ : st) {
              loop(cols->ptrs.data(), rows, out.data());
              benchmark::ClobberMemory();
            }
          })->Unit(benchmark::kMillisecond);
      }
      for (const auto& [tname, rows_per_block] : blocks) {
        const std::size_t block = rows_per_block;  // a lambda may not capture a structured binding in Clang 14
        vm::Options o;
        o.batch = true;
        auto prog = std::make_shared<vm::Program>(vm::compile_program(*checked[i], o));
        std::vector<double> mine(args.rows);
        vm::run_batch(*prog, cols->ptrs.data(), args.rows, mine.data(), block);
        if (std::memcmp(mine.data(), out.data(), args.rows * sizeof(double)) != 0) {
          std::cerr << "exprjit_bench: " << tname << " differs from vm batch on #" << i + 1 << "\n";
          return 1;
        }
        const std::string bname = batch_name(tname, i);
        if (std::regex_search(bname, filter))
          benchmark::RegisterBenchmark(bname.c_str(), [prog, block, &cols, &out, rows](benchmark::State& st) {
            for (auto _ : st) {
              vm::run_batch(*prog, cols->ptrs.data(), rows, out.data(), block);
              benchmark::ClobberMemory();
            }
          })->Unit(benchmark::kMillisecond);
      }
    }
  }

  int bargc = static_cast<int>(args.rest.size());
  benchmark::Initialize(&bargc, args.rest.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, args.rest.data())) return 2;
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();

  SummaryInput in;
  in.exprs = corpus.exprs;
  for (const Engine* e : chosen) in.single_engines.push_back(e->name);
  in.batch_engines = batch_engines;
  in.rows = args.rows;
  in.markdown = args.markdown;
  print_summary(std::cout, collector, in);
  return 0;
}
