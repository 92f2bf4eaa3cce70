// engines.cpp — the engine table: exprjit's backends through the public library, native
// C++, the peers and the design prototypes.
#include "bench/harness/engines.hpp"

#include <exprjit/exprjit.hpp>

#include <algorithm>
#include <span>

#include "bench/peers/peers.hpp"
#include "bench/prototypes/prototypes.hpp"
#include "bench/translate/native.hpp"

namespace exprjit::bench {
namespace {

// A backend as a user calls it: the corpus's variables bound by address (Symbols::bind)
// to an array the loop swaps, f() per evaluation; batch through eval_batch.
class BoundEvaluator final : public Evaluator {
 public:
  BoundEvaluator(const Job& job, const CompileOptions& options) : vars_(job.corpus.values) {
    Symbols s;
    for (std::size_t i = 0; i < job.corpus.names.size(); ++i) s.bind(job.corpus.names[i], &vars_[i]);
    f_ = compile(job.text, s, options);
    for (std::size_t i = 0; i < job.corpus.names.size(); ++i) cols_.emplace_back(job.cols[i], job.max_rows);
  }
  double run(double* v, std::size_t count) override {
    std::copy(v, v + vars_.size(), vars_.begin());
    double* bound = vars_.data();
    const double r = run_loop([&](double*) { return f_(); }, bound, count);
    std::copy(vars_.begin(), vars_.end(), v);
    return r;
  }
  void run_batch(std::size_t n, double* out) override {
    std::vector<std::span<const double>> cols;
    for (const auto& c : cols_) cols.push_back(c.first(n));
    f_.eval_batch(cols, std::span(out, n));
  }
  const Expression& expression() const { return f_; }

 private:
  std::vector<double> vars_;
  Expression f_;
  std::vector<std::span<const double>> cols_;
};

// The same backend through eval(values): the values passed with every call.
class ValuesEvaluator final : public Evaluator {
 public:
  ValuesEvaluator(const Job& job, const CompileOptions& options)
      : n_(job.corpus.names.size()), f_(compile(job.text, job.corpus.names, options)) {}
  double run(double* v, std::size_t count) override {
    return run_loop([&](double* x) { return f_.eval(std::span<const double>(x, n_)); }, v, count);
  }
  void run_batch(std::size_t, double*) override { throw std::logic_error("single-only engine"); }

 private:
  std::size_t n_;
  Expression f_;
};

class NativeEvaluator final : public Evaluator {
 public:
  NativeEvaluator(const NativeFunction& f, const double* const* cols) : f_(f), cols_(cols) {}
  double run(double* v, std::size_t count) override { return run_loop(f_.row, v, count); }
  void run_batch(std::size_t n, double* out) override { f_.batch(cols_, n, out); }

 private:
  NativeFunction f_;
  const double* const* cols_;
};

// A backend of the library's table, bound ("vm") or by values ("vm-values"), on one
// thread; or its batch on `threads` threads of the library's pool ("vm-2t", batch only).
Engine backend(const BackendDescription& b, bool values, unsigned threads = 1) {
  const std::string name = b.name + (values ? "-values" : threads > 1 ? "-" + std::to_string(threads) + "t" : "");
  const std::string how = values        ? "f.eval(values) per evaluation"
                          : threads > 1 ? "eval_batch on " + std::to_string(threads) + " threads (batch only)"
                                        : "Symbols bound by address, f() per evaluation; batch: eval_batch";
  Engine e{name, "exprjit " + b.name + " backend through the public API: " + how, Engine::backend, threads == 1,
           !values, "", nullptr};
  e.prepare = [backend = b.name, values, threads](const Job& job) -> Prepared {
    CompileOptions o;
    o.backend = backend;
    o.threads = threads;
    if (values) return {std::make_unique<ValuesEvaluator>(job, o), ""};
    auto ev = std::make_unique<BoundEvaluator>(job, o);
    std::string note = ev->expression().how();
    return {std::move(ev), note};
  };
  return e;
}

Engine native_engine() {
  Engine e{"native",
           "C++ of each expression, generated from the corpus at build time (g++ -O2 -ffp-contract=off), called "
           "through a pointer",
           Engine::native, true, true, "", nullptr};
  e.prepare = [](const Job& job) -> Prepared {
    const NativeFunction* f = find_native(job.text);
    if (!f) throw NotApplicable("no C++ was generated for this text (the corpus differs from the ones built in)");
    if (!f->row) throw NotApplicable("the front end refused the line when the C++ was generated");
    return {std::make_unique<NativeEvaluator>(*f, job.cols), ""};
  };
  return e;
}

std::vector<Engine> make_engines() {
  std::vector<Engine> out;
  out.push_back(native_engine());
  for (const BackendDescription& b : available_backends()) out.push_back(backend(b, false));
  for (const BackendDescription& b : available_backends()) out.push_back(backend(b, true));
  for (const BackendDescription& b : available_backends())
    if (b.name != "tree") out.push_back(backend(b, false, 2));
  out.push_back(exprtk_engine());
  out.push_back(muparser_engine());
  out.push_back(luajit_engine());
  for (Engine& e : prototype_engines()) out.push_back(std::move(e));
  return out;
}

}  // namespace

const std::vector<Engine>& engines() {
  static const std::vector<Engine> table = make_engines();
  return table;
}

const Engine* find_engine(const std::string& name) {
  for (const Engine& e : engines())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace exprjit::bench
