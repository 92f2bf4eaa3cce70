// check.cpp — resolves names against a Scope, constants and the built-in table.
#include "check.hpp"

#include <algorithm>

#include "diagnostic.hpp"

namespace exprjit {

std::optional<std::uint32_t> Scope::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<std::uint32_t>(i);
  return std::nullopt;
}

std::uint32_t Scope::define(std::string_view name) {
  if (auto slot = find(name)) return *slot;
  names_.emplace_back(name);
  return static_cast<std::uint32_t>(names_.size() - 1);
}

namespace {

std::string arity_text(const Builtin& b) {
  if (b.variadic()) return "at least " + std::to_string(b.min_args) + " argument" + (b.min_args == 1 ? "" : "s");
  if (b.min_args == b.max_args)
    return std::to_string(b.min_args) + " argument" + (b.min_args == 1 ? "" : "s");
  return std::to_string(b.min_args) + " to " + std::to_string(b.max_args) + " arguments";
}

void check_node(Expr& e, const Scope& scope) {
  if (auto* n = std::get_if<Name>(&e.node)) {
    if (auto slot = scope.find(n->name)) {
      e.node = Variable{std::move(n->name), *slot};
    } else if (auto c = find_constant(n->name)) {
      e.node = Constant{std::move(n->name), *c};
    } else if (find_builtin(n->name)) {
      throw CompileError("'" + n->name + "' is a function; call it as " + n->name + "(...)", e.span.begin);
    } else {
      throw CompileError("unknown variable '" + n->name + "'", e.span.begin);
    }
  } else if (auto* u = std::get_if<Unary>(&e.node)) {
    check_node(*u->operand, scope);
  } else if (auto* b = std::get_if<Binary>(&e.node)) {
    check_node(*b->lhs, scope);
    check_node(*b->rhs, scope);
  } else if (auto* c = std::get_if<Conditional>(&e.node)) {
    check_node(*c->cond, scope);
    check_node(*c->then_expr, scope);
    check_node(*c->else_expr, scope);
  } else if (auto* call = std::get_if<Call>(&e.node)) {
    const Builtin* fn = find_builtin(call->name);
    if (!fn) throw CompileError("unknown function '" + call->name + "'", call->name_span.begin);
    if (!fn->accepts(call->args.size()))
      throw CompileError("'" + call->name + "' takes " + arity_text(*fn) + ", given " +
                             std::to_string(call->args.size()),
                         call->name_span.begin);
    call->fn = fn;
    for (ExprPtr& a : call->args) check_node(*a, scope);
  }
  // Number, and nodes already checked (Variable, Constant), need nothing.
}

void collect(const Expr& e, std::vector<std::string>& out) {
  auto add = [&](const std::string& n) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  if (auto* n = std::get_if<Name>(&e.node)) {
    if (!find_constant(n->name)) add(n->name);
  } else if (auto* v = std::get_if<Variable>(&e.node)) {
    add(v->name);
  } else if (auto* u = std::get_if<Unary>(&e.node)) {
    collect(*u->operand, out);
  } else if (auto* b = std::get_if<Binary>(&e.node)) {
    collect(*b->lhs, out);
    collect(*b->rhs, out);
  } else if (auto* c = std::get_if<Conditional>(&e.node)) {
    collect(*c->cond, out);
    collect(*c->then_expr, out);
    collect(*c->else_expr, out);
  } else if (auto* call = std::get_if<Call>(&e.node)) {
    for (const ExprPtr& a : call->args) collect(*a, out);
  }
}

}  // namespace

void check(Expr& e, const Scope& scope) { check_node(e, scope); }

void check_assignable(std::string_view name, Pos at) {
  if (find_constant(name)) throw CompileError("cannot assign to the constant '" + std::string(name) + "'", at);
  if (find_builtin(name))
    throw CompileError("cannot assign to '" + std::string(name) + "': it names a built-in function", at);
}

std::vector<std::string> free_variables(const Expr& e) {
  std::vector<std::string> out;
  collect(e, out);
  return out;
}

}  // namespace exprjit
