// token.hpp — token kinds (from tokens.def) and the Token value the lexer produces.
#pragma once
#include <cstdint>
#include <string_view>

namespace exprjit {

enum class Tok : std::uint8_t {
#define TOKEN(name, spelling, desc) name,
#include "tokens.def"
#undef TOKEN
};

inline constexpr int kTokCount = 0
#define TOKEN(name, spelling, desc) +1
#include "tokens.def"
#undef TOKEN
    ;

// tok_name is the enumerator as written in tokens.def, as --emit=tokens prints it.
std::string_view tok_name(Tok t);        // "NUMBER", "PLUS", ...
std::string_view tok_description(Tok t); // "number", "'+'", ...
std::string_view tok_spelling(Tok t);    // "+", or "" for value tokens

// A position in the source: byte offset plus 1-based line and column (column counts bytes).
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

struct Token {
  Tok kind = Tok::END;
  Span span;
  double number = 0;  // the converted value, for Tok::Number
};

}  // namespace exprjit
