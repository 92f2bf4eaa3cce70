// eval.cpp — see eval.hpp.
#include "frontend/ir/eval.hpp"

#include <memory>

#include "frontend/lang/semantics.hpp"

namespace exprjit::ir {

namespace {

// Arguments of a call: on the stack when few (the common case), else on the heap.
template <class F>
double with_args(const Call& c, F&& compute_arg) {
  constexpr std::size_t kInline = 8;
  double small[kInline];
  std::unique_ptr<double[]> big;
  double* args = small;
  if (c.args.size() > kInline) {
    big = std::make_unique<double[]>(c.args.size());
    args = big.get();
  }
  for (std::size_t i = 0; i < c.args.size(); ++i) args[i] = compute_arg(*c.args[i]);  // left to right
  return apply(c.callee, args, c.args.size());
}

}  // namespace

double apply(const Callee& callee, const double* args, std::size_t n) {
  return std::visit(Overload{
                        [&](const Builtin* b) { return b->apply(args, n); },
                        [&](const HostRef& h) { return h->call(args, n); },
                        [&](const FunctionRef& f) { return evaluate(*f->body, nullptr, args); },
                    },
                    callee);
}

double evaluate(const Expr& e, const double* vars, const double* params) {
  auto go = [&](const Expr& x) { return evaluate(x, vars, params); };
  return std::visit(Overload{
                        [](const Number& n) { return n.value; },
                        [&](const Variable& v) { return vars[v.slot]; },
                        [&](const Param& p) { return params[p.index]; },
                        [&](const Unary& u) { return rt::unary(u.op, go(*u.operand)); },
                        [&](const Chain& c) {
                          double acc = go(*c.first);
                          for (const Link& l : c.rest) acc = rt::binary(l.op, acc, go(*l.rhs));
                          return acc;
                        },
                        [&](const PowInt& p) { return rt::pow_int(go(*p.base), p.n); },
                        [&](const Conditional& c) {
                          return rt::truth(go(*c.cond)) ? go(*c.then_expr) : go(*c.else_expr);
                        },
                        [&](const Call& c) { return with_args(c, go); },
                    },
                    e.node);
}

}  // namespace exprjit::ir
