// impl.hpp — what a compiled Expression holds (private to the library), and the bridges
// from the internal front end's errors to the public ones.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "exprjit/exprjit.hpp"
#include "frontend/diagnostic.hpp"

namespace exprjit {

// Immutable after construction; shared by every copy of the Expression.
struct Expression::Impl {
  std::string text;
  std::string backend_name;
  std::vector<std::string> variables;       // the caller's order (values, columns)
  std::vector<std::string> reads;           // the variables the text reads (variables' order)
  std::vector<std::uint32_t> slot_source;   // compiled slot k reads variables[slot_source[k]]
  std::vector<const double*> bound;         // slot k reads *bound[k] (compiled from Symbols)
  bool has_bound = false;
  bool identity = false;                    // slot k is variables[k] for every k: no gather
  // Declared before `code` so that it outlives it: the backend made the compiled code.
  std::shared_ptr<Backend> maker;
  std::unique_ptr<Compiled> code;
};

struct ExpressionFactory {
  static Expression make(std::shared_ptr<const Expression::Impl> impl) { return Expression(std::move(impl)); }
};

// The public error for an internal one raised while compiling text.
ParseError to_public(const CompileError& e, std::string_view text);

// Throws Error unless name can be a variable: an identifier that is not a built-in
// constant or function.
void validate_variable_name(std::string_view name);

}  // namespace exprjit
