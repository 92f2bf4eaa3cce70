// summary.hpp — the console summary of a run (bench/report/report.py writes the Markdown
// report and charts from the JSON files; this is what a terminal shows, and with --markdown
// the tables docs/design.md quotes for the VM's design variants).
#pragma once
#include <benchmark/benchmark.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace exprjit::bench {

// Console output as usual, and each benchmark's median CPU time per item in ns (per
// evaluation, per row, per compile), or its only run's without repetitions.
class Collector : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (Google Benchmark applies --benchmark_color to its own
  // reporters, not to one passed in).
  explicit Collector(bool color) : ConsoleReporter(color ? OO_Defaults : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  // ns per item of the benchmark named `name`, or a negative value if it did not run.
  double ns(const std::string& name) const;
  int repetitions() const { return repetitions_; }

 private:
  std::map<std::string, double> median_, single_;
  int repetitions_ = 1;
};

struct SummaryInput {
  std::vector<std::string> exprs;
  std::vector<std::string> set;   // per expression: its corpus file
  std::vector<std::string> sets;
  std::vector<std::string> single_engines;  // columns of the single-evaluation table
  std::vector<std::string> batch_engines;   // columns of the batch table
  std::vector<std::size_t> rows;            // batch sizes
  bool markdown = false;
};

void print_summary(std::ostream& out, const Collector& c, const SummaryInput& in);

}  // namespace exprjit::bench
