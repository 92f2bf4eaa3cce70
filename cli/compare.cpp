// compare.cpp — :time and :compare.
#include "cli/compare.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

#include "frontend/format.hpp"

namespace exprjit::cli {

using Clock = std::chrono::steady_clock;

Timing time_evaluation(const Compiled& c, const double* vars) {
  double v = c.eval(vars);
  std::size_t runs = 0, batch = 1;
  auto start = Clock::now();
  Clock::duration spent{};
  volatile double sink = 0;
  while (spent < std::chrono::milliseconds(20) && runs < 100'000'000) {
    for (std::size_t i = 0; i < batch; ++i) sink = c.eval(vars);
    runs += batch;
    batch *= 2;
    spent = Clock::now() - start;
  }
  (void)sink;
  return {v, std::chrono::duration_cast<std::chrono::nanoseconds>(spent / static_cast<long>(runs)), runs};
}

std::string duration_text(std::chrono::nanoseconds d) {
  char buf[32];
  double ns = static_cast<double>(d.count());
  if (ns < 1e3) std::snprintf(buf, sizeof buf, "%.1f ns", ns);
  else if (ns < 1e6) std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
  else if (ns < 1e9) std::snprintf(buf, sizeof buf, "%.1f ms", ns / 1e6);
  else std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

std::uint64_t ulp_distance(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<std::uint64_t>::max();
  auto ordered = [](double x) {  // monotone map of doubles onto integers (-0 and +0 adjacent)
    auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
  };
  std::int64_t x = ordered(a), y = ordered(b);
  return x > y ? static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y)
               : static_cast<std::uint64_t>(y) - static_cast<std::uint64_t>(x);
}

std::string compare_backends(Engine& engine, const Expr& checked, std::size_t nslots, const double* vars) {
  constexpr std::uint64_t kTolerance = 4;  // ulp, the spec's bound for non-libm math
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "  %-8s %-24s %12s %14s\n", "backend", "value", "compile", "per eval");
  out += line;
  double reference = 0;
  std::string reference_name;  // the first backend that answers (the table starts with the reference)
  for (const BackendInfo& info : backend_table()) {
    std::string name(info.name);
    try {
      auto t0 = Clock::now();
      std::unique_ptr<Compiled> c = engine.get(name).compile(checked, nslots);
      auto compile = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0);
      Timing t = time_evaluation(*c, vars);
      std::string mark;
      if (reference_name.empty()) {
        reference = t.value;
        reference_name = name;
      } else if (std::uint64_t d = ulp_distance(t.value, reference); d > kTolerance) {
        mark = "  <== DIFFERS from " + reference_name + " (" + format_value(reference) + ")";
      } else if (d > 0) {
        mark = "  (" + std::to_string(d) + " ulp from " + reference_name + ")";
      }
      std::snprintf(line, sizeof line, "  %-8s %-24s %12s %14s", name.c_str(), format_value(t.value).c_str(),
                    duration_text(compile).c_str(), duration_text(t.per_eval).c_str());
      out += line + mark + "\n";
    } catch (const std::exception& e) {
      out += "  " + name + ": error: " + e.what() + "\n";
    }
  }
  return out;
}

}  // namespace exprjit::cli
