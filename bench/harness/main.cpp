// main.cpp — exprjit_bench: every engine of engines.cpp (exprjit's backends through the
// public library, native C++, ExprTk, muparser, LuaJIT) on the corpora (bench_expr.txt:
// Arash Partow's math-parser-benchmark set; bench_long.txt: long expressions without
// functions) with Google Benchmark; bench/README.md describes the method, scripts/bench
// runs it and bench/report/report.py turns its output into the report.
//
//   exprjit_bench [--out=DIR] [--corpus=FILE,...] [--engines=NAME,...] [--design]
//                 [--rows=N,...|--no-batch] [--no-single] [--evals=K] [--no-compile]
//                 [--no-jit-latency] [--no-cold] [--jit-reps=N] [--jit-work=DIR]
//                 [--filter=REGEX] [--markdown] [Google Benchmark flags]
//
// Order: front end; the Go JIT's compile latency (child processes and this one); then every
// engine is prepared on every expression and gated against the tree backend (suite.hpp);
// then Google Benchmark times what passed: compile latency of the front end and the vm,
// single evaluation, batch.  --out=DIR writes DIR/bench.json (Google Benchmark's JSON) and
// DIR/run.json (corpus, engines, gate results, jit compile latency).
//
// Defaults keep a run short on a shared machine: --benchmark_min_time=0.01,
// --benchmark_repetitions=3 (medians reported), CPU time.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <exprjit/exprjit.hpp>

#include "bench/harness/corpus.hpp"
#include "bench/harness/engines.hpp"
#include "bench/harness/jit_latency.hpp"
#include "bench/harness/scaling.hpp"
#include "bench/harness/json.hpp"
#include "bench/harness/suite.hpp"
#include "bench/harness/summary.hpp"
#include "bench/peers/calls.hpp"
#include "bench/peers/peers.hpp"

using namespace exprjit;
using namespace exprjit::bench;

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string out;
  std::vector<std::string> corpus = {EXPRJIT_BENCH_CORPUS, EXPRJIT_BENCH_LONG};
  std::vector<std::string> engines;  // empty: defaults (and the design variants with --design)
  bool design = false;
  bool single = true;
  bool compile = true;
  bool jit_latency = true;
  bool cold = true;
  int jit_reps = 3;
  std::string jit_work;
  std::vector<std::size_t> rows = {1000, 100000, 1000000};
  std::size_t evals = 100;
  std::string filter;
  bool markdown = false;
  std::string jit_probe;  // child mode
  std::vector<std::string> argv;
  std::vector<std::string> rest;  // for benchmark::Initialize
};

bool starts(const char* s, const char* prefix) { return std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string e; std::getline(ss, e, ',');)
    if (!e.empty()) out.push_back(e);
  return out;
}

void usage() {
  std::cout << "usage: exprjit_bench [--out=DIR] [--corpus=FILE,...] [--engines=NAME,...] [--design]\n"
               "                     [--rows=N,...|--no-batch] [--no-single] [--evals=K] [--no-compile]\n"
               "                     [--no-jit-latency] [--no-cold] [--jit-reps=N] [--jit-work=DIR]\n"
               "                     [--filter=REGEX] [--markdown] [Google Benchmark flags]\n"
               "engines (default: all but --design ones):";
  for (const Engine& e : engines())
    std::cout << "\n  " << e.name << (e.kind == Engine::design ? " (--design)" : "") << ": " << e.description
              << (e.unavailable.empty() ? "" : " [unavailable: " + e.unavailable + "]");
  std::cout << "\ndefaults: --rows=1000,100000,1000000 --evals=100 --benchmark_min_time=0.01 "
               "--benchmark_repetitions=3; corpora "
            << EXPRJIT_BENCH_CORPUS << "," << EXPRJIT_BENCH_LONG << "\n";
}

