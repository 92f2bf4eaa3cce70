// compare.hpp — timing one compiled expression, and running one on every backend side by
// side (the REPL's :time and :compare).
#pragma once
#include <chrono>
#include <string>

#include "cli/session.hpp"

namespace exprjit::cli {

struct Timing {
  double value;
  std::chrono::nanoseconds per_eval;
  std::size_t runs;
};

// Evaluates c repeatedly for about 20 ms (at least once) and returns the mean time.
Timing time_evaluation(const Compiled& c, const double* vars);

// "12.3 ns", "4.5 us", "150.2 ms"
std::string duration_text(std::chrono::nanoseconds d);

// Distance in units in the last place between two doubles (0 for equal bits or two NaNs;
// a huge number when only one is NaN).
std::uint64_t ulp_distance(double a, double b);

// A table: backend, value, compile time, time per evaluation, and a loud mark on a value
// that differs from the tree backend's by more than the spec allows (4 ulp).
std::string compare_backends(Engine& engine, const Expr& checked, std::size_t nslots, const double* vars);

}  // namespace exprjit::cli
