// run.cpp — the exprjit program: expressions from the command line, or a session (-f FILE,
// or stdin when it is not a terminal), a CSV file, or the REPL on a terminal.
#include "cli/run.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "cli/csv/csv.hpp"
#include "cli/repl/repl.hpp"
#include "cli/signals.hpp"

namespace exprjit::cli {

namespace {

using Clock = std::chrono::steady_clock;

Symbols symbols_of(const Options& o) {
  Symbols syms;
  for (const auto& [name, v] : o.vars) syms.declare(name);
  for (const std::string& d : o.defines) syms.define(d);
  return syms;
}

}  // namespace

// Expressions given on the command line: each is checked on its own (an error is printed
// and the others still run); the good ones are compiled together (one build for the jit),
// then evaluated with the --var values.
int run_expressions(const Options& o, const CompileOptions& co, Reporter& rep, Output& out) {
  Symbols syms;
  try {
    syms = symbols_of(o);
  } catch (const ParseError& e) {
    std::fputs(format_error(e, "--define").c_str(), stderr);
    return 1;
  }
  std::vector<double> values;
  for (const auto& [name, v] : o.vars) values.push_back(v);
  int status = 0;
  std::vector<std::string> good;
  for (const std::string& text : o.exprs) {
    try {
      if (!o.stage.empty()) {
        out.write(emit(o.stage, text, syms, co));
        continue;
      }
      check(text, syms, co);
      good.push_back(text);
    } catch (const ParseError& e) {
      std::fputs(format_error(e).c_str(), stderr);
      status = 1;
    }
  }
  if (!o.stage.empty() || good.empty()) return status;
  std::vector<Expression> exprs = compile_many(good, syms, co);
  double eval_s = 0;
  for (const Expression& e : exprs) {
    auto t0 = Clock::now();
    const double v = e.eval(values);
    eval_s += std::chrono::duration<double>(Clock::now() - t0).count();
    out.line(format_number(v));
  }
  if (o.time) std::fprintf(stderr, "%s\n", rep.summary(co.backend, eval_s).c_str());
  return status;
}

int run(const Options& o, Output& out, bool stdin_closed) {
  const bool repl = !o.csv && o.exprs.empty() && !o.file && !stdin_closed && isatty(STDIN_FILENO);
  stop_builds_on_signals(!repl);  // the REPL's Ctrl-C interrupts a build instead (repl/keys.cpp)
  Reporter rep(o.verbose, o.time);
  CompileOptions co = o.compile;
  co.on_event = rep.sink();
  if (o.csv) return run_csv(o, co, rep, out);
  if (!o.exprs.empty()) return run_expressions(o, co, rep, out);

  if (o.file && *o.file != "-") {
    std::string why;
    const int fd = open_input(*o.file, &why);
    if (fd < 0) {
      std::fprintf(stderr, "error: cannot read '%s': %s\n", printable(*o.file).c_str(), why.c_str());
      return 1;
    }
    LineReader in(fd, *o.file);
    const int status = run_session(o, co, rep, out, in);
    ::close(fd);
    return status;
  }
  if (o.file || stdin_closed || !isatty(STDIN_FILENO)) {
    if (stdin_closed) {
      std::fputs("<stdin>:1: error: read error: there is no standard input (it is closed)\n", stderr);
      return 1;
    }
    LineReader in(STDIN_FILENO, "<stdin>");
    return run_session(o, co, rep, out, in);
  }
  return run_repl(o, co, out);  // a terminal and nothing to evaluate: interactive
}

}  // namespace exprjit::cli
