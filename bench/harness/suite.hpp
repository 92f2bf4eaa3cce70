// suite.hpp — preparing every engine on every expression, the correctness gate, and the
// Google Benchmark registrations (single, batch, compile).
//
// Gate: before anything is timed, each engine's result is compared with the reference
// backend's (the tree, through the public library)
// on both bindings of the corpus (as given, and with a<->b, x<->y swapped), through the very
// code that is timed (Evaluator::run with one evaluation); batch output is compared on every
// row for every N timed, into a buffer poisoned first.  Equal means a relative error of at
// most 1e-12, nan equal to nan.  An engine that fails an expression is reported as failed
// there and not timed; an engine with a rewrite (muparser) gets one second attempt.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "bench/harness/corpus.hpp"
#include "bench/harness/engines.hpp"
#include "bench/harness/json.hpp"

namespace exprjit::bench {

inline constexpr double kTolerance = 1e-12;

// The batch columns: row r holds the binding of evaluation r (a<->b, x<->y swapped on odd rows).
struct Columns {
  std::vector<std::vector<double>> data;
  std::vector<const double*> ptrs;
  Columns(const Corpus& c, std::size_t rows);
};

struct SuiteConfig {
  std::vector<const Engine*> engines;
  bool single = true;
  std::vector<std::size_t> rows;  // batch sizes; empty: no batch
  std::size_t evals = 100;        // evaluations per single-evaluation iteration
  std::string filter;             // regex on benchmark names
};

class Suite {
 public:
  Suite(const Corpus& corpus, SuiteConfig config);
  ~Suite();

  // Prepares and gates every engine on every expression (progress on log), registers the
  // benchmarks of those that passed, and returns the gate results for run.json.
  Json prepare_and_register(std::ostream& log);
  // Compile latency through the public library: check() (the front end) and compile() on
  // the vm (front end and vm).
  void register_compile();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether x matches the reference's result ref (relative error <= kTolerance, nan == nan).
bool agrees(double x, double ref);

// Names of the registered benchmarks.
std::string single_name(const std::string& engine, std::size_t expr);
std::string batch_name(const std::string& engine, std::size_t rows, std::size_t expr);

}  // namespace exprjit::bench
