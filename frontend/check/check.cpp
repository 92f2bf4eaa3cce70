// check.cpp — resolves names against the variables, the functions and the built-in table,
// building the checked tree.
#include "frontend/check/check.hpp"

#include <algorithm>
#include <atomic>
#include <unordered_set>

#include "frontend/base/diagnostic.hpp"
#include "frontend/base/limits.hpp"
#include "frontend/ir/fold.hpp"
#include "frontend/lang/semantics.hpp"

namespace exprjit {

namespace {

std::atomic<std::uint64_t> g_serial{0};  // numbers function definitions (ir::Function::serial)

[[noreturn]] void too_deep(Pos at) {
  throw CompileError("expression nests too deeply (limit " + std::to_string(kMaxDepth) +
                         " levels, counting the bodies of the functions it calls)",
                     at);
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

#define EXPRJIT_NOINLINE [[gnu::noinline]]

class Checker {
 public:
  explicit Checker(const Names& names) : names_(names) {}

  // Returns the checked tree and sets *h to its height (calls count their callee's depth).
  // Each node kind is a function of its own, kept out of line: the recursion then carries
  // only this small frame and the one node function per level (a frame holding every
  // kind's locals was 5.6 KiB under AddressSanitizer, too much for kMaxDepth levels).
  ir::ExprPtr expr(const syntax::Expr& e, std::size_t* h) {
    std::size_t hc = 0;  // the greatest height among the children
    ir::ExprPtr out = std::visit([&](const auto& n) { return node(e, n, &hc); }, e.node);
    *h = hc + 1;
    if (*h > kMaxDepth) too_deep(e.span.begin);
    return out;
  }

 private:
  // A child, its height folded into *hc.
  ir::ExprPtr sub(const syntax::Expr& c, std::size_t* hc) {
    std::size_t hh = 0;
    ir::ExprPtr out = expr(c, &hh);
    *hc = std::max(*hc, hh);
    return out;
  }

  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Number& n, std::size_t*) {
    return ir::make(e.span, ir::Number{n.value});
  }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Name& n, std::size_t*) { return name(e, n); }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Unary& u, std::size_t* hc) {
    ir::ExprPtr operand = sub(*u.operand, hc);
    if (u.op == UnOp::Plus) return operand;  // the identity: +x is x
    return ir::make(e.span, ir::Unary{u.op, std::move(operand)});
  }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Power& p, std::size_t* hc) {
    ir::ExprPtr base = sub(*p.base, hc);
    if (std::optional<int> n = integer_literal_exponent(*p.exponent))
      return ir::make(e.span, ir::PowInt{std::move(base), *n});
    ir::Call call{&builtin(Fn::POW), {}};
    call.args.push_back(std::move(base));
    call.args.push_back(sub(*p.exponent, hc));
    return ir::make(e.span, std::move(call));
  }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Chain& c, std::size_t* hc) {
    ir::Chain out{sub(*c.first, hc), {}};
    out.rest.reserve(c.rest.size());
    for (const syntax::Link& l : c.rest) out.rest.push_back(ir::Link{l.op, sub(*l.rhs, hc)});
    return ir::make(e.span, std::move(out));
  }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Conditional& c, std::size_t* hc) {
    ir::ExprPtr cond = sub(*c.cond, hc);
    ir::ExprPtr a = sub(*c.then_expr, hc);
    ir::ExprPtr b = sub(*c.else_expr, hc);
    return ir::make(e.span, ir::Conditional{std::move(cond), std::move(a), std::move(b)});
  }
  EXPRJIT_NOINLINE ir::ExprPtr node(const syntax::Expr& e, const syntax::Call& c, std::size_t* hc) {
    ir::Call out{callee(c), {}};  // resolved and checked first, out of the recursion's way
    out.args.reserve(c.args.size());
    for (const syntax::ExprPtr& a : c.args) out.args.push_back(sub(*a, hc));
    if (const auto* fn = std::get_if<ir::FunctionRef>(&out.callee)) {
      *hc = std::max(*hc, (*fn)->depth);
      if (*hc + 1 > kMaxDepth) too_deep(c.name_span.begin);
    }
    return ir::make(e.span, std::move(out));
  }

  const Names& names_;

  const ir::Callee* function(std::string_view name) const {
    return names_.functions ? names_.functions->find(name) : nullptr;
  }
  bool is_variable(std::string_view name) const {
    return (names_.variables && names_.variables->find(name)) || is_param(name);
  }
  bool is_param(std::string_view name) const {
    return names_.params && std::find(names_.params->begin(), names_.params->end(), name) != names_.params->end();
  }

  ir::ExprPtr name(const syntax::Expr& e, const syntax::Name& n) {
    if (names_.params) {
      auto it = std::find(names_.params->begin(), names_.params->end(), n.name);
      if (it != names_.params->end())
        return ir::make(e.span, ir::Param{static_cast<std::uint32_t>(it - names_.params->begin())});
    }
    if (names_.variables)
      if (auto slot = names_.variables->find(n.name)) return ir::make(e.span, ir::Variable{*slot});
    if (auto c = find_constant(n.name)) return ir::make(e.span, ir::Number{*c});
    if (find_builtin(n.name) || function(n.name) || n.name == names_.defining)
      throw CompileError(quoted(n.name) + " is a function; call it as " + n.name + "(...)", e.span.begin);
    if (names_.params)
      throw CompileError("unknown variable " + quoted(n.name) + " (a function's body reads only its parameters: " +
                             (names_.params->empty() ? std::string("it has none") : [&] {
                               std::string s;
                               for (const std::string& p : *names_.params) s += (s.empty() ? "" : ", ") + p;
                               return s;
                             }()) +
                             ")",
                         e.span.begin);
    throw CompileError("unknown variable " + quoted(n.name), e.span.begin);
  }

  // The callee of a call, its arity checked.
  EXPRJIT_NOINLINE ir::Callee callee(const syntax::Call& c) const {
    const Pos at = c.name_span.begin;
    ir::Call out{static_cast<const Builtin*>(nullptr), {}};
    std::string arity;
    if (const Builtin* b = find_builtin(c.name)) {
      out.callee = b;
      if (!b->accepts(c.args.size())) arity = b->arity_text();
    } else if (const ir::Callee* f = function(c.name)) {
      out.callee = *f;
      if (const auto* h = std::get_if<ir::HostRef>(f); h && !(*h)->accepts(c.args.size())) {
        const ir::HostFunction& hf = **h;
        auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
        arity = hf.max_args == 0        ? "at least " + plural(hf.min_args)
                : hf.min_args == hf.max_args ? plural(hf.min_args)
                                             : std::to_string(hf.min_args) + " to " + plural(hf.max_args);
      }
      if (const auto* fn = std::get_if<ir::FunctionRef>(f); fn && (*fn)->params.size() != c.args.size()) {
        const std::size_t n = (*fn)->params.size();
        arity = std::to_string(n) + (n == 1 ? " argument" : " arguments");
      }
    } else if (c.name == names_.defining) {
      throw CompileError(quoted(c.name) + " calls itself: a function may call only built-ins, host functions and "
                                          "functions defined before it (no recursion)",
                         at);
    } else if (find_constant(c.name)) {
      throw CompileError(quoted(c.name) + " is a constant, not a function", at);
    } else if (is_variable(c.name)) {
      throw CompileError(quoted(c.name) + " is a variable, not a function", at);
    } else {
      throw CompileError("unknown function " + quoted(c.name), at);
    }
    if (!arity.empty())
      throw CompileError(quoted(c.name) + " takes " + arity + ", given " + std::to_string(c.args.size()), at);
    return out.callee;
  }
};

}  // namespace

