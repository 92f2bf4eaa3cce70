// summary.cpp — result collection and the console summary.
#include "bench/harness/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/harness/suite.hpp"

namespace exprjit::bench {
namespace {

double to_ns(double t, benchmark::TimeUnit u) {
  switch (u) {
    case benchmark::kNanosecond: return t;
    case benchmark::kMicrosecond: return t * 1e3;
    case benchmark::kMillisecond: return t * 1e6;
    case benchmark::kSecond: return t * 1e9;
  }
  return t;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double geomean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return v.empty() ? NAN : std::exp(s / static_cast<double>(v.size()));
}

std::string fmt(double v, int prec = 1) {
  if (!(v >= 0)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

std::string shorten(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

// A table printed either as aligned text or as Markdown; column 1 is the expression.
struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  void print(std::ostream& out, bool md) const {
    std::vector<std::size_t> w(head.size());
    for (std::size_t i = 0; i < head.size(); ++i) w[i] = head[i].size();
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
    auto line = [&](const std::vector<std::string>& r, bool is_head) {
      std::string s = md ? "|" : "";
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string& cell = r[i];
        if (md) s += " " + (i == 1 && !is_head ? "`" + cell + "`" : cell) + " |";
        else s += (i == 1 ? cell + std::string(w[i] - cell.size(), ' ') : std::string(w[i] - cell.size(), ' ') + cell) + "  ";
      }
      out << s << "\n";
    };
    line(head, true);
    if (md) {
      std::string s = "|";
      for (std::size_t i = 0; i < head.size(); ++i) s += i == 1 ? ":---|" : "---:|";
      out << s << "\n";
    }
    for (const auto& r : rows) line(r, false);
  }
};

}  // namespace

void Collector::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& r : runs) {
    if (r.error_occurred) continue;
    double per = 1;
    for (const char* k : {"evals", "rows"})
      if (auto it = r.counters.find(k); it != r.counters.end() && it->second.value > 0) per = it->second.value;
    const double ns = to_ns(r.GetAdjustedCPUTime(), r.time_unit) / per;
    repetitions_ = std::max<int>(repetitions_, static_cast<int>(r.repetitions));
    if (r.run_type == Run::RT_Aggregate) {
      if (r.aggregate_name == "median") median_[r.run_name.str()] = ns;
    } else {
      single_[r.run_name.str()] = ns;
    }
  }
}

double Collector::ns(const std::string& name) const {
  if (auto it = median_.find(name); it != median_.end()) return it->second;
  if (auto it = single_.find(name); it != single_.end()) return it->second;
  return -1;
}

void print_summary(std::ostream& out, const Collector& c, const SummaryInput& in) {
  const bool md = in.markdown;
  const char* bullet = md ? "- " : "";
  const auto has = [&](const std::vector<std::string>& v, const char* e) {
    return std::find(v.begin(), v.end(), e) != v.end();
  };
  if (!in.single_engines.empty()) {
    out << "\n" << (md ? "### " : "== ") << "Single evaluation: ns per evaluation (median of " << c.repetitions()
        << " repetitions, CPU time)" << (md ? "\n\n" : " ==\n");
    Table t;
    t.head = {"#", "expression"};
    for (const std::string& e : in.single_engines) t.head.push_back(e);
    std::map<std::string, std::vector<double>> per_engine;
    for (std::size_t i = 0; i < in.exprs.size(); ++i) {
      std::vector<std::string> row = {std::to_string(i + 1), shorten(in.exprs[i], 48)};
      for (const std::string& e : in.single_engines) {
        const double v = c.ns(single_name(e, i));
        row.push_back(fmt(v));
        if (v > 0) per_engine[e].push_back(v);
      }
      t.rows.push_back(row);
    }
    t.print(out, md);
    out << "\n";
    // Per corpus file: each engine's median, then ratios to the baselines over the
    // expressions both ran.
    for (const std::string& set : in.sets) {
      auto in_set = [&](std::size_t i) { return in.set.empty() || in.set[i] == set; };
      out << "\n" << (md ? "#### " : "-- ") << set << (md ? "\n\n" : " --\n");
      for (const std::string& e : in.single_engines) {
        std::vector<double> v;
        for (std::size_t i = 0; i < in.exprs.size(); ++i)
          if (const double x = c.ns(single_name(e, i)); in_set(i) && x > 0) v.push_back(x);
        out << bullet << e << ": median " << fmt(median(v), 2) << " ns/eval, geometric mean " << fmt(geomean(v), 2)
            << " ns/eval over " << v.size() << " expressions\n";
      }
      for (const char* base : {"native", "exprtk", "vm"}) {
        if (!has(in.single_engines, base)) continue;
        for (const std::string& e : in.single_engines) {
          if (e == base) continue;
          std::vector<double> r;
          std::size_t faster = 0;
          for (std::size_t i = 0; i < in.exprs.size(); ++i) {
            const double a = c.ns(single_name(e, i)), b = c.ns(single_name(base, i));
            if (in_set(i) && a > 0 && b > 0) r.push_back(a / b), faster += a < b;
          }
          if (!r.empty())
            out << bullet << e << "/" << base << ": geometric mean " << fmt(geomean(r), 2) << "x, median "
                << fmt(median(r), 2) << "x; faster than " << base << " on " << faster << " of " << r.size() << "\n";
        }
      }
    }
  }
  if (in.batch_engines.empty() || in.rows.empty()) return;
  const std::size_t n = *std::max_element(in.rows.begin(), in.rows.end());
  out << "\n" << (md ? "### " : "== ") << "Batch: ns per row at N = " << n << (md ? "\n\n" : " ==\n");
  Table b;
  b.head = {"#", "expression"};
  for (const std::string& e : in.batch_engines) b.head.push_back(e);
  for (std::size_t i = 0; i < in.exprs.size(); ++i) {
    std::vector<std::string> row = {std::to_string(i + 1), shorten(in.exprs[i], 48)};
    for (const std::string& e : in.batch_engines) row.push_back(fmt(c.ns(batch_name(e, n, i)), 2));
    b.rows.push_back(row);
  }
  b.print(out, md);
  out << "\n";
  for (std::size_t rows : in.rows)
    for (const std::string& e : in.batch_engines) {
      std::vector<double> v;
      for (std::size_t i = 0; i < in.exprs.size(); ++i)
        if (const double x = c.ns(batch_name(e, rows, i)); x > 0) v.push_back(x);
      if (!v.empty())
        out << bullet << e << " batch, N = " << rows << ": median " << fmt(median(v), 3) << " ns/row over "
            << v.size() << " expressions\n";
    }
}

}  // namespace exprjit::bench
