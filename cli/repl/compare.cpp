// compare.cpp — :time and :compare.
#include "cli/repl/compare.hpp"

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli/report.hpp"

namespace exprjit::cli {

using Clock = std::chrono::steady_clock;

Timing time_evaluation(const Expression& e, const std::vector<double>& values) {
  const double v = e.eval(values);
  std::size_t runs = 0, batch = 1;
  auto start = Clock::now();
  double spent = 0;
  volatile double sink = 0;
  while (spent < 0.02 && runs < 100'000'000) {
    for (std::size_t i = 0; i < batch; ++i) sink = e.eval(values);
    runs += batch;
    batch *= 2;
    spent = std::chrono::duration<double>(Clock::now() - start).count();
  }
  (void)sink;
  return {v, spent / static_cast<double>(runs), runs};
}

std::string compare_backends(const Session& session, const std::string& text) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "  %-8s %-24s %12s %14s\n", "backend", "value", "compile", "per eval");
  out += line;
  // The reference first, so that every other row can be held against it.
  std::vector<BackendDescription> order;
  for (const BackendDescription& b : available_backends())
    if (b.is_reference) order.push_back(b);
  for (const BackendDescription& b : available_backends())
    if (!b.is_reference) order.push_back(b);
  const std::vector<double> values = session.values();
  double reference = 0;
  std::string reference_name;
  for (const BackendDescription& b : order) {
    try {
      auto t0 = Clock::now();
      CompileOptions o = session.options();
      o.backend = b.name;
      Expression e = session.compile(text, o);
      const double compile_s = std::chrono::duration<double>(Clock::now() - t0).count();
      Timing t = time_evaluation(e, values);
      std::string mark;
      const bool same = (std::isnan(t.value) && std::isnan(reference)) ||
                        std::bit_cast<std::uint64_t>(t.value) == std::bit_cast<std::uint64_t>(reference);
      if (b.is_reference) reference = t.value, reference_name = b.name;
      else if (!reference_name.empty() && !same)
        mark = "  <== DIFFERS from " + reference_name + " (" + format_number(reference) + ")";
      std::snprintf(line, sizeof line, "  %-8s %-24s %12s %14s", b.name.c_str(), format_number(t.value).c_str(),
                    duration_text(compile_s).c_str(), duration_text(t.per_eval_s).c_str());
      out += line + mark + "\n";
    } catch (const ParseError& e) {
      return format_error(e, "<repl>");
    } catch (const std::exception& e) {
      out += "  " + b.name + ": error: " + printable(e.what(), 2000) + "\n";
    }
  }
  return out;
}

}  // namespace exprjit::cli