Args parse_args(int argc, char** argv) {
  Args a;
  a.rest.push_back(argv[0]);
  bool min_time = false, reps = false, out_flag = false;
  for (int i = 0; i < argc; ++i) a.argv.push_back(argv[i]);
  for (int i = 1; i < argc; ++i) {
    const char* s = argv[i];
    if (starts(s, "--out=")) a.out = s + 6;
    else if (starts(s, "--corpus=")) a.corpus = split(s + 9);
    else if (starts(s, "--engines=")) a.engines = split(s + 10);
    else if (!std::strcmp(s, "--design")) a.design = true;
    else if (!std::strcmp(s, "--no-batch")) a.rows.clear();
    else if (starts(s, "--rows=")) {
      a.rows.clear();
      for (const std::string& n : split(s + 7)) a.rows.push_back(std::stoull(n));
    } else if (!std::strcmp(s, "--no-single")) a.single = false;
    else if (starts(s, "--evals=")) a.evals = std::max<std::size_t>(2, std::stoull(s + 8) / 2 * 2);
    else if (!std::strcmp(s, "--no-compile")) a.compile = false;
    else if (!std::strcmp(s, "--no-jit-latency")) a.jit_latency = false;
    else if (!std::strcmp(s, "--no-cold")) a.cold = false;
    else if (starts(s, "--jit-reps=")) a.jit_reps = std::max(1, std::atoi(s + 11));
    else if (starts(s, "--jit-work=")) a.jit_work = s + 11;
    else if (starts(s, "--filter=")) a.filter = s + 9;
    else if (!std::strcmp(s, "--markdown")) a.markdown = true;
    else if (starts(s, "--jit-probe=")) a.jit_probe = s + 12;
    else if (!std::strcmp(s, "--help") || !std::strcmp(s, "-h")) {
      usage();
      std::exit(0);
    } else {
      min_time |= starts(s, "--benchmark_min_time");
      reps |= starts(s, "--benchmark_repetitions");
      out_flag |= starts(s, "--benchmark_out=");
      a.rest.push_back(s);
    }
  }
  if (!min_time) a.rest.push_back("--benchmark_min_time=0.01");
  if (!reps) a.rest.push_back("--benchmark_repetitions=3");
  a.rest.push_back("--benchmark_report_aggregates_only=true");
  if (!a.out.empty() && !out_flag) {
    a.rest.push_back("--benchmark_out=" + a.out + "/bench.json");
    a.rest.push_back("--benchmark_out_format=json");
  }
  return a;
}

