// test_parsers_agree.cpp — the Bison LALR(1) reference parser (grammar.y) against the
// hand-written recursive-descent parser (parser.cpp): the same AST with the same spans on
// every valid input, the same error position (and kind) on every invalid one.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/lexer.hpp"
#include "frontend/base/limits.hpp"
#include "frontend/syntax/parser.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::syntax;

namespace {

enum class Mode { expression, line };

// What a parser made of a text, as one comparable string:
//   "ok <s-expression with spans>"  or  "<kind> error at line:col (offset N)"
// where kind is lexical (the shared lexer's message), depth or syntax.  Syntax messages
// may be worded differently by the two parsers; positions and kinds must agree.
std::string outcome(std::string_view text, ParserKind kind, Mode mode) {
  try {
    if (mode == Mode::expression) return "ok " + to_sexpr(*parse_expression(text, kind), true);
    return "ok " + to_sexpr(parse_line(text, kind), true);
  } catch (const CompileError& e) {
    const std::string m = e.message();
    std::string what = m.starts_with("unexpected ")                       ? "lexical (" + e.message() + ")"
                       : m.find("nests too deeply") != std::string::npos ? "depth (" + e.message() + ")"
                                                                          : "syntax";
    return what + " error at " + std::to_string(e.pos().line) + ":" + std::to_string(e.pos().col) + " (offset " +
           std::to_string(e.pos().offset) + ")";
  }
}

// Inputs can hold NUL and control bytes: show them escaped in failure messages.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 300)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (text.size() > 300) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

// Both parsers on one text; returns the (common) outcome.
std::string agree(std::string_view text, Mode mode = Mode::expression) {
  std::string rd = outcome(text, ParserKind::rd, mode);
  std::string lalr = outcome(text, ParserKind::lalr, mode);
  INFO("input: '" << shown(text) << "'" << (mode == Mode::line ? " (session line)" : ""));
  CHECK(lalr == rd);
  return rd;
}

std::string lalr_sx(std::string_view text) { return to_sexpr(*lalr_parse_expression(text)); }

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A random edit of a valid text at token boundaries: mostly invalid results.
std::string mutate(std::mt19937_64& rng, const std::string& text) {
  static const std::vector<std::string> inserts = {
      "+", "-", "*", "/", "%", "^", "(", ")", ",", "?", ":", "<", "<=", "==", "&&", "||", "!",
      "=", ";", "1", "x", "f(", "min(", "$", "@", std::string(1, '\0'), "\x80", "#c\n", "\n", ".", "1e", "e+"};
  std::vector<Token> toks = tokenize(text);  // text is valid: no lexer error
  auto at = [&](std::size_t i) { return static_cast<std::size_t>(toks[i].span.begin.offset); };
  auto end = [&](std::size_t i) { return static_cast<std::size_t>(toks[i].span.end); };
  std::size_t n = toks.size() - 1;  // without END
  std::size_t i = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  std::size_t j = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  const std::string& ins = inserts[std::uniform_int_distribution<std::size_t>(0, inserts.size() - 1)(rng)];
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0: return text.substr(0, at(i)) + text.substr(end(i));                    // delete a token
    case 1: return text.substr(0, at(i)) + ins + text.substr(at(i));               // insert before it
    case 2: return text.substr(0, at(i)) + ins + text.substr(end(i));              // replace it
    case 3: return text.substr(0, end(i));                                         // truncate after it
    case 4: return text.substr(0, at(i)) + text.substr(at(i), end(i) - at(i)) + " " + text.substr(at(i));  // duplicate
    default: {                                                                     // swap two tokens
      if (i > j) std::swap(i, j);
      if (i == j) return text.substr(0, at(i)) + text.substr(end(i));
      return text.substr(0, at(i)) + text.substr(at(j), end(j) - at(j)) + text.substr(end(i), at(j) - end(i)) +
             text.substr(at(i), end(i) - at(i)) + text.substr(end(j));
    }
  }
}

const std::vector<std::string> kVars = {"a", "b", "c", "x", "y", "z", "w"};

}  // namespace

