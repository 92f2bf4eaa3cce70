// stages.hpp — the printable stages (stages.def) and how the front-end ones print.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ir/ir.hpp"
#include "frontend/syntax/ast.hpp"

namespace exprjit::driver {

enum class Stage {
#define STAGE(id, name, backend, description) id,
#include "driver/stages.def"
#undef STAGE
};

struct StageInfo {
  Stage id;
  std::string_view name;
  std::string_view backend;  // "" for a front-end stage
  std::string_view description;
  bool front() const { return backend.empty(); }
};
std::span<const StageInfo> stage_table();
const StageInfo* find_stage(std::string_view name);
std::string stage_names();  // "tokens, ast, checked, bytecode, go"

// The front-end stages: tokens of a text; the parsed tree of an expression or of a line's
// statements; checked trees (with the variables' names for their slots).
std::string print_tokens(std::string_view text);
std::string print_checked(const std::vector<const ir::Expr*>& exprs, const std::vector<ir::FunctionRef>& functions,
                          const std::vector<std::string>& slot_names);

}  // namespace exprjit::driver
