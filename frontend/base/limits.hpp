// limits.hpp — the front end's documented limits (docs/limits.md).
#pragma once
#include <cstddef>

namespace exprjit {

// Deepest nesting accepted: parentheses, prefix operators, '^' chains, calls and '?:' count,
// because each adds a level to the tree or to the parser's recursion.  A chain of the
// left-associative operators of one precedence level (1+2-3+...) does not: it is one node
// with a list of operands, walked by a loop in every pass, so a sum of a million terms is
// two levels deep.  Every recursive pass (parsers, checker, backends, printers,
// destruction) is bounded by this limit, so none can overflow the stack.  Deeper input is
// a compile error at the position where the limit was crossed.
inline constexpr std::size_t kMaxDepth = 2000;

}  // namespace exprjit
