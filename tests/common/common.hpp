// common.hpp — helpers shared by the test programs: the conformance table, a front-end
// pipeline, bit comparison, and a seeded random-expression generator.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ast.hpp"
#include "frontend/check.hpp"
#include "frontend/parser.hpp"

namespace exprjit::test {

// ../shared (EXPRJIT_SHARED_DIR, set by meson) and the project source root.
std::string shared_dir();
std::string source_dir();
std::string read_file(const std::string& path);

// One row of shared/spec/conformance.tsv.
struct ConformanceCase {
  int line;              // line number in the file
  std::string expr;
  std::string expected;  // shortest round-trip text
  std::string hex;       // C hex float (compare on this)
  double value;          // hex parsed
  bool exact;            // false: 'ulp' (transcendental; a non-libm backend may differ)
};
std::vector<ConformanceCase> load_conformance();
// The variables of the conformance file (its second line), in slot order.
std::vector<std::string> conformance_var_names();
std::vector<double> conformance_var_values();

// The lines of a corpus file that hold an expression (no blank or '#' lines).
std::vector<std::string> load_corpus(std::string_view file);  // "bench_expr.txt", ...

// Lex + parse + check one expression against the given variable names (slot order).
struct Checked {
  ExprPtr expr;
  Scope scope;
};
Checked front(std::string_view text, const std::vector<std::string>& vars,
              ParserKind kind = ParserKind::rd);

// Same double, bit for bit; every NaN equals every NaN.
bool same_bits(double a, double b);
std::uint64_t bits(double v);

// A random expression over vars of at most depth levels, covering every operator,
// function (with valid arities), constant, literal forms and parentheses.  Seeded:
// the same rng state gives the same text.
std::string random_expression(std::mt19937_64& rng, const std::vector<std::string>& vars,
                              int depth = 6);
// A random double with the awkward ones well represented: 0, -0, inf, -inf, nan,
// subnormal, tiny, huge, integers, ordinary values.
double random_value(std::mt19937_64& rng);

}  // namespace exprjit::test
