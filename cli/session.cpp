// session.cpp — session evaluation: parse and check every line of a chunk, compile the
// chunk's statements together (one go build for the jit), then evaluate them in order.
#include "cli/session.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "frontend/diagnostic.hpp"
#include "frontend/format.hpp"
#include "frontend/lexer.hpp"

namespace exprjit::cli {

Backend& Engine::get(const std::string& name) {
  auto it = made_.find(name);
  if (it != made_.end()) return *it->second;
  const BackendInfo* info = find_backend(name);
  if (!info) throw std::runtime_error("this build has no '" + name + "' backend (it has: " + backend_names() + ")");
  BackendOptions bo = o_.backend_options;
  if (o_.verbose) bo.verbose = &std::cerr;
  if (isatty(STDERR_FILENO))
    bo.status = [](std::string_view s) { std::fprintf(stderr, "%.*s\n", static_cast<int>(s.size()), s.data()); };
  return *made_.emplace(name, info->make(bo)).first->second;
}

std::vector<std::unique_ptr<Compiled>> Engine::compile_many(std::span<const Expr* const> exprs, std::size_t nslots) {
  if (exprs.empty()) return {};
  return get(backend_).compile_many(exprs, nslots);
}

std::string Engine::emit(Emit what, const Expr& e, std::size_t nslots) {
  std::string backend = what == Emit::bytecode ? "vm" : "jit";
  std::string out = get(backend).emit(e, nslots);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

struct Session::Line {
  std::uint32_t lineno;
  std::string text;
  std::vector<Statement> stmts;
  std::vector<std::optional<std::uint32_t>> targets;  // slot assigned by each statement
  std::size_t first = 0;                               // index of its first compiled statement
  bool error = false;
};

int Session::run(std::istream& in) {
  std::vector<Line> chunk;
  std::string text;
  std::uint32_t lineno = 0;
  while (std::getline(in, text)) {
    ++lineno;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos || text[first] == '#') continue;
    chunk.push_back(Line{lineno, std::move(text), {}, {}, 0, false});
    // The jit builds a whole file at once; the interpreters answer line by line.
    if (!engine_.batches_lines()) {
      process(chunk);
      chunk.clear();
    }
  }
  process(chunk);
  return failed_ ? 1 : 0;
}

void Session::emit_line(Line& line) {
  Source src{name_, line.text, line.lineno};
  try {
    if (o_.emit == Emit::tokens) {
      for (const Token& t : tokenize(line.text)) std::printf("%s\n", token_text(t, line.text).c_str());
      return;
    }
    for (Statement& s : parse_line(line.text, o_.parser)) {
      if (o_.emit == Emit::ast) {
        if (s.target) std::printf("Assign %s\n", s.target->c_str());
        std::fputs(to_tree(*s.expr).c_str(), stdout);
        continue;
      }
      check(*s.expr, scope_);
      if (s.target) scope_.define(*s.target);
      std::fputs(engine_.emit(o_.emit, *s.expr, scope_.size()).c_str(), stdout);
    }
  } catch (const CompileError& err) {
    std::fputs(format_error(src, err).c_str(), stderr);
    failed_ = true;
  }
}

void Session::process(std::vector<Line>& lines) {
  if (lines.empty()) return;
  if (o_.emit != Emit::none) {
    for (Line& l : lines) emit_line(l);
    return;
  }
  // 1. Parse and check each line against the variables defined by the lines before it.
  //    A failing line defines nothing (the scope is rolled back to where it started).
  std::vector<const Expr*> exprs;
  for (Line& l : lines) {
    std::size_t scope_before = scope_.size();
    Scope saved = scope_;
    try {
      l.stmts = parse_line(l.text, o_.parser);
      for (Statement& s : l.stmts) {
        check(*s.expr, scope_);
        if (s.target) {
          check_assignable(*s.target, s.target_span.begin);
          l.targets.push_back(scope_.define(*s.target));
        } else {
          l.targets.push_back(std::nullopt);
        }
      }
      l.first = exprs.size();
      for (Statement& s : l.stmts) exprs.push_back(s.expr.get());
    } catch (const CompileError& err) {
      std::fputs(format_error(Source{name_, l.text, l.lineno}, err).c_str(), stderr);
      l.error = true;
      scope_ = std::move(saved);
      (void)scope_before;
    }
  }
  // 2. Compile the chunk's statements together.
  std::vector<std::unique_ptr<Compiled>> compiled;
  try {
    compiled = engine_.compile_many(exprs, scope_.size());
  } catch (const CompileError& err) {
    std::fputs(format_error(err.message()).c_str(), stderr);
    for (Line& l : lines) l.error = true;
  } catch (const std::exception& err) {
    std::fputs(format_error(err.what()).c_str(), stderr);
    for (Line& l : lines) l.error = true;
  }
  // 3. Evaluate in order; one output line per input line.
  values_.resize(scope_.size(), 0.0);
  for (Line& l : lines) {
    if (l.error) {
      std::fputs("error\n", stdout);
      failed_ = true;
      continue;
    }
    double v = 0;
    for (std::size_t k = 0; k < l.stmts.size(); ++k) {
      v = compiled[l.first + k]->eval(values_.data());
      if (l.targets[k]) values_[*l.targets[k]] = v;
    }
    std::printf("%s\n", format_value(v).c_str());
  }
  std::fflush(stdout);
}

}  // namespace exprjit::cli
