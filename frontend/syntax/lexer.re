// lexer.re — the scanner, as a table of re2c rules; build-time input to re2c, which
// writes lexer.cpp.  Every byte sequence is handled: the catch-all rule turns anything
// outside the language (NUL, invalid UTF-8, stray characters) into a positioned error.
#include "frontend/syntax/lexer.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "frontend/base/diagnostic.hpp"

namespace exprjit {

namespace {

// Correctly rounded decimal -> double.  A literal too large for a double is inf, a
// literal too small rounds to 0 or a subnormal (spec: not an error).
double convert_number(const char* first, const char* last) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec == std::errc() && ptr == last) return v;
  // from_chars reports out_of_range without a value; strtod gives the IEEE answer
  // (HUGE_VAL or the rounded tiny value).  The literal is followed by a non-digit, so
  // strtod stops at the same place.
  std::string copy(first, last);
  return std::strtod(copy.c_str(), nullptr);
}

// How an unexpected byte sequence is named in the error: the UTF-8 character when the
// bytes form one, else the first byte in hex.
std::string describe_bad(std::string_view rest) {
  unsigned char c = static_cast<unsigned char>(rest[0]);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", c);
  if (c >= 0x20 && c < 0x7f) return "character '" + std::string(1, static_cast<char>(c)) + "'";
  int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (c >= 0xf5) len = 0;
  if (len > 0 && rest.size() >= static_cast<std::size_t>(len)) {
    bool ok = true;
    for (int i = 1; i < len; ++i) ok = ok && (static_cast<unsigned char>(rest[i]) & 0xc0) == 0x80;
    // A C1 control character (U+0080 .. U+009F) would act on the terminal: named by number.
    if (ok && c == 0xc2 && static_cast<unsigned char>(rest[1]) < 0xa0) {
      std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(static_cast<unsigned char>(rest[1])));
      return std::string("control character U+") + hex;
    }
    if (ok) return "character '" + std::string(rest.substr(0, len)) + "'";
  }
  return std::string("byte ") + hex + (c >= 0x80 ? " (not valid UTF-8 here)" : "");
}

}  // namespace

Lexer::Lexer(std::string_view text) : buf_(text) {}

Pos Lexer::pos_at(std::size_t offset) const {
  return Pos{static_cast<std::uint32_t>(offset), line_,
             static_cast<std::uint32_t>(offset - line_start_ + 1)};
}

Token Lexer::next() {
  const char* const base = buf_.c_str();  // buf_[size] is the NUL sentinel
  const char* const limit = base + buf_.size();
  const char* cursor = base + cur_;
  const char* marker = cursor;
  for (;;) {
    const char* start = cursor;
    auto tok = [&](Tok k) {
      cur_ = static_cast<std::size_t>(cursor - base);
      Token t;
      t.kind = k;
      t.span.begin = pos_at(static_cast<std::size_t>(start - base));
      t.span.end = static_cast<std::uint32_t>(cur_);
      return t;
    };
    /*!re2c
      re2c:api:style = free-form;
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYCURSOR = "cursor";
      re2c:define:YYMARKER = "marker";
      re2c:define:YYLIMIT = "limit";
      re2c:define:YYPEEK = "static_cast<unsigned char>(*cursor)";
      re2c:define:YYSKIP = "++cursor;";
      re2c:define:YYBACKUP = "marker = cursor;";
      re2c:define:YYRESTORE = "cursor = marker;";
      re2c:define:YYLESSTHAN = "limit - cursor < @@";
      re2c:yyfill:enable = 0;
      re2c:eof = 0;

      digits = [0-9]+;
      exp    = [eE] [+-]? digits;
      number = digits ("." [0-9]*)? exp? | "." digits exp?;
      ident  = [A-Za-z_] [A-Za-z0-9_]*;

      $                  { cursor = limit; return tok(Tok::END); }
      [ \t\r]+           { continue; }
      "\n"               { ++line_; line_start_ = static_cast<std::size_t>(cursor - base); continue; }
      "#" [^\n]*        { continue; }
      number             { Token t = tok(Tok::NUMBER); t.number = convert_number(start, cursor); return t; }
      ident              { return tok(Tok::IDENT); }
      "+"  { return tok(Tok::PLUS); }     "-"  { return tok(Tok::MINUS); }
      "*"  { return tok(Tok::STAR); }     "/"  { return tok(Tok::SLASH); }
      "%"  { return tok(Tok::PERCENT); }  "^"  { return tok(Tok::CARET); }
      "("  { return tok(Tok::LPAREN); }   ")"  { return tok(Tok::RPAREN); }
      ","  { return tok(Tok::COMMA); }    "?"  { return tok(Tok::QUESTION); }
      ":"  { return tok(Tok::COLON); }    ";"  { return tok(Tok::SEMI); }
      "<"  { return tok(Tok::LT); }       "<=" { return tok(Tok::LE); }
      ">"  { return tok(Tok::GT); }       ">=" { return tok(Tok::GE); }
      "==" { return tok(Tok::EQ); }       "!=" { return tok(Tok::NE); }
      "&&" { return tok(Tok::AND); }      "||" { return tok(Tok::OR); }
      "!"  { return tok(Tok::NOT); }      "="  { return tok(Tok::ASSIGN); }
      *    {
        std::size_t at = static_cast<std::size_t>(start - base);
        cur_ = at;  // stay on the bad byte: every later call reports it again
        throw CompileError("unexpected " + describe_bad(std::string_view(start, limit - start)),
                           pos_at(at));
      }
    */
  }
}

std::vector<Token> tokenize(std::string_view text) {
  Lexer lx(text);
  std::vector<Token> out;
  for (;;) {
    out.push_back(lx.next());
    if (out.back().kind == Tok::END) return out;
  }
}

}  // namespace exprjit
