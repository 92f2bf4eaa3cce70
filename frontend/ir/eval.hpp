// eval.hpp — the reference evaluation of a checked tree: the language's meaning, written as
// directly as C++ allows.  The constant folder computes with it, the tests compare every
// backend with it, and the tree backend's specialised nodes (backends/tree/) compute the
// same operations in the same order.
#pragma once
#include "frontend/ir/ir.hpp"

namespace exprjit::ir {

// vars[slot] for Variable nodes, params[i] for Param nodes (in a function's body).
double evaluate(const Expr& e, const double* vars, const double* params = nullptr);

// A call of callee on evaluated arguments.
double apply(const Callee& callee, const double* args, std::size_t n);

}  // namespace exprjit::ir
