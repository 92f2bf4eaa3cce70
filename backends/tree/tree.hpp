// tree.hpp — the tree-walking interpreter: evaluates a private copy of the checked AST.
// It is the reference the other backends are checked against.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit {

// Evaluates a checked expression directly (also used by tests and constant folding).
double tree_eval(const Expr& e, const double* vars);

std::unique_ptr<Backend> make_tree_backend(const BackendOptions&);

}  // namespace exprjit
