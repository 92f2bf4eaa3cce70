// scaling.cpp — see scaling.hpp.
#include "bench/harness/scaling.hpp"

#include <benchmark/benchmark.h>
#include <exprjit/exprjit.hpp>

#include <regex>
#include <vector>

namespace exprjit::bench {

void register_scaling(const std::string& filter) {
  const std::regex re(filter.empty() ? ".*" : filter);
  for (std::size_t n : {10000, 100000, 1000000}) {
    const std::string bind = "scale/bind/" + std::to_string(n);
    if (std::regex_search(bind, re))
      benchmark::RegisterBenchmark(bind.c_str(), [n](benchmark::State& st) {
        std::vector<double> values(n, 1.0);
        std::vector<std::string> names;
        for (std::size_t i = 0; i < n; ++i) names.push_back("v" + std::to_string(i));
        const std::string text = "v0 + " + names.back();
        for (auto _ : st) {
          Symbols s;
          for (std::size_t i = 0; i < n; ++i) s.bind(names[i], &values[i]);
          benchmark::DoNotOptimize(compile(text, s, {.backend = "vm"})());
        }
        st.counters["variables"] = static_cast<double>(n);
        st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
      })->Iterations(1)->Unit(benchmark::kMillisecond);
    const std::string session = "scale/session/" + std::to_string(n);
    if (std::regex_search(session, re))
      benchmark::RegisterBenchmark(session.c_str(), [n](benchmark::State& st) {
        std::vector<std::string> texts = {"x0 = 1"};
        for (std::size_t i = 1; i < n; ++i) texts.push_back("x" + std::to_string(i) + " = x" + std::to_string(i - 1) + " + 1");
        std::vector<Session::Line> lines;
        for (std::size_t i = 0; i < n; ++i) lines.push_back({texts[i], i + 1});
        for (auto _ : st) {
          Session s;
          benchmark::DoNotOptimize(s.run(lines).back().value);
        }
        st.counters["variables"] = static_cast<double>(n);
        st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
      })->Iterations(1)->Unit(benchmark::kMillisecond);
  }
}

}  // namespace exprjit::bench
