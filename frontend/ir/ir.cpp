// ir.cpp — callee names, host calls, the units' callee lists and the listing of a tree.
#include "frontend/ir/ir.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "frontend/base/format.hpp"

namespace exprjit::ir {

double HostFunction::call(const double* a, std::size_t n) const {
  if (form == Form::general) return reinterpret_cast<double (*)(const double*, std::size_t, void*)>(fn)(a, n, user);
  using D = double;
  switch (min_args) {
    case 0: return reinterpret_cast<D (*)()>(fn)();
    case 1: return reinterpret_cast<D (*)(D)>(fn)(a[0]);
    case 2: return reinterpret_cast<D (*)(D, D)>(fn)(a[0], a[1]);
    case 3: return reinterpret_cast<D (*)(D, D, D)>(fn)(a[0], a[1], a[2]);
    case 4: return reinterpret_cast<D (*)(D, D, D, D)>(fn)(a[0], a[1], a[2], a[3]);
    case 5: return reinterpret_cast<D (*)(D, D, D, D, D)>(fn)(a[0], a[1], a[2], a[3], a[4]);
    case 6: return reinterpret_cast<D (*)(D, D, D, D, D, D)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
    case 7: return reinterpret_cast<D (*)(D, D, D, D, D, D, D)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    case 8: return reinterpret_cast<D (*)(D, D, D, D, D, D, D, D)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  }
  throw std::logic_error("host function '" + name + "' has an unsupported arity");
}

std::string_view callee_name(const Callee& c) {
  return std::visit(Overload{
                        [](const Builtin* b) { return b->name; },
                        [](const HostRef& h) { return std::string_view(h->name); },
                        [](const FunctionRef& f) { return std::string_view(f->name); },
                    },
                    c);
}

bool has_conditional(const Expr& e) {
  if (std::holds_alternative<Conditional>(e.node)) return true;
  bool found = false;
  for_each_child(e, [&](const Expr& c) { found = found || has_conditional(c); });
  return found;
}

namespace {

// Callees of e (functions depth-first, so callees come before callers).
void collect(const Expr& e, Unit& u, std::unordered_set<const void*>& seen) {
  if (const auto* call = std::get_if<Call>(&e.node)) {
    if (const auto* f = std::get_if<FunctionRef>(&call->callee); f && seen.insert(f->get()).second) {
      collect(*(*f)->body, u, seen);
      u.functions.push_back(*f);
    }
    if (const auto* h = std::get_if<HostRef>(&call->callee); h && seen.insert(h->get()).second) u.hosts.push_back(*h);
  }
  for_each_child(e, [&](const Expr& c) { collect(c, u, seen); });
}

void tree(std::string& out, const Expr& e, int indent, const std::vector<std::string>& names,
          const std::vector<std::string>& params, std::string_view prefix) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ').append(prefix);
  std::visit(Overload{
                 [&](const Number& n) { out += "Number " + format_value(n.value) + "\n"; },
                 [&](const Variable& v) {
                   const std::string name = v.slot < names.size() ? names[v.slot] + " " : "";
                   out += "Variable " + name + "#" + std::to_string(v.slot) + "\n";
                 },
                 [&](const Param& p) {
                   const std::string name = p.index < params.size() ? params[p.index] + " " : "";
                   out += "Param " + name + "#" + std::to_string(p.index) + "\n";
                 },
                 [&](const Unary& u) {
                   out.append("Unary ").append(unop_symbol(u.op)).append("\n");
                   tree(out, *u.operand, indent + 1, names, params, {});
                 },
                 [&](const Chain& c) {
                   out += "Chain\n";
                   tree(out, *c.first, indent + 1, names, params, {});
                   for (const Link& l : c.rest) tree(out, *l.rhs, indent + 1, names, params, std::string(binop_symbol(l.op)) + " ");
                 },
                 [&](const PowInt& p) {
                   out += "PowInt " + std::to_string(p.n) + "\n";
                   tree(out, *p.base, indent + 1, names, params, {});
                 },
                 [&](const Conditional& c) {
                   out += "Conditional\n";
                   tree(out, *c.cond, indent + 1, names, params, {});
                   tree(out, *c.then_expr, indent + 1, names, params, {});
                   tree(out, *c.else_expr, indent + 1, names, params, {});
                 },
                 [&](const Call& c) {
                   const char* kind = std::holds_alternative<const Builtin*>(c.callee) ? "Call "
                                      : std::holds_alternative<HostRef>(c.callee)      ? "Call host "
                                                                                       : "Call function ";
                   out.append(kind).append(callee_name(c.callee)).append("\n");
                   for (const ExprPtr& a : c.args) tree(out, *a, indent + 1, names, params, {});
                 },
             },
             e.node);
}

}  // namespace

void Unit::collect_callees() {
  functions.clear();
  hosts.clear();
  std::unordered_set<const void*> seen;
  for (const auto& e : exprs) collect(*e, *this, seen);
}

std::size_t Unit::function_index(const Function* f) const {
  for (std::size_t i = 0; i < functions.size(); ++i)
    if (functions[i].get() == f) return i;
  throw std::logic_error("a unit's callee list lacks the function '" + f->name + "'");
}

std::size_t Unit::host_index(const HostFunction* h) const {
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].get() == h) return i;
  throw std::logic_error("a unit's callee list lacks the host function '" + h->name + "'");
}

std::string to_tree(const Expr& e, const std::vector<std::string>& slot_names,
                    const std::vector<std::string>& param_names) {
  std::string out;
  tree(out, e, 0, slot_names, param_names, {});
  return out;
}

}  // namespace exprjit::ir
