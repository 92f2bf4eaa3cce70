// report.hpp — collects Google Benchmark results and prints the summary tables the issue
// asks for (docs/benchmarks.md is written from them).
#pragma once
#include <benchmark/benchmark.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace exprjit::bench {

// Console output as usual, and each benchmark's median CPU time per iteration in ns
// (or its only run's, without repetitions).
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
  // ns per iteration of the benchmark named `name`, or a negative value if it did not run.
  double ns(const std::string& name) const;
  int repetitions() const { return repetitions_; }

 private:
  std::map<std::string, double> median_, single_;
  int repetitions_ = 1;
};

struct SummaryInput {
  std::vector<std::string> exprs;
  std::vector<std::string> single_engines;  // columns of the single-evaluation table
  std::vector<std::string> batch_engines;   // "vm", and design block sizes "vm-block256"...
  std::size_t rows = 0;                      // batch N
  bool markdown = false;
};

// Names used to register benchmarks.
std::string single_name(const std::string& engine, std::size_t expr);
std::string batch_name(const std::string& engine, std::size_t expr);

void print_summary(std::ostream& out, const Collector& c, const SummaryInput& in);

}  // namespace exprjit::bench