// The expression whose cold / warm / hit compile latency is measured.
std::size_t probe_expression(const Corpus& c) {
  for (std::size_t k = 0; k < c.exprs.size(); ++k)
    if (c.exprs[k] == "sin(2 * a) + cos(pi / b)") return k;
  return c.exprs.size() / 2;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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
  Symbols declared;
  for (const std::string& v : corpus.names) declared.declare(v);
  for (const std::string& text : corpus.exprs) {  // every line must be one the language takes
    try {
      check(text, declared);
    } catch (const ParseError& err) {
      std::cerr << format_error(err, "<corpus>");
      return 1;
    }
  }
  if (!args.jit_probe.empty()) return jit_probe_main(args.jit_probe, corpus);

  std::vector<const Engine*> chosen;
  if (args.engines.empty()) {
    for (const Engine& e : engines())
      if (e.kind != Engine::design || args.design) chosen.push_back(&e);
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
  if (!args.out.empty()) std::filesystem::create_directories(args.out);

  Json run = Json::object();
  Json argv_json = Json::array();
  for (const std::string& s : args.argv) argv_json.push(s);
  run["argv"] = argv_json;
  Json cj = Json::object();
  Json paths = Json::array(), sets = Json::array(), set_of = Json::array();
  for (const std::string& p : args.corpus) paths.push(p);
  for (const std::string& n : corpus.sets) sets.push(n);
  for (const std::string& n : corpus.set) set_of.push(n);
  cj["paths"] = paths;
  cj["sets"] = sets;
  cj["set"] = set_of;
  Json names = Json::array(), values = Json::array(), exprs = Json::array();
  for (const auto& n : corpus.names) names.push(n);
  for (double v : corpus.values) values.push(v);
  for (const auto& e : corpus.exprs) exprs.push(e);
  cj["names"] = names;
  cj["values"] = values;
  cj["exprs"] = exprs;
  run["corpus"] = cj;
  Json config = Json::object();
  config["evals_per_iteration"] = args.evals;
  Json rows = Json::array();
  for (std::size_t n : args.rows) rows.push(n);
  config["rows"] = rows;
  config["tolerance"] = kTolerance;
  Json gb = Json::array();
  for (const std::string& s : args.rest) gb.push(s);
  config["benchmark_flags"] = gb;
  run["config"] = config;
  Json peers = Json::object();
  peers["exprtk"] = exprtk_version();
  peers["muparser"] = muparser_version();
  peers["muparser_openmp"] = muparser_openmp();
  peers["luajit"] = luajit_version();
  run["peers"] = peers;

  // The jit's compile latency first: it sets up the jit cache the jit engines then use.
  bool jit_chosen = false;
  for (const Engine* e : chosen) jit_chosen |= e->name.rfind("jit", 0) == 0 && e->unavailable.empty();
  std::string jit_work;
  Json timing = Json::object();
  if (jit_chosen && args.jit_latency) {
    jit_work = !args.jit_work.empty() ? args.jit_work
               : !args.out.empty()    ? args.out + "/jit-work"
                                      : (std::filesystem::temp_directory_path() / ("exprjit-bench-" + std::to_string(::getpid()))).string();
    JitLatencyOptions jo;
    jo.work_dir = jit_work;
    jo.corpus_path = std::filesystem::absolute(args.corpus.front()).string();
    jo.probe = probe_expression(corpus);
    jo.cold = args.cold;
    jo.reps = args.jit_reps;
    const auto t = Clock::now();
    run["jit_compile"] = measure_jit_latency(jo, load_corpus(args.corpus.front()), std::cerr);
    timing["jit_latency_seconds"] = seconds_since(t);
  }

  SuiteConfig sc;
  sc.engines = chosen;
  sc.single = args.single;
  sc.rows = args.rows;
  sc.evals = args.evals;
  sc.filter = args.filter;
  Suite suite(corpus, sc);
  if (args.compile) {
    suite.register_compile();
    register_scaling(args.filter);
    register_calls(args.filter);
  }
  auto t_gate = Clock::now();
  run["engines"] = suite.prepare_and_register(std::cerr);
  timing["gate_seconds"] = seconds_since(t_gate);

  std::vector<char*> bargv;
  for (std::string& s : args.rest) bargv.push_back(s.data());
  int bargc = static_cast<int>(bargv.size());
  benchmark::Initialize(&bargc, bargv.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, bargv.data())) return 2;
  bool color = ::isatty(STDOUT_FILENO) != 0;
  for (const std::string& s : args.rest) color &= s != "--benchmark_color=false";
  Collector collector(color);
  auto t_bench = Clock::now();
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();
  timing["benchmark_seconds"] = seconds_since(t_bench);
  run["timing"] = timing;

  if (!args.out.empty()) {
    std::ofstream f(args.out + "/run.json");
    f << run.dump(1) << "\n";
    if (!f) std::cerr << "exprjit_bench: cannot write " << args.out << "/run.json\n";
  }
  if (!jit_work.empty()) std::filesystem::remove_all(jit_work);

  SummaryInput in;
  in.exprs = corpus.exprs;
  in.set = corpus.set;
  in.sets = corpus.sets;
  for (const Engine* e : chosen) {
    if (!e->unavailable.empty()) continue;
    if (args.single && e->single) in.single_engines.push_back(e->name);
    if (!args.rows.empty() && e->batch) in.batch_engines.push_back(e->name);
  }
  in.rows = args.rows;
  in.markdown = args.markdown;
  print_summary(std::cout, collector, in);
  return 0;
}
