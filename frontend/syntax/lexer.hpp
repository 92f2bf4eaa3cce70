// lexer.hpp — the re2c-generated scanner (lexer.re): text in, tokens with positions out.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "frontend/syntax/token.hpp"

namespace exprjit {

class Lexer {
 public:
  // Copies the text: the scanner needs a NUL sentinel after the last byte, and the text
  // itself may contain NUL bytes.
  explicit Lexer(std::string_view text);

  // The next token; Tok::END at the end (and every call after).  Throws CompileError at
  // the offending byte for a character outside the language.
  Token next();

  std::string_view text() const { return {buf_.data(), buf_.size()}; }

 private:
  std::string buf_;
  std::size_t cur_ = 0;         // offset of the next byte to scan
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;  // offset of the current line's first byte

  Pos pos_at(std::size_t offset) const;
};

// All tokens of a text, END included (for --emit=tokens and tests).
std::vector<Token> tokenize(std::string_view text);

// One token as --emit=tokens prints it: "NUMBER 1.5", "IDENT x", "PLUS".
std::string token_text(const Token& t, std::string_view source);

}  // namespace exprjit
