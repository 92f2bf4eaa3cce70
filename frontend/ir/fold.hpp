// fold.hpp — constant folding of a checked tree, once, before any backend sees it, so that
// every backend folds alike by construction.  A part without variables is computed with
// ir::evaluate — the same C functions and operations the backends run — so folding never
// changes a result:
//   - an operation, PowInt or built-in call whose operands are all numbers becomes a number;
//   - a chain's leading operands fold while they are numbers (2/3*b -> 0.666..*b), and
//     nothing is reassociated (b*2/3 stays as written: x+0 is not x for -0, x*0 not 0 for inf);
//   - a conditional with a number as condition becomes its chosen arm;
//   - a call of a language function or a host function declared pure, on numbers, becomes
//     its value (a host function that throws is left as a call, to throw when evaluated).
#pragma once
#include "frontend/ir/ir.hpp"

namespace exprjit::ir {

void fold(ExprPtr& e);

}  // namespace exprjit::ir
