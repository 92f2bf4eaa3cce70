// test_lexer.cpp — the re2c scanner: token kinds, positions, numbers, any bytes.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/lexer.hpp"

using namespace exprjit;

namespace {
std::string kinds(std::string_view text) {
  std::string s;
  for (const Token& t : tokenize(text)) s += (s.empty() ? "" : " ") + token_text(t, text);
  return s;
}
Pos error_pos(std::string_view text) {
  try {
    tokenize(text);
  } catch (const CompileError& e) {
    return e.pos();
  }
  FAIL("no error for input");
  return {};
}
std::string error_msg(std::string_view text) {
  try {
    tokenize(text);
  } catch (const CompileError& e) {
    return e.message();
  }
  return "";
}
}  // namespace

TEST_CASE("every operator and punctuation token") {
  CHECK(kinds("+ - * / % ^ ( ) , ? : < <= > >= == != && || ! = ;") ==
        "PLUS MINUS STAR SLASH PERCENT CARET LPAREN RPAREN COMMA QUESTION COLON LT LE GT GE EQ NE AND OR "
        "NOT ASSIGN SEMI END");
  CHECK(kinds("a<=b") == "IDENT a LE IDENT b END");
  CHECK(kinds("<<=") == "LT LE END");
  CHECK(kinds("!!=") == "NOT NE END");
}

TEST_CASE("numbers in every spelling of the spec") {
  CHECK(kinds("123 1.5 1. .5 1e3 1E+00 2.5e-3") ==
        "NUMBER 123 NUMBER 1.5 NUMBER 1. NUMBER .5 NUMBER 1e3 NUMBER 1E+00 NUMBER 2.5e-3 END");
  auto toks = tokenize("0.1 1. .5 1e400 1e-400 4.9e-324 2.5e-3");
  CHECK(toks[0].number == 0.1);
  CHECK(toks[1].number == 1.0);
  CHECK(toks[2].number == 0.5);
  CHECK(std::isinf(toks[3].number));  // too large: inf, not an error
  CHECK(toks[4].number == 0.0);       // too small: rounds to zero
  CHECK(toks[5].number == 4.9e-324);  // smallest subnormal
  CHECK(toks[6].number == 0.0025);
  // "1e" is a number followed by an identifier, not a malformed number.
  CHECK(kinds("1e") == "NUMBER 1 IDENT e END");
  CHECK(kinds("1.2.3") == "NUMBER 1.2 NUMBER .3 END");
}

TEST_CASE("numbers round correctly (halfway cases)") {
  // 2^53+1 is halfway between two doubles: ties to even.
  CHECK(tokenize("9007199254740993")[0].number == 9007199254740992.0);
  CHECK(tokenize("9007199254740995")[0].number == 9007199254740996.0);
  // A literal with far more digits than a double holds still rounds correctly.
  CHECK(tokenize("0.1000000000000000055511151231257827021181583404541015625")[0].number == 0.1);
}

TEST_CASE("identifiers") {
  CHECK(kinds("a _b c9 sin_2x") == "IDENT a IDENT _b IDENT c9 IDENT sin_2x END");
  CHECK(kinds("9a") == "NUMBER 9 IDENT a END");
}

TEST_CASE("positions: offset, line and column") {
  auto t = tokenize("a +\n  bc\t*\n7");
  REQUIRE(t.size() == 6);
  CHECK(t[0].span.begin.offset == 0);
  CHECK(t[1].span.begin.col == 3);
  CHECK(t[2].span.begin.line == 2);
  CHECK(t[2].span.begin.col == 3);
  CHECK(t[2].span.begin.offset == 6);
  CHECK(t[2].span.end == 8);
  CHECK(t[3].span.begin.col == 6);  // the tab counts as one byte
  CHECK(t[4].span.begin.line == 3);
  CHECK(t[4].span.begin.col == 1);
  CHECK(t[5].kind == Tok::END);
}

TEST_CASE("whitespace and comments") {
  CHECK(kinds("") == "END");
  CHECK(kinds(" \t\r\n ") == "END");
  CHECK(kinds("# only a comment") == "END");
  CHECK(kinds("1 # comment\n+ 2") == "NUMBER 1 PLUS NUMBER 2 END");
  CHECK(kinds("1 # Latin-1 in a comment: \xfc\xe4\n") == "NUMBER 1 END");
}

TEST_CASE("bytes outside the language are positioned errors") {
  CHECK(error_pos("1 @ 2").col == 3);
  CHECK(error_msg("1 @ 2") == "unexpected character '@'");
  CHECK(error_pos("1\n  $").line == 2);
  CHECK(error_pos("1\n  $").col == 3);
  std::string nul("1+\0", 3);
  CHECK(error_pos(nul).col == 3);
  CHECK(error_msg(nul) == "unexpected byte 0x00");
  CHECK(error_msg("a \xff") == "unexpected byte 0xff (not valid UTF-8 here)");
  CHECK(error_msg("\xcf\x80") == "unexpected character '\xcf\x80'");  // π
  CHECK(error_msg("&") == "unexpected character '&'");
  CHECK(error_msg("|") == "unexpected character '|'");
  CHECK(error_msg("\x01") == "unexpected byte 0x01");
}

TEST_CASE("a NUL inside a comment ends nothing early") {
  std::string s("1 #x\0y\n+2", 9);
  CHECK(kinds(s) == "NUMBER 1 PLUS NUMBER 2 END");
}

TEST_CASE("a long input lexes completely") {
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "1+";
  big += "1";
  CHECK(tokenize(big).size() == 200002);
  std::string ident(1 << 20, 'x');
  auto t = tokenize(ident);
  CHECK(t[0].span.end == (1u << 20));
  std::string num(1 << 20, '1');
  CHECK(std::isinf(tokenize(num)[0].number));
}
