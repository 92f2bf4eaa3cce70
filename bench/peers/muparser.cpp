// muparser.cpp — muparser (Debian's libmuparser-dev) as a benchmark engine.
//
// Single: one mu::Parser per expression, the corpus's variables bound with DefineVar to
// an array the timing loop changes (a<->b, x<->y swapped after each evaluation, as the
// public benchmark does), Eval() per evaluation.  Batch: a second parser whose variables
// are bound to the batch columns, evaluated with muparser's bulk mode Eval(results, n).
// `pi` and `e` are defined as constants (muparser calls them _pi and _e).
//
// The expression is given as written; when muparser refuses it or its result differs from
// the reference's (checked by the caller), the caller retries with the translator's
// fully parenthesised rewrite (Engine::rewrite) and reports why.
//
// Debian builds muparser with OpenMP, and bulk mode then splits the rows over every core.
// Every other evaluator uses one core, so muparser is limited to one thread
// (omp_set_num_threads(1), found at run time; muparser_openmp() tells the report).
#include "bench/peers/peers.hpp"

#if EXPRJIT_BENCH_HAVE_MUPARSER
#include <muParser.h>

#include "bench/translate/translate.hpp"

extern "C" {
// libgomp, when libmuparser pulled it in (weak: absent otherwise).
[[gnu::weak]] void omp_set_num_threads(int);
[[gnu::weak]] int omp_get_max_threads();
}
#endif

namespace exprjit::bench {

#if EXPRJIT_BENCH_HAVE_MUPARSER
namespace {

class MuparserEvaluator final : public Evaluator {
 public:
  MuparserEvaluator(const std::string& expr, const Job& job) : vars_(job.corpus.values) {
    setup(single_, expr, job, [&](std::size_t s) { return &vars_[s]; });
    setup(bulk_, expr, job, [&](std::size_t s) { return const_cast<double*>(job.cols[s]); });
    single_.Eval();  // parses now; later calls run the bytecode
    bulk_.Eval();
  }
  double run(double* v, std::size_t count) override {
    std::copy(v, v + vars_.size(), vars_.begin());
    double acc = -0.0;  // -0 + x is x, bit for bit (0 + -0 would be +0)
    for (std::size_t i = 0; i < count; ++i) {
      acc += single_.Eval();
      next_binding(vars_.data());
    }
    std::copy(vars_.begin(), vars_.end(), v);
    return acc;
  }
  void run_batch(std::size_t n, double* out) override { bulk_.Eval(out, static_cast<int>(n)); }

 private:
  template <class Where>
  static void setup(mu::Parser& p, const std::string& expr, const Job& job, Where where) {
    p.DefineConst("pi", 3.141592653589793238462643);
    p.DefineConst("e", 2.718281828459045235360287);
    for (std::size_t s = 0; s < job.corpus.names.size(); ++s) p.DefineVar(job.corpus.names[s], where(s));
    p.SetExpr(expr);
  }

  std::vector<double> vars_;
  mu::Parser single_, bulk_;
};

Prepared make(const std::string& expr, const Job& job, std::string note) {
  try {
    return {std::make_unique<MuparserEvaluator>(expr, job), std::move(note)};
  } catch (const mu::Parser::exception_type& err) {
    throw std::runtime_error("muparser: " + err.GetMsg());
  }
}

Prepared rewrite(const Job& job, const std::string& why) {
  std::string text;
  try {
    text = to_muparser(*check_text(job.text, job.corpus.names), job.corpus.names);
  } catch (const Untranslatable& u) {
    throw NotApplicable(why + "; no rewrite: " + u.what());
  }
  return make(text, job, "rewritten as `" + text + "` (as written: " + why + ")");
}

}  // namespace

Engine muparser_engine() {
  if (omp_set_num_threads) omp_set_num_threads(1);
  Engine e{"muparser", "muparser " + muparser_version() + ": DefineVar + Eval(); batch: bulk Eval(double*, int)",
           Engine::peer, true, true, "", nullptr};
  e.prepare = [](const Job& job) { return make(job.text, job, ""); };
  e.rewrite = rewrite;
  return e;
}


std::string muparser_version() { return mu::Parser().GetVersion(mu::pviBRIEF); }
bool muparser_openmp() { return omp_get_max_threads != nullptr; }

#else

Engine muparser_engine() {
  return {"muparser", "muparser", Engine::peer, true, true,
          "libmuparser-dev was not found when the benchmark was built (scripts/bootstrap installs it)", nullptr};
}
std::string muparser_version() { return ""; }
bool muparser_openmp() { return false; }

#endif

}  // namespace exprjit::bench
