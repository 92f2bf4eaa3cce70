// suite.cpp — see suite.hpp.
#include "bench/harness/suite.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <ostream>
#include <regex>

#include <exprjit/exprjit.hpp>

namespace exprjit::bench {

Columns::Columns(const Corpus& c, std::size_t rows) : data(c.values.size(), std::vector<double>(rows)) {
  std::vector<double> v = c.values;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t s = 0; s < v.size(); ++s) data[s][r] = v[s];
    next_binding(v.data());
  }
  for (auto& col : data) ptrs.push_back(col.data());
}

bool agrees(double x, double ref) {
  if (std::isnan(x) || std::isnan(ref)) return std::isnan(x) && std::isnan(ref);
  return x == ref || std::fabs(x - ref) <= kTolerance * std::fabs(ref);
}

std::string single_name(const std::string& engine, std::size_t expr) {
  return "single/" + engine + "/" + std::to_string(expr + 1);
}
std::string batch_name(const std::string& engine, std::size_t rows, std::size_t expr) {
  return "batch/" + engine + "/" + std::to_string(rows) + "/" + std::to_string(expr + 1);
}

namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

struct Suite::Impl {
  const Corpus& corpus;
  SuiteConfig cfg;
  std::regex filter;
  std::unique_ptr<Columns> cols;
  std::vector<double> out;
  std::vector<double> v1, v2, ref1, ref2;  // the two bindings and the reference's results on them
  std::vector<std::unique_ptr<Evaluator>> keep;

  Impl(const Corpus& c, SuiteConfig config)
      : corpus(c), cfg(std::move(config)), filter(cfg.filter.empty() ? ".*" : cfg.filter) {
    std::size_t max_rows = 1;
    for (std::size_t n : cfg.rows) max_rows = std::max(max_rows, n);
    cols = std::make_unique<Columns>(corpus, max_rows);
    out.resize(max_rows);
    v1 = corpus.values;
    v2 = v1;
    next_binding(v2.data());
    CompileOptions reference;
    for (const BackendDescription& b : available_backends())
      if (b.is_reference) reference.backend = b.name;
    for (const std::string& text : corpus.exprs) {
      const Expression t = compile(text, corpus.names, reference);
      ref1.push_back(t.eval(v1));
      ref2.push_back(t.eval(v2));
    }
  }

  bool wanted(const std::string& name) const { return std::regex_search(name, filter); }

  // "" when ev agrees with the tree everywhere it will be timed, else what differs.
  std::string gate(Evaluator& ev, const Engine& e, std::size_t k, const std::vector<std::size_t>& rows) {
    if (cfg.single && e.single) {
      std::vector<double> v = v1;
      const double x1 = ev.run(v.data(), 1);
      if (!agrees(x1, ref1[k])) return "gives " + num(x1) + " where the reference gives " + num(ref1[k]);
      if (v != v2) return "the evaluation loop did not swap a<->b, x<->y";
      const double x2 = ev.run(v.data(), 1);
      if (!agrees(x2, ref2[k]))
        return "gives " + num(x2) + " on the swapped binding where the reference gives " + num(ref2[k]);
    }
    if (!rows.empty()) {
      const double poison = std::isnan(ref1[k]) || std::isnan(ref2[k]) ? 1.5e300 : NAN;
      for (std::size_t n : rows) {
        std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), poison);
        ev.run_batch(n, out.data());
        for (std::size_t r = 0; r < n; ++r) {
          const double ref = r & 1 ? ref2[k] : ref1[k];
          if (!agrees(out[r], ref))
            return "batch of " + std::to_string(n) + " rows: row " + std::to_string(r) + " is " + num(out[r]) +
                   " where the reference gives " + num(ref);
        }
      }
    }
    return "";
  }

  void register_single(Evaluator* ev, const Engine& e, std::size_t k) {
    const std::string name = single_name(e.name, k);
    if (!wanted(name)) return;
    const std::size_t evals = cfg.evals;
    benchmark::RegisterBenchmark(name.c_str(), [ev, evals, values = corpus.values](benchmark::State& st) {
      std::vector<double> v = values;
      for (auto _ : st) benchmark::DoNotOptimize(ev->run(v.data(), evals));
      st.counters["evals"] = static_cast<double>(evals);
      st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * evals));
    });
  }

  void register_batch(Evaluator* ev, const Engine& e, std::size_t k, std::size_t n) {
    const std::string name = batch_name(e.name, n, k);
    if (!wanted(name)) return;
    double* o = out.data();
    benchmark::RegisterBenchmark(name.c_str(), [ev, n, o](benchmark::State& st) {
      for (auto _ : st) {
        ev->run_batch(n, o);
        benchmark::ClobberMemory();
      }
      st.counters["rows"] = static_cast<double>(n);
      st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
    })->Unit(n <= 1000 ? benchmark::kMicrosecond : benchmark::kMillisecond);
  }
};

Suite::Suite(const Corpus& corpus, SuiteConfig config) : impl_(std::make_unique<Impl>(corpus, std::move(config))) {}
Suite::~Suite() = default;

