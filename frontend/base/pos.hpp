// pos.hpp — positions in a source text: what every diagnostic points at.
#pragma once
#include <cstdint>

namespace exprjit {

// A position in the source: byte offset plus 1-based line and column (columns count bytes).
struct Pos {
  std::uint32_t offset = 0;
  std::uint32_t line = 1;
  std::uint32_t col = 1;
};

// A half-open byte range [begin, end) of the source, with the position of its start.
struct Span {
  Pos begin;
  std::uint32_t end = 0;
};

}  // namespace exprjit
