// check.hpp — name resolution: turns a parsed AST into a checked one, in place.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"

namespace exprjit {

// The variables an expression may read, in slot order: names()[slot].
class Scope {
 public:
  Scope() = default;
  explicit Scope(std::vector<std::string> names) : names_(std::move(names)) {}

  std::optional<std::uint32_t> find(std::string_view name) const;
  // The slot of name, adding it at the end when new.
  std::uint32_t define(std::string_view name);
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// Resolves every Name into a Variable of scope or a Constant (pi, e), and every Call to
// its Builtin.  Throws CompileError at the name's position for an unknown variable, an
// unknown function, a wrong argument count, or a function name used as a value.
void check(Expr& e, const Scope& scope);

// Throws CompileError at `at` when name may not be assigned: the constants (pi, e) and
// the names of built-in functions.
void check_assignable(std::string_view name, Pos at);

// The names an expression reads, in order of first use, without constants (works on a
// parsed or a checked tree).  For embedding: what to bind before compiling.
std::vector<std::string> free_variables(const Expr& e);

}  // namespace exprjit
