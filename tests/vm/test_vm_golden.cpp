// test_vm_golden.cpp — golden listings of what the VM compiler emits (--emit=bytecode) for
// a handful of expressions, so a change to code generation shows up in review as a diff of
// tests/vm/golden_disasm.txt.  After an intended change, regenerate the file with
//   EXPRJIT_UPDATE_GOLDEN=1 meson test -C <build> 'vm golden'
// and review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "backends/vm/vm.hpp"
#include "tests/common/common.hpp"
#include "tests/vm/vm_configs.hpp"

using namespace exprjit;

namespace {

const std::vector<std::string> kVars = {"a", "b", "c", "x", "y", "z", "w"};

// The expressions, in file order.  Each shows one thing the compiler does.
const char* const kExpressions[] = {
    "0.1+0.2",                                      // folding, IEEE-exact
    "1/0",                                          // folds to inf, no error
    "a",                                            // a lone variable returns it
    "a+1",                                          // variable and constant operands in place
    "2*a+1",                                        // superinstruction: constant*variable+constant
    "(((((((7*a+6)*a+5)*a+4)*a+3)*a+2)*a+1)*a+0.1)",  // Horner: register*variable+constant
    "sin(2.2*a)+cos(pi/b)",                         // calls; pi folded into the constant
    "-a^2 + (-a)^2",                                // precedence, pow, neg
    "a < b ? a : b",                                // jumps; the batch program selects
    "min(a, 1, b, c) + clamp(0, x, 1)",             // variadic fold; ternary arguments placed
    "x+y*z-w/2%3",                                  // operator mix, fmod
    "!a || b && 0/0",                               // logic: both sides, nan is true
    "a^5 + b^-2 + c^0.5",                           // integer-literal powers multiply; others are pow
    "2/3*b + b*2/3",                                // a chain's leading constants fold; nothing reassociates
    "hyp(a, 2) + hyp(b, c)",                        // a language function: its own program, callf
};

// The language functions the expressions may call.
const Functions& functions() {
  static const Functions f = [] {
    Functions fns;
    const char* def = "hyp(p, q) = sqrt(p*p + q*q)";
    std::vector<syntax::Statement> st = parse_line(def);
    fns.define(st[0].name, check_definition(st[0], Names{nullptr, &fns, nullptr, {}}, def));
    return fns;
  }();
  return f;
}

std::string render() {
  std::string out;
  for (const char* text : kExpressions) {
    test::Checked ch = test::front(text, kVars, ParserKind::rd, true, &functions());
    out += ">>> " + std::string(text) + "\n" + test::vm_listing(ch) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("disassembly matches tests/vm/golden_disasm.txt") {
  const std::string path = test::source_dir() + "/tests/vm/golden_disasm.txt";
  const std::string actual = render();
  if (const char* u = std::getenv("EXPRJIT_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path);
  }
  const std::string expected = test::read_file(path);
  // Compare case by case so a failure names the expression.
  auto split = [](const std::string& s) {
    std::vector<std::string> blocks;
    for (std::size_t i = s.find(">>> "); i != std::string::npos;) {
      std::size_t j = s.find("\n>>> ", i + 1);
      blocks.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j + 1 - i));
      i = j == std::string::npos ? j : j + 1;
    }
    return blocks;
  };
  const auto want = split(expected), got = split(actual);
  CHECK(want.size() == got.size());
  for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i) CHECK(got[i] == want[i]);
}
