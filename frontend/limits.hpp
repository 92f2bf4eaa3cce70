// limits.hpp — the front end's documented limits (docs/limits.md).
#pragma once
#include <cstddef>

namespace exprjit {

// Deepest nesting accepted: parentheses, prefix operators, '^' chains, calls, '?:' and
// chains of binary operators all count, because each adds a level to the AST or to the
// parser's recursion.  Every recursive pass (parsers, checker, backends, printers,
// destruction) is bounded by it, so none can overflow the stack.  Deeper input is a
// compile error at the position where the limit was crossed.
inline constexpr std::size_t kMaxDepth = 2000;

}  // namespace exprjit
