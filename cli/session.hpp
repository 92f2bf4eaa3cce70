// session.hpp — the backend a run uses (created on first need), and session evaluation of
// lines (-f FILE, stdin): assignments persist, one output line per input line.
#pragma once
#include <istream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "frontend/check.hpp"

namespace exprjit::cli {

class Engine {
 public:
  explicit Engine(const Options& o) : o_(o), backend_(o.backend) {}
  const std::string& backend_name() const { return backend_; }
  void set_backend(std::string name) { backend_ = std::move(name); }
  bool batches_lines() const { return backend_ == "jit"; }  // one build for many lines

  // Compiles with the current backend.
  std::vector<std::unique_ptr<Compiled>> compile_many(std::span<const Expr* const> exprs, std::size_t nslots);
  // --emit=bytecode uses the vm backend, --emit=go the jit backend, whatever --backend is.
  std::string emit(Emit what, const Expr& e, std::size_t nslots);
  // A backend by name, created on first use; throws when the build has none of that name.
  Backend& get(const std::string& name);

 private:
  const Options& o_;
  std::string backend_;
  std::map<std::string, std::unique_ptr<Backend>> made_;
};

class Session {
 public:
  Session(const Options& o, Engine& engine, std::string name) : o_(o), engine_(engine), name_(std::move(name)) {}
  // Reads lines to the end of in; returns the exit status (1 when any line failed).
  int run(std::istream& in);

 private:
  struct Line;
  void process(std::vector<Line>& lines);
  void emit_line(Line& line);

  const Options& o_;
  Engine& engine_;
  std::string name_;
  Scope scope_;
  std::vector<double> values_;
  bool failed_ = false;
};

}  // namespace exprjit::cli