TEST_CASE("LALR printout: precedence and associativity per the spec") {
  CHECK(lalr_sx("a+b*c") == "(+ a (* b c))");
  CHECK(lalr_sx("a-b-c") == "(- (- a b) c)");
  CHECK(lalr_sx("a/b*c%d") == "(% (* (/ a b) c) d)");
  CHECK(lalr_sx("a^b^c") == "(^ a (^ b c))");                  // right-associative: 2^3^2 = 512
  CHECK(lalr_sx("-a^b") == "(neg (^ a b))");                    // -a^2 = -(a^2)
  CHECK(lalr_sx("a^-b") == "(^ a (neg b))");                    // 2^-1 = 0.5
  CHECK(lalr_sx("a^-b^c") == "(^ a (neg (^ b c)))");
  CHECK(lalr_sx("-a*b") == "(* (neg a) b)");
  CHECK(lalr_sx("!a+b") == "(+ (! a) b)");
  CHECK(lalr_sx("--+!a") == "(neg (neg (pos (! a))))");
  CHECK(lalr_sx("(-a)^b") == "(^ (neg a) b)");
  CHECK(lalr_sx("a<b<c") == "(< (< a b) c)");                   // left-associative, not chained
  CHECK(lalr_sx("a==b<c") == "(< (== a b) c)");                 // one comparison level
  CHECK(lalr_sx("a<b+c") == "(< a (+ b c))");
  CHECK(lalr_sx("a&&b||c&&d") == "(|| (&& a b) (&& c d))");
  CHECK(lalr_sx("a||b||c") == "(|| (|| a b) c)");
  CHECK(lalr_sx("a<b&&c") == "(&& (< a b) c)");
  CHECK(lalr_sx("a?b:c?d:e") == "(? a b (? c d e))");           // right-associative
  CHECK(lalr_sx("a?b?c:d:e") == "(? a (? b c d) e)");
  CHECK(lalr_sx("a||b?c:d") == "(? (|| a b) c d)");
  CHECK(lalr_sx("a?b:c||d") == "(? a b (|| c d))");
  CHECK(lalr_sx("f(a, b+c, g())") == "(call f a (+ b c) (call g))");
  CHECK(lalr_sx("((a))") == "a");
}

TEST_CASE("LALR spans: first to last byte, parentheses excluded") {
  CHECK(to_sexpr(*lalr_parse_expression(" -(a) "), true) == "(neg a@3:4)@1:4");
  CHECK(to_sexpr(*lalr_parse_expression("(a)+(b)"), true) == "(+ a@1:2 b@5:6)@1:6");
  CHECK(to_sexpr(*lalr_parse_expression("f( x )"), true) == "(call f@0:1 x@3:4)@0:6");
  CHECK(to_sexpr(*lalr_parse_expression("c ? a : (b)"), true) == "(? c@0:1 a@4:5 b@9:10)@0:10");
  CHECK(to_sexpr(lalr_parse_line("v = 2^x"), true) == "(= v@0:1 (^ 0x1.0000000000000p+1@4:5 x@6:7)@4:7)");
}

TEST_CASE("LALR session lines") {
  CHECK(lalr_parse_line("").empty());
  CHECK(lalr_parse_line("  # only a comment").empty());
  CHECK(to_sexpr(lalr_parse_line("a = 1; b = a; a + b;")) ==
        "(= a 0x1.0000000000000p+0); (= b a); (+ a b)");
  CHECK(to_sexpr(lalr_parse_line("f(x)")) == "(call f x)");
}

TEST_CASE("definitions and long chains parse identically") {
  for (const char* line : {"f(x, y) = x^2 + y", "g() = 1; g() + 2", "h(a) = a; h(2)", "f((x)) = x", "f(x) = f(x)",
                           "x = 1; f(t) = t*x; f(2)", "f(x, x) = 1", "f(x) = y"})
    agree(line, Mode::line);
  agree("1" + repeat("+a-b*c", 50000));
  agree("1" + repeat("<2", 3000) + repeat("&&1", 3000) + repeat("||0", 3000));
  agree("(" + repeat("a+", 100) + "b)*" + repeat("c/", 100) + "d");
}

TEST_CASE("the conformance expressions parse identically") {
  std::vector<test::ConformanceCase> cases = test::load_conformance();
  REQUIRE(cases.size() >= 50);
  for (const test::ConformanceCase& c : cases) {
    INFO("conformance.tsv line " << c.line);
    CHECK(agree(c.expr).starts_with("ok "));
    CHECK(agree(c.expr, Mode::line).starts_with("ok "));
  }
}

TEST_CASE("every corpus line parses identically") {
  for (const char* file : {"bench_expr.txt", "bench_expr_weird.txt"}) {
    std::vector<std::string> lines = test::load_corpus(file);
    REQUIRE(lines.size() >= 50);
    for (const std::string& l : lines) {
      INFO(std::string(file));
      CHECK(agree(l).starts_with("ok "));
      CHECK(agree(l, Mode::line).starts_with("ok "));
    }
  }
}

