// exprtk.cpp — ExprTk (Arash Partow's C++ Mathematical Expression Toolkit Library) as a
// benchmark engine: the fastest well-known C++ expression evaluator, and the reference of
// the public math-parser benchmark the corpus comes from.
//
// It is not part of the project (../shared/peers/exprtk/README.md): built only when meson
// is given -Dexprtk=DIR (scripts/bench passes ../shared/peers/exprtk when it exists), in
// this one translation unit, at -O2.  Without it the engine is reported unavailable.
//
// Single: one exprtk::expression per expression, the corpus's variables bound by reference
// (symbol_table::add_variable) to an array the timing loop swaps, value() per evaluation,
// as the public benchmark drives it.  Batch: ExprTk has no bulk mode, so its users' loop:
// the bound variables set from the columns, then value(), per row.  pi and e are
// constants.  The expression is given as written; when ExprTk refuses it or its result
// differs from the reference's, the caller retries with the translator's rewrite
// (to_exprtk) and the report says why.
#include "bench/peers/peers.hpp"

#if EXPRJIT_BENCH_HAVE_EXPRTK
#define exprtk_disable_rtl_io_file
#define exprtk_disable_rtl_vecops
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#include <exprtk.hpp>
#pragma GCC diagnostic pop

#include "bench/translate/translate.hpp"
#endif

namespace exprjit::bench {

#if EXPRJIT_BENCH_HAVE_EXPRTK
namespace {

class ExprtkEvaluator final : public Evaluator {
 public:
  ExprtkEvaluator(const std::string& text, const Job& job) : vars_(job.corpus.values), cols_(job.cols) {
    for (std::size_t s = 0; s < job.corpus.names.size(); ++s) symbols_.add_variable(job.corpus.names[s], vars_[s]);
    symbols_.add_constants();  // pi, epsilon, inf
    symbols_.add_constant("e", 2.718281828459045235360287);
    expr_.register_symbol_table(symbols_);
    exprtk::parser<double> parser;
    if (!parser.compile(text, expr_)) throw std::runtime_error("ExprTk: " + parser.error());
  }
  double run(double* v, std::size_t count) override {
    std::copy(v, v + vars_.size(), vars_.begin());
    const double r = run_loop([&](double*) { return expr_.value(); }, vars_.data(), count);
    std::copy(vars_.begin(), vars_.end(), v);
    return r;
  }
  void run_batch(std::size_t n, double* out) override {
    const std::size_t nv = vars_.size();
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t s = 0; s < nv; ++s) vars_[s] = cols_[s][i];
      out[i] = expr_.value();
    }
  }

 private:
  std::vector<double> vars_;
  const double* const* cols_;
  exprtk::symbol_table<double> symbols_;
  exprtk::expression<double> expr_;
};

Prepared make(const std::string& text, const Job& job, std::string note) {
  return {std::make_unique<ExprtkEvaluator>(text, job), std::move(note)};
}

}  // namespace

Engine exprtk_engine() {
  Engine e{"exprtk", "ExprTk " + exprtk_version() + ": add_variable by reference + value(); batch: value() per row",
           Engine::peer, true, true, "", nullptr};
  e.prepare = [](const Job& job) { return make(job.text, job, ""); };
  e.rewrite = [](const Job& job, const std::string& why) {
    std::string text;
    try {
      text = to_exprtk(*check_text(job.text, job.corpus.names), job.corpus.names);
    } catch (const Untranslatable& u) {
      throw NotApplicable(why + "; no rewrite: " + u.what());
    }
    return make(text, job, "rewritten as `" + text + "` (as written: " + why + ")");
  };
  return e;
}

// ExprTk's version is e to ever more digits: the first twelve are enough to tell releases apart.
std::string exprtk_version() { return std::string(exprtk::information::version).substr(0, 12); }

#else

Engine exprtk_engine() {
  return {"exprtk", "ExprTk", Engine::peer, true, true,
          "ExprTk was not given to the build (meson -Dexprtk=DIR with DIR/exprtk.hpp; scripts/bench does it when "
          "../shared/peers/exprtk exists)",
          nullptr};
}
std::string exprtk_version() { return ""; }

#endif

}  // namespace exprjit::bench
