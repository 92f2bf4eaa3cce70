// token.hpp — token kinds (from lang/tokens.def) and the Token value the lexer produces.
#pragma once
#include <cstdint>
#include <string_view>

#include "frontend/base/pos.hpp"

namespace exprjit {

enum class Tok : std::uint8_t {
#define TOKEN(name, spelling, desc) name,
#include "frontend/lang/tokens.def"
#undef TOKEN
};

inline constexpr int kTokCount = 0
#define TOKEN(name, spelling, desc) +1
#include "frontend/lang/tokens.def"
#undef TOKEN
    ;

// tok_name is the enumerator as written in tokens.def, as --emit=tokens prints it.
std::string_view tok_name(Tok t);        // "NUMBER", "PLUS", ...
std::string_view tok_description(Tok t); // "number", "'+'", ...
std::string_view tok_spelling(Tok t);    // "+", or "" for value tokens

struct Token {
  Tok kind = Tok::END;
  Span span;
  double number = 0;  // the converted value, for Tok::NUMBER
};

}  // namespace exprjit
