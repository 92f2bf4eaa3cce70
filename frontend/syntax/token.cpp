// token.cpp — names of token kinds (from tokens.def) and the --emit=tokens format.
#include <array>
#include <charconv>
#include <string>

#include "frontend/syntax/lexer.hpp"
#include "frontend/syntax/token.hpp"

namespace exprjit {

namespace {
struct TokInfo {
  std::string_view name, spelling, description;
};
constexpr std::array<TokInfo, kTokCount> kToks = {{
#define TOKEN(name, spelling, desc) {#name, spelling, desc},
#include "frontend/lang/tokens.def"
#undef TOKEN
}};
}  // namespace

std::string_view tok_name(Tok t) { return kToks[static_cast<std::size_t>(t)].name; }
std::string_view tok_spelling(Tok t) { return kToks[static_cast<std::size_t>(t)].spelling; }
std::string_view tok_description(Tok t) { return kToks[static_cast<std::size_t>(t)].description; }

std::string token_text(const Token& t, std::string_view source) {
  std::string s(tok_name(t.kind));
  if (t.kind == Tok::NUMBER || t.kind == Tok::IDENT)
    s += " " + std::string(source.substr(t.span.begin.offset, t.span.end - t.span.begin.offset));
  return s;
}

}  // namespace exprjit