std::optional<int> integer_literal_exponent(const syntax::Expr& e) {
  bool negative = false;
  const syntax::Expr* p = &e;
  while (const auto* u = std::get_if<syntax::Unary>(&p->node)) {
    if (u->op == UnOp::Not) return std::nullopt;
    if (u->op == UnOp::Neg) negative = !negative;
    p = u->operand.get();
  }
  const auto* n = std::get_if<syntax::Number>(&p->node);
  if (!n || !(std::fabs(n->value) <= rt::kMaxPowInt) || n->value != std::trunc(n->value)) return std::nullopt;
  const int v = static_cast<int>(n->value);
  return negative ? -v : v;
}

ir::ExprPtr check(const syntax::Expr& e, const Names& names) {
  std::size_t h = 0;
  return Checker(names).expr(e, &h);
}

void check_assignable(std::string_view name, Pos at, const Names& names) {
  if (find_constant(name)) throw CompileError("cannot assign to the constant '" + std::string(name) + "'", at);
  if (find_builtin(name))
    throw CompileError("cannot assign to '" + std::string(name) + "': it names a built-in function", at);
  if (names.functions && names.functions->find(name))
    throw CompileError("cannot assign to '" + std::string(name) + "': it names a function", at);
}

ir::FunctionRef check_definition(const syntax::Statement& def, const Names& names, std::string_view source, bool fold) {
  const Pos at = def.name_span.begin;
  if (find_constant(def.name)) throw CompileError("cannot define '" + def.name + "': it is a constant", at);
  if (find_builtin(def.name))
    throw CompileError("cannot define '" + def.name + "': it names a built-in function", at);
  if (names.variables && names.variables->find(def.name))
    throw CompileError("cannot define '" + def.name + "': it is a variable", at);
  auto f = std::make_shared<ir::Function>();
  f->name = def.name;
  std::unordered_set<std::string_view> seen;
  for (const auto& [p, span] : def.params) {
    if (find_constant(p)) throw CompileError("a parameter cannot be named '" + p + "': it is a constant", span.begin);
    if (find_builtin(p))
      throw CompileError("a parameter cannot be named '" + p + "': it names a built-in function", span.begin);
    if (!seen.insert(p).second) throw CompileError("the parameter '" + p + "' is listed twice", span.begin);
    f->params.push_back(p);
  }
  Names body_names;
  body_names.functions = names.functions;
  body_names.params = &f->params;
  body_names.defining = def.name;
  std::size_t h = 0;
  f->body = Checker(body_names).expr(*def.expr, &h);
  if (fold) ir::fold(f->body);
  f->depth = h;
  const std::size_t from = std::min<std::size_t>(def.name_span.begin.offset, source.size());
  f->text = std::string(source.substr(from, std::min<std::size_t>(def.expr->span.end, source.size()) - from));
  f->serial = ++g_serial;
  return f;
}

}  // namespace exprjit