TEST_CASE("seeded random expressions parse identically") {
  std::mt19937_64 rng(20240611);
  int checked = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string e = test::random_expression(rng, kVars, i < 3000 ? 6 : 10);
    REQUIRE(agree(e).starts_with("ok "));
    ++checked;
  }
  // Session lines: several statements, some assignments.
  for (int i = 0; i < 1000; ++i) {
    std::string line;
    int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      if (k) line += "; ";
      if (rng() % 2) line += kVars[rng() % kVars.size()] + " = ";
      line += test::random_expression(rng, kVars, 4);
    }
    if (rng() % 2) line += ";";
    REQUIRE(agree(line, Mode::line).starts_with("ok "));
    ++checked;
  }
  CHECK(checked == 5000);
}

TEST_CASE("seeded random edits are rejected (or accepted) identically") {
  std::mt19937_64 rng(7);
  int rejected = 0, total = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string e = mutate(rng, test::random_expression(rng, kVars, 5));
    Mode mode = i % 3 == 2 ? Mode::line : Mode::expression;
    if (!agree(e, mode).starts_with("ok ")) ++rejected;
    ++total;
  }
  MESSAGE(rejected << " of " << total << " edited inputs rejected by both parsers");
  CHECK(rejected > total / 2);  // the edits do produce mostly invalid input
}

namespace {
struct Bad {
  const char* what;
  std::string text;
  std::uint32_t line, col;  // where both parsers must report it
  Mode mode = Mode::expression;
};
}  // namespace

TEST_CASE("malformed inputs: both reject at the same, expected position") {
  using namespace std::string_literals;
  const std::string deep_parens = repeat("(", kMaxDepth + 1) + "1" + repeat(")", kMaxDepth + 1);
  const std::vector<Bad> bad = {
      {"empty expression", "", 1, 1},
      {"only blanks", "   \t ", 1, 6},
      {"only a comment", "# nothing", 1, 10},
      {"missing right operand", "1+", 1, 3},
      {"missing left operand", "*2", 1, 1},
      {"missing operand between", "1*/2", 1, 3},
      {"dangling power", "2^", 1, 3},
      {"power of an operator", "2^*3", 1, 3},
      {"prefix sign alone", "-", 1, 2},
      {"two numbers", "1 2", 1, 3},
      {"two names", "a b", 1, 3},
      {"number then paren", "2(3)", 1, 2},
      {"close paren first", ")", 1, 1},
      {"unbalanced open", "(1+2", 1, 5},
      {"unbalanced close", "(1+2))", 1, 6},
      {"empty parens", "()", 1, 2},
      {"nested empty parens", "1+(())", 1, 5},
      {"open call", "a(", 1, 3},
      {"call missing close", "f(1", 1, 4},
      {"call trailing comma", "f(1,)", 1, 5},
      {"call leading comma", "f(,1)", 1, 3},
      {"call double comma", "max(1,,2)", 1, 7},
      {"comma outside call", "1,2", 1, 2},
      {"call of a number", "1(2)", 1, 2},
      {"question without colon", "a ? b", 1, 6},
      {"colon without question", "a : b", 1, 3},
      {"question without then", "a ? : b", 1, 5},
      {"question without else", "a ? b :", 1, 8},
      {"question first", "? a : b", 1, 1},
      {"double question", "a ?? b : c", 1, 4},
      {"assignment in expression", "a = 1", 1, 3},
      {"equality typo", "a =! b", 1, 3},
      {"comparison without rhs", "a <", 1, 4},
      {"comparison with two ops", "a < > b", 1, 5},
      {"and without rhs", "a &&", 1, 5},
      {"or without lhs", "|| a", 1, 1},
      {"semicolon in expression", "1; 2", 1, 2},
      {"bad character", "1 + $", 1, 5},
      {"bad character after error-free prefix", "sin(x) @ 2", 1, 8},
      {"bad character inside call", "f(1, #\n ~)", 2, 2},
      {"NUL byte", "1 +\0 2"s, 1, 4},
      {"NUL byte first", "\0"s, 1, 1},
      {"invalid UTF-8", "1 + \xff", 1, 5},
      {"UTF-8 letter", "\xc3\xa9 + 1", 1, 1},
      {"single ampersand", "a & b", 1, 3},
      {"single pipe", "a | b", 1, 3},
      {"error on a later line", "1 +\n2 *\n* 3", 3, 1},
      {"CRLF line ends", "1 +\r\n)", 2, 1},
      {"syntax error before a bad character", "1 2 $", 1, 3},
      {"too many parens", deep_parens, 1, kMaxDepth + 1},
      {"too many prefix signs", repeat("-", kMaxDepth + 1) + "1", 1, kMaxDepth + 1},
      {"prefix signs: height", repeat("-", kMaxDepth) + "1", 1, 1},
      {"too deep a chain of powers", "1" + repeat("^1", kMaxDepth), 1, 2},  // the outermost ^
      {"power tower", repeat("2^", kMaxDepth + 1) + "2", 1, 2 * kMaxDepth + 2},
      {"conditional chain", repeat("a?b:", kMaxDepth + 1) + "c", 1, 4 * kMaxDepth + 2},
      {"nested calls", repeat("f(", kMaxDepth + 1) + "1" + repeat(")", kMaxDepth + 1), 1, 2 * kMaxDepth + 2},
      {"a million parens", repeat("(", 1000000), 1, kMaxDepth + 1},
      {"deep, then a bad character", repeat("(", kMaxDepth + 1) + "$", 1, kMaxDepth + 2},
      // A call's height is checked after the token following ')' has been read.
      {"call too tall", "f(" + repeat("-", kMaxDepth - 1) + "1)", 1, 1},
      {"call too tall, then a bad character", "f(" + repeat("-", kMaxDepth - 1) + "1)$", 1, kMaxDepth + 4},
      // session lines
      {"statement separator alone", ";", 1, 1, Mode::line},
      {"double separator", "a;;b", 1, 3, Mode::line},
      {"assignment without value", "a =", 1, 4, Mode::line},
      {"assignment without target", "= 1", 1, 1, Mode::line},
      {"assignment to a number", "1 = 2", 1, 3, Mode::line},
      {"assignment to parens", "(a) = 2", 1, 5, Mode::line},
      {"chained assignment", "a = b = 1", 1, 7, Mode::line},
      {"definition with a number as parameter", "f(1) = 1", 1, 3, Mode::line},
      {"definition of a parenthesised head", "(f(x)) = 1", 1, 8, Mode::line},
      {"definition without a body", "f(x) =", 1, 7, Mode::line},
      {"definition in an expression", "f(x) = 1", 1, 6},
      {"missing separator", "a = 1 b = 2", 1, 7, Mode::line},
      {"bad character in a line", "a = 1; b = `", 1, 12, Mode::line},
  };
  REQUIRE(bad.size() >= 40);
  for (const Bad& b : bad) {
    INFO(std::string(b.what));
    std::string r = agree(b.text, b.mode);
    CHECK_MESSAGE(r.find(" error at " + std::to_string(b.line) + ":" + std::to_string(b.col) + " ") !=
                      std::string::npos,
                  r);
  }
}

