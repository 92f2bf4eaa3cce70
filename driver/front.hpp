// front.hpp — the pipeline of one text: parse, check, fold, then compile on a backend; each
// phase timed and reported to the log ("lex", "parse", "check", "fold", "compile").
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
#include "driver/engines.hpp"
#include "driver/settings.hpp"
#include "driver/stages.hpp"
#include "frontend/check/check.hpp"

namespace exprjit::driver {

// Reports how long a phase took to the log when it goes out of scope.
class Phase {
 public:
  Phase(Log& log, std::string_view name);
  ~Phase();
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

 private:
  Log& log_;
  std::string_view name_;
  std::int64_t start_ns_;
};

// One expression text against names: parsed, checked, folded.  Throws CompileError.
ir::ExprPtr front(std::string_view text, const Settings& s, const Names& names, Log& log);

// A unit of expressions over the variables of scope (slot names for listings), with the
// callees they reach and the extra functions given (a definition printed on its own).
ir::Unit make_unit(std::vector<std::shared_ptr<const ir::Expr>> exprs, const Scope& scope,
                   const std::vector<ir::FunctionRef>& also = {});

// Compiles a unit on a backend.
std::vector<std::unique_ptr<Compiled>> compile(Backend& backend, const ir::Unit& unit, Log& log);

// A stage of one expression text as --emit prints it.  Throws CompileError.
std::string emit_expression(const StageInfo& stage, std::string_view text, const Settings& s, const Names& names,
                            const Scope& scope, Engines& engines);

}  // namespace exprjit::driver
