// fold.cpp — see fold.hpp.
#include "frontend/ir/fold.hpp"

#include "frontend/ir/eval.hpp"

namespace exprjit::ir {

namespace {

bool all_numbers(const std::vector<ExprPtr>& v) {
  for (const ExprPtr& a : v)
    if (!as_number(*a)) return false;
  return true;
}

bool foldable(const Callee& c) {
  return std::visit(Overload{
                        [](const Builtin*) { return true; },
                        [](const HostRef& h) { return h->pure; },
                        [](const FunctionRef&) { return true; },  // a body reads only its parameters
                    },
                    c);
}

void to_number(ExprPtr& e, double v) { e = make(e->span, Number{v}); }

}  // namespace

void fold(ExprPtr& e) {
  std::visit(Overload{
                 [](Number&) {},
                 [](Variable&) {},
                 [](Param&) {},
                 [&](Unary& u) {
                   fold(u.operand);
                   if (as_number(*u.operand)) to_number(e, evaluate(*e, nullptr));
                 },
                 [&](Chain& c) {
                   fold(c.first);
                   for (Link& l : c.rest) fold(l.rhs);
                   std::size_t k = 0;  // leading links whose operands are numbers
                   double acc = 0;
                   if (const Number* n = as_number(*c.first)) {
                     acc = n->value;
                     while (k < c.rest.size() && as_number(*c.rest[k].rhs)) {
                       acc = rt::binary(c.rest[k].op, acc, as_number(*c.rest[k].rhs)->value);
                       ++k;
                     }
                   }
                   if (k == 0) return;
                   if (k == c.rest.size()) return to_number(e, acc);
                   c.first = make(c.first->span, Number{acc});
                   c.rest.erase(c.rest.begin(), c.rest.begin() + static_cast<std::ptrdiff_t>(k));
                 },
                 [&](PowInt& p) {
                   fold(p.base);
                   if (as_number(*p.base) || p.n == 0) to_number(e, p.n == 0 ? 1.0 : evaluate(*e, nullptr));  // x^0 = 1, nan too
                 },
                 [&](Conditional& c) {
                   fold(c.cond);
                   if (const Number* n = as_number(*c.cond)) {
                     ExprPtr arm = std::move(rt::truth(n->value) ? c.then_expr : c.else_expr);
                     fold(arm);
                     e = std::move(arm);
                     return;
                   }
                   fold(c.then_expr);
                   fold(c.else_expr);
                 },
                 [&](Call& c) {
                   for (ExprPtr& a : c.args) fold(a);
                   if (!all_numbers(c.args) || !foldable(c.callee)) return;
                   try {
                     to_number(e, evaluate(*e, nullptr));
                   } catch (...) {  // a host function that throws: it throws when evaluated
                   }
                 },
             },
             e->node);
}

}  // namespace exprjit::ir