TEST_CASE("nesting right at the limit is accepted by both") {
  const std::size_t n = kMaxDepth;
  const std::vector<std::string> ok = {
      repeat("(", n) + "1" + repeat(")", n),
      repeat("-", n - 1) + "1",
      "1" + repeat("+1", n - 1),
      repeat("2^", n - 1) + "2",
      repeat("a?b:", n - 1) + "c",
      repeat("f(", n - 1) + "1" + repeat(")", n - 1),
      // Many Bison stack entries per level: every binary level open below each '('.
      repeat("1||1&&1<1+1*(", (n - 1) / 5) + "1" + repeat(")", (n - 1) / 5),
      repeat("a?b:1||1&&1<1+1*f(1,(", (n - 1) / 8) + "1" + repeat("))", (n - 1) / 8),
      repeat("1||(", n - 1) + "1" + repeat(")", n - 1),
  };
  for (const std::string& text : ok) {
    std::string r = agree(text);
    CHECK_MESSAGE(r.starts_with("ok "), shown(text) << " -> " << r.substr(0, 200));
  }
}

TEST_CASE("lexical errors come from the shared lexer, unchanged") {
  for (std::string text : {"1 + $", "a * (b ~ c)", "x\n\n  @"}) {
    std::string rd, lalr;
    try {
      parse_expression(text);
    } catch (const CompileError& e) {
      rd = e.message();
    }
    try {
      lalr_parse_expression(text);
    } catch (const CompileError& e) {
      lalr = e.message();
    }
    CHECK(rd.starts_with("unexpected "));
    CHECK(lalr == rd);
  }
}

TEST_CASE("the LALR parser is reentrant: concurrent parses give the serial results") {
  std::mt19937_64 rng(99);
  std::vector<std::string> texts;
  for (int i = 0; i < 400; ++i) {
    std::string e = test::random_expression(rng, kVars, 6);
    texts.push_back(i % 4 == 3 ? mutate(rng, e) : e);
  }
  std::vector<std::string> serial;
  for (const std::string& t : texts) serial.push_back(outcome(t, ParserKind::lalr, Mode::expression));

  constexpr int kThreads = 4;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (const std::string& text : texts) got[t].push_back(outcome(text, ParserKind::lalr, Mode::expression));
    });
  for (std::thread& th : pool) th.join();
  for (int t = 0; t < kThreads; ++t) {
    REQUIRE(got[t].size() == 3 * texts.size());
    for (std::size_t i = 0; i < got[t].size(); ++i) CHECK(got[t][i] == serial[i % texts.size()]);
  }
}
