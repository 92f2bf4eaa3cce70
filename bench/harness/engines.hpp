// engines.hpp — what the benchmark times: an engine turns one corpus expression into an
// Evaluator.  The engines are exprjit's backends through the public library (as a user
// calls them), the native C++ reference, the peers (ExprTk, muparser, LuaJIT) and, with
// --design, the design prototypes of docs/design.md.  One table (engines.cpp) lists them.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/harness/corpus.hpp"

namespace exprjit::bench {

// One expression prepared by one engine.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // `count` evaluations, the first on the binding in v (slots a b c x y z w), then
  // next_binding(v) after each; returns the sum of the results, started at -0 so that one
  // evaluation returns its result bit for bit (the gate's path).  The loop is the same for
  // every C++-side engine (a call, an add, the swap); LuaJIT runs it in Lua.  An engine
  // bound to variables by address (exprjit's API, ExprTk, muparser) swaps its own bound
  // array and copies it from v first and back to v last.
  virtual double run(double* v, std::size_t count) = 0;
  // Batch: rows [0, n) of the columns bound at preparation (Job::cols) into out.
  virtual void run_batch(std::size_t n, double* out) = 0;
};

// What an engine gets for one expression.
struct Job {
  std::size_t index;            // 0-based position in the corpus
  const std::string& text;      // as written
  const Corpus& corpus;
  const double* const* cols;    // batch columns (one per variable), max_rows rows each
  std::size_t max_rows;
};

struct Prepared {
  std::unique_ptr<Evaluator> eval;
  std::string note;  // shown in the report, e.g. how an expression was translated
};

// prepare() throws NotApplicable when the engine cannot take this expression for a reason
// that is not a wrong answer (a peer lacks a function); any other exception is a failure.
struct NotApplicable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Engine {
  enum Kind { backend, native, peer, design };
  std::string name;
  std::string description;
  Kind kind;
  bool single;              // timed in single evaluation
  bool batch;               // timed in batch evaluation
  std::string unavailable;  // non-empty: why it cannot run in this build (peer library missing)
  std::function<Prepared(const Job&)> prepare;
  // A second attempt after prepare() threw or its result failed the correctness gate
  // (why: what went wrong), e.g. muparser on the translator's rewrite; may be empty.
  std::function<Prepared(const Job&, const std::string& why)> rewrite = nullptr;
};

const std::vector<Engine>& engines();
const Engine* find_engine(const std::string& name);

// The loop every C++-side engine runs around one evaluation call.
template <class F>
double run_loop(F&& eval, double* v, std::size_t count) {
  double acc = -0.0;  // -0 + x is x, bit for bit (0 + -0 would be +0)
  for (std::size_t i = 0; i < count; ++i) {
    acc += eval(v);
    next_binding(v);
  }
  return acc;
}

}  // namespace exprjit::bench