Json Suite::prepare_and_register(std::ostream& log) {
  Impl& m = *impl_;
  Json engines_json = Json::array();
  // What passed, [engine][expression]; registered afterwards expression by expression, so
  // the engines of one expression run back to back (ratios then suffer less from drift).
  std::vector<std::vector<Evaluator*>> single(m.cfg.engines.size()), batched(m.cfg.engines.size());
  for (std::size_t ei = 0; ei < m.cfg.engines.size(); ++ei) {
    const Engine* e = m.cfg.engines[ei];
    single[ei].assign(m.corpus.exprs.size(), nullptr);
    batched[ei].assign(m.corpus.exprs.size(), nullptr);
    Json ej = Json::object();
    ej["name"] = e->name;
    ej["description"] = e->description;
    ej["kind"] = e->kind == Engine::backend ? "backend" : e->kind == Engine::native ? "native"
                 : e->kind == Engine::peer  ? "peer"
                                            : "design";
    ej["single"] = m.cfg.single && e->single;
    ej["batch"] = !m.cfg.rows.empty() && e->batch;
    if (!e->unavailable.empty()) {
      ej["unavailable"] = e->unavailable;
      log << "gate: " << e->name << ": not available: " << e->unavailable << "\n";
      engines_json.push(ej);
      continue;
    }
    const bool batch = !m.cfg.rows.empty() && e->batch;
    if (!(m.cfg.single && e->single) && !batch) continue;
    const std::vector<std::size_t> rows = batch ? m.cfg.rows : std::vector<std::size_t>{};
    Json results = Json::array();
    std::size_t ok = 0, failed = 0, na = 0;
    for (std::size_t k = 0; k < m.corpus.exprs.size(); ++k) {
      const Job job{k, m.corpus.exprs[k], m.corpus, m.cols->ptrs.data(), m.out.size()};
      Json r = Json::object();
      std::string status, note, why;
      Prepared p;
      auto attempt = [&](auto&& make) {
        try {
          p = make();
          why = m.gate(*p.eval, *e, k, rows);  // what will be timed, nothing else
          return why.empty() ? "ok" : "failed";
        } catch (const NotApplicable& err) {
          why = err.what();
          return "n/a";
        } catch (const std::exception& err) {
          why = err.what();
          return "failed";
        }
      };
      status = attempt([&] { return e->prepare(job); });
      if (status == "failed" && e->rewrite) status = attempt([&] { return e->rewrite(job, why); });
      r["status"] = status;
      if (status == "ok") {
        if (!p.note.empty()) r["note"] = p.note;
        ++ok;
        if (m.cfg.single && e->single) {
          std::vector<double> v = m.v1;
          p.eval->run(v.data(), 2000);  // warm-up (LuaJIT compiles its trace here)
          single[ei][k] = p.eval.get();
        }
        if (batch) batched[ei][k] = p.eval.get();
        m.keep.push_back(std::move(p.eval));
      } else {
        r["note"] = why;
        ++(status == "n/a" ? na : failed);
      }
      results.push(r);
    }
    ej["results"] = results;
    log << "gate: " << e->name << ": " << ok << " ok, " << failed << " failed, " << na << " n/a\n";
    engines_json.push(ej);
  }
  for (std::size_t k = 0; k < m.corpus.exprs.size(); ++k)
    for (std::size_t ei = 0; ei < single.size(); ++ei)
      if (single[ei][k]) m.register_single(single[ei][k], *m.cfg.engines[ei], k);
  for (std::size_t n : m.cfg.rows)
    for (std::size_t k = 0; k < m.corpus.exprs.size(); ++k)
      for (std::size_t ei = 0; ei < batched.size(); ++ei)
        if (batched[ei][k]) m.register_batch(batched[ei][k], *m.cfg.engines[ei], k, n);
  return engines_json;
}

void Suite::register_compile() {
  Impl& m = *impl_;
  Symbols names;
  for (const std::string& v : m.corpus.names) names.declare(v);
  std::size_t total = 0;
  for (std::size_t k = 0; k < m.corpus.exprs.size(); ++k) {
    const std::string& text = m.corpus.exprs[k];
    total += text.size();
    const std::string name = "compile/frontend/" + std::to_string(k + 1);
    if (m.wanted(name))
      benchmark::RegisterBenchmark(name.c_str(), [text, names](benchmark::State& st) {
        for (auto _ : st) check(text, names);
        st.counters["bytes"] = static_cast<double>(text.size());
        st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * text.size()));
      });
  }
  if (m.wanted("compile/frontend/corpus"))
    benchmark::RegisterBenchmark("compile/frontend/corpus", [exprs = m.corpus.exprs, names, total](benchmark::State& st) {
      for (auto _ : st)
        for (const std::string& text : exprs) check(text, names);
      st.counters["bytes"] = static_cast<double>(total);
      st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * total));
    })->Unit(benchmark::kMicrosecond);
  CompileOptions vm;
  vm.backend = "vm";
  for (std::size_t k = 0; k < m.corpus.exprs.size(); ++k) {
    const std::string name = "compile/vm/" + std::to_string(k + 1);
    if (!m.wanted(name)) continue;
    benchmark::RegisterBenchmark(name.c_str(), [text = m.corpus.exprs[k], vars = m.corpus.names, vm](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(compile(text, vars, vm));
    });
  }
}

}  // namespace exprjit::bench
