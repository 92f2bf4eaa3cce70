// report.cpp — result collection and the summary tables.
#include "bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

std::string shorten(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

// A table printed either as aligned text or as markdown.
struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  void print(std::ostream& out, bool md) const {
    std::vector<std::size_t> w(head.size());
    for (std::size_t i = 0; i < head.size(); ++i) w[i] = head[i].size();
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
    auto line = [&](const std::vector<std::string>& r) {
      std::string s = md ? "|" : "";
      for (std::size_t i = 0; i < r.size(); ++i) {
        std::string cell = r[i];
        if (md) cell = " " + (i == 1 ? "`" + cell + "`" : cell) + " |";
        else cell = (i == 1 ? cell + std::string(w[i] - cell.size(), ' ') : std::string(w[i] - cell.size(), ' ') + cell) + "  ";
        s += cell;
      }
      out << s << "\n";
    };
    line(head);
    if (md) {
      std::string s = "|";
      for (std::size_t i = 0; i < head.size(); ++i) s += i == 1 ? ":---|" : "---:|";
      out << s << "\n";
    }
    for (const auto& r : rows) line(r);
  }
};

}  // namespace

void Collector::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& r : runs) {
    if (r.error_occurred) continue;
    const double ns = to_ns(r.GetAdjustedCPUTime(), r.time_unit);
    if (r.run_type == Run::RT_Aggregate) {
      repetitions_ = std::max<int>(repetitions_, static_cast<int>(r.repetitions));
      if (r.aggregate_name == "median") median_[r.run_name.str()] = ns;
    } else {
      single_[r.run_name.str()] = ns;
      repetitions_ = std::max<int>(repetitions_, static_cast<int>(r.repetitions));
    }
  }
}

double Collector::ns(const std::string& name) const {
  if (auto it = median_.find(name); it != median_.end()) return it->second;
  if (auto it = single_.find(name); it != single_.end()) return it->second;
  return -1;
}

std::string single_name(const std::string& engine, std::size_t expr) {
  return "single/" + engine + "/" + std::to_string(expr + 1);
}
std::string batch_name(const std::string& engine, std::size_t expr) {
  return "batch/" + engine + "/" + std::to_string(expr + 1);
}

void print_summary(std::ostream& out, const Collector& c, const SummaryInput& in) {
  const bool md = in.markdown;
  const auto has = [&](const std::vector<std::string>& v, const char* e) {
    return std::find(v.begin(), v.end(), e) != v.end();
  };
  const bool tree_vm = has(in.single_engines, "tree") && has(in.single_engines, "vm");
  out << "\n" << (md ? "### " : "== ") << "Single evaluation: ns per evaluation (median of " << c.repetitions()
      << " repetitions, CPU time)" << (md ? "\n\n" : " ==\n");
  Table t;
  t.head = {"#", "expression"};
  for (const std::string& e : in.single_engines) t.head.push_back(e);
  if (tree_vm) t.head.push_back("tree/vm");
  std::vector<double> ratios;
  std::map<std::string, std::vector<double>> per_engine;
  int faster = 0, compared = 0;
  for (std::size_t i = 0; i < in.exprs.size(); ++i) {
    std::vector<std::string> row = {std::to_string(i + 1), shorten(in.exprs[i], 48)};
    for (const std::string& e : in.single_engines) {
      const double v = c.ns(single_name(e, i));
      row.push_back(fmt(v));
      if (v >= 0) per_engine[e].push_back(v);
    }
    if (tree_vm) {
      const double tr = c.ns(single_name("tree", i)), v = c.ns(single_name("vm", i));
      if (tr > 0 && v > 0) {
        ratios.push_back(tr / v);
        ++compared;
        faster += v < tr;
        row.push_back(fmt(tr / v, 2));
      } else {
        row.push_back("-");
      }
    }
    t.rows.push_back(row);
  }
  t.print(out, md);
  out << "\n";
  for (const std::string& e : in.single_engines)
    out << (md ? "- " : "") << e << ": median " << fmt(median(per_engine[e]), 2) << " ns/eval, geometric mean "
        << fmt(geomean(per_engine[e]), 2) << " ns/eval\n";
  if (tree_vm) {
    out << (md ? "- " : "") << "vm faster than tree on " << faster << " of " << compared << " expressions ("
        << fmt(100.0 * faster / std::max(compared, 1)) << "%; goal >= 90%); tree/vm median " << fmt(median(ratios), 2)
        << "x, geometric mean " << fmt(geomean(ratios), 2) << "x, min " << fmt(*std::min_element(ratios.begin(), ratios.end()), 2) << "x\n";
  }
  for (const std::string& e : in.single_engines) {
    if (e == "vm" || !has(in.single_engines, "vm")) continue;
    std::vector<double> r;
    for (std::size_t i = 0; i < in.exprs.size(); ++i) {
      const double a = c.ns(single_name(e, i)), b = c.ns(single_name("vm", i));
      if (a > 0 && b > 0) r.push_back(a / b);
    }
    if (!r.empty())
      out << (md ? "- " : "") << e << "/vm: geometric mean " << fmt(geomean(r), 3) << "x, median " << fmt(median(r), 3)
          << "x (above 1: vm faster)\n";
  }

  if (in.batch_engines.empty()) return;
  out << "\n" << (md ? "### " : "== ") << "Batch: ns per row at N = " << in.rows << (md ? "\n\n" : " ==\n");
  Table b;
  b.head = {"#", "expression", "vm single"};
  for (const std::string& e : in.batch_engines) b.head.push_back(e + " batch");
  b.head.push_back("single/batch");
  std::vector<double> singles, batches, speedups;
  std::map<std::string, std::vector<double>> per_batch;
  for (std::size_t i = 0; i < in.exprs.size(); ++i) {
    const double s = c.ns(single_name("vm", i));
    std::vector<std::string> row = {std::to_string(i + 1), shorten(in.exprs[i], 48), fmt(s)};
    for (const std::string& e : in.batch_engines) {
      const double v = c.ns(batch_name(e, i));
      const double per_row = v >= 0 ? v / static_cast<double>(in.rows) : -1;
      row.push_back(fmt(per_row, 2));
      if (per_row >= 0) per_batch[e].push_back(per_row);
    }
    const double br = c.ns(batch_name("vm", i)) / static_cast<double>(in.rows);
    if (s > 0 && br > 0) {
      singles.push_back(s);
      batches.push_back(br);
      speedups.push_back(s / br);
      row.push_back(fmt(s / br, 1));
    } else {
      row.push_back("-");
    }
    b.rows.push_back(row);
  }
  b.print(out, md);
  out << "\n";
  for (const std::string& e : in.batch_engines)
    out << (md ? "- " : "") << e << " batch: median " << fmt(median(per_batch[e]), 3) << " ns/row, geometric mean "
        << fmt(geomean(per_batch[e]), 3) << " ns/row" << (per_batch[e].size() < in.exprs.size() ? " (subset)" : "")
        << "\n";
  if (!speedups.empty()) {
    out << (md ? "- " : "") << "corpus median: vm single " << fmt(median(singles), 2) << " ns/eval, vm batch "
        << fmt(median(batches), 3) << " ns/row: " << fmt(median(singles) / median(batches), 1)
        << "x (goal >= 5x); per-expression single/batch median " << fmt(median(speedups), 1) << "x, min "
        << fmt(*std::min_element(speedups.begin(), speedups.end()), 1) << "x\n";
  }
}

}  // namespace exprjit::bench
