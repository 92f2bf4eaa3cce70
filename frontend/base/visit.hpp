// visit.hpp — the one traversal shape for both trees (syntax/ast.hpp, ir/ir.hpp).
//
//   std::visit(Overload{[&](const Number& n) {...}, [&](const Chain& c) {...}, ...}, e.node);
//
// Overload turns a set of lambdas into one visitor.  Passes list one lambda per node kind
// and no catch-all, so adding a kind is a compile error in every pass that does not handle
// it.  for_each_child calls f on each direct child expression, in evaluation order (left to
// right), for passes that only need to descend.
#pragma once
#include <variant>

namespace exprjit {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace exprjit
