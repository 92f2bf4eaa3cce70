// run.cpp — the exprjit program: expressions from the command line, or a session (-f FILE,
// or stdin when it is not a terminal) evaluated line by line.
#include "cli/run.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/format.hpp"
#include "frontend/lexer.hpp"
#include "cli/csv.hpp"
#include "cli/repl.hpp"
#include "cli/session.hpp"

namespace exprjit::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string ms(Clock::duration d) {
  char buf[32];
  double us = std::chrono::duration<double, std::micro>(d).count();
  if (us < 1000) std::snprintf(buf, sizeof buf, "%.1f us", us);
  else std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
  return buf;
}

// Expressions given on the command line: each is parsed and checked on its own; all are
// compiled together (one build for the jit), then evaluated with the --var values.
int run_expressions(const Options& o, Engine& engine) {
  Scope scope;
  std::vector<double> values;
  for (auto& [name, v] : o.vars) {
    scope.define(name);
    values.push_back(v);
  }

  struct Item {
    std::size_t index;
    ExprPtr expr;
  };
  std::vector<Item> items;
  int status = 0;
  Clock::duration t_lex{}, t_parse{}, t_check{};

  for (std::size_t i = 0; i < o.exprs.size(); ++i) {
    const std::string& text = o.exprs[i];
    Source src{"<expr>", text, 1};
    try {
      auto t0 = Clock::now();
      if (o.emit == Emit::tokens || o.time) {
        std::vector<Token> toks = tokenize(text);
        if (o.emit == Emit::tokens) {
          for (const Token& t : toks) std::printf("%s\n", token_text(t, text).c_str());
          continue;
        }
      }
      auto t1 = Clock::now();
      ExprPtr e = parse_expression(text, o.parser);
      auto t2 = Clock::now();
      if (o.emit == Emit::ast) {
        std::fputs(to_tree(*e).c_str(), stdout);
        continue;
      }
      check(*e, scope);
      auto t3 = Clock::now();
      t_lex += t1 - t0, t_parse += t2 - t1, t_check += t3 - t2;
      items.push_back({i, std::move(e)});
    } catch (const CompileError& err) {
      std::fputs(format_error(src, err).c_str(), stderr);
      status = 1;
    }
  }
  if (o.emit == Emit::tokens || o.emit == Emit::ast) return status;

  std::vector<const Expr*> exprs;
  for (const Item& it : items) exprs.push_back(it.expr.get());
  if (o.emit == Emit::bytecode || o.emit == Emit::go) {
    for (const Expr* e : exprs) std::fputs(engine.emit(o.emit, *e, scope.size()).c_str(), stdout);
    return status;
  }

  auto t4 = Clock::now();
  std::vector<std::unique_ptr<Compiled>> compiled = engine.compile_many(exprs, scope.size());
  auto t5 = Clock::now();
  Clock::duration t_eval{};
  for (std::size_t k = 0; k < compiled.size(); ++k) {
    auto t6 = Clock::now();
    double v = compiled[k]->eval(values.data());
    t_eval += Clock::now() - t6;
    std::printf("%s\n", format_value(v).c_str());
  }
  if (o.time)
    std::fprintf(stderr, "time: lex %s, parse %s, check %s, compile %s, eval %s (%s backend)\n", ms(t_lex).c_str(),
                 ms(t_parse).c_str(), ms(t_check).c_str(), ms(t5 - t4).c_str(), ms(t_eval).c_str(),
                 std::string(engine.backend_name()).c_str());
  return status;
}

}  // namespace

int run(const Options& o) {
  Engine engine(o);
  if (o.csv) return run_csv(o, engine);
  if (!o.exprs.empty()) return run_expressions(o, engine);

  std::string name;
  std::istream* in = nullptr;
  std::ifstream file;
  if (o.file && *o.file != "-") {
    struct stat st {};
    if (::stat(o.file->c_str(), &st) == 0 && S_ISDIR(st.st_mode)) errno = EISDIR;
    else file.open(*o.file, std::ios::binary);
    if (!file.is_open()) {
      std::fprintf(stderr, "error: cannot read '%s': %s\n", o.file->c_str(), std::strerror(errno));
      return 1;
    }
    name = *o.file;
    in = &file;
  } else if (o.file || !isatty(STDIN_FILENO)) {
    name = "<stdin>";
    in = &std::cin;
  } else {
    return run_repl(o);  // a terminal and nothing to evaluate: interactive
  }
  Session session(o, engine, name);
  return session.run(*in);
}

}  // namespace exprjit::cli
