// session.hpp — the statement loop of sessions (the REPL, -f files, stdin, the API's
// Session): lines of statements checked against the session's variables and functions,
// compiled together, evaluated in order.
//
//   statement := expr | name = expr | name(p, q) = expr
//
// Each line is checked before anything of it runs; a line that fails to check defines
// nothing (its variables and functions are rolled back, in time proportional to what it
// defined) and prints its error.  Assignability is checked the same way whether the line is
// then evaluated or only printed (--emit).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "driver/engines.hpp"
#include "driver/settings.hpp"
#include "driver/stages.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/check/check.hpp"

namespace exprjit::driver {

class Session {
 public:
  explicit Session(Settings settings);

  struct Line {
    std::string_view text;
    std::uint32_t number = 1;  // in its file
  };
  struct Outcome {
    bool ok = true;
    bool has_value = false;
    double value = 0;
    std::string defined;                // the head of the last definition, when the line ends with one
    std::optional<CompileError> error;  // a positioned error (relative to the line)
    std::string message;                // an error without a position (a backend's)
  };

  // Lines checked in order, compiled together on the session's backend, evaluated in order.
  std::vector<Outcome> run(std::span<const Line> lines);
  // A stage of a line, checked (and defining) as run() would, but nothing is evaluated.
  Outcome emit(const StageInfo& stage, const Line& line, std::string& out);

  void set(std::string_view name, double value);
  std::vector<std::pair<std::string, double>> variables() const;
  std::vector<ir::FunctionRef> functions() const;  // in order of definition, the live ones
  const std::vector<double>& values() const { return values_; }
  const Scope& scope() const { return scope_; }
  const Functions& callables() const { return functions_; }
  void reset();

  const BackendInfo& backend() const { return *settings_.backend; }
  void set_backend(const BackendInfo& b) { settings_.backend = &b; }
  void set_parser(ParserKind p) { settings_.parser = p; }
  const Settings& settings() const { return settings_; }
  Engines& engines() { return engines_; }

 private:
  struct Statement {
    syntax::Statement::Kind kind;
    std::shared_ptr<const ir::Expr> expr;  // evaluate, assign
    std::uint32_t slot = 0;                // assign
    ir::FunctionRef fn;                    // define
  };
  // Checks a line's statements, defining what they define; on an error rolls back and throws.
  std::vector<Statement> check_line(std::vector<syntax::Statement>& stmts, std::string_view text);
  Names names() const { return Names{&scope_, &functions_, nullptr, {}}; }

  Settings settings_;
  Engines engines_;
  Scope scope_;
  Functions functions_;
  std::vector<double> values_;  // by slot
};

}  // namespace exprjit::driver
