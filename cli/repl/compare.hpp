// compare.hpp — timing one compiled expression, and running one on every backend side by
// side (the REPL's :time and :compare), through the library as any program would.
#pragma once
#include <string>
#include <vector>

#include "exprjit/exprjit.hpp"

namespace exprjit::cli {

struct Timing {
  double value;
  double per_eval_s;
  std::size_t runs;
};

// Evaluates e on values repeatedly for about 20 ms (at least once) and returns the mean time.
Timing time_evaluation(const Expression& e, const std::vector<double>& values);

// A table: backend, value, compile time, time per evaluation, and a loud mark on a value
// whose bits differ from the reference backend's (available_backends()'s is_reference).
std::string compare_backends(const Session& session, const std::string& text);

}  // namespace exprjit::cli
