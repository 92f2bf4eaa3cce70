// common.hpp — helpers shared by the test programs: the conformance table and corpora (from
// tests/data), a front-end pipeline to checked trees, compiling on a backend, bit
// comparison, and a seeded random-expression generator.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
#include "frontend/check/check.hpp"
#include "frontend/ir/ir.hpp"
#include "frontend/syntax/parser.hpp"

namespace exprjit::test {

// The project source root (EXPRJIT_SOURCE_DIR, set by meson), tests/data in it, and ../shared
// beside it (which may be missing: only the test that compares copies looks there).
std::string source_dir();
std::string data_dir();
std::string shared_dir();
std::string read_file(const std::string& path);

// One row of tests/data/conformance.tsv.
struct ConformanceCase {
  int line;              // line number in the file
  std::string expr;
  std::string expected;  // shortest round-trip text
  std::string hex;       // C hex float (compare on this)
  double value;          // hex parsed
};
std::vector<ConformanceCase> load_conformance();
// The variables of the conformance file (its second line), in slot order.
std::vector<std::string> conformance_var_names();
std::vector<double> conformance_var_values();

// The lines of a corpus file that hold an expression (no blank or '#' lines).
std::vector<std::string> load_corpus(std::string_view file);  // "bench_expr.txt", ...

// Lex + parse + check (+ fold) one expression against the given variable names (slot
// order) and functions.
struct Checked {
  std::shared_ptr<const ir::Expr> expr;
  Scope scope;
  ir::Unit unit() const;  // a unit of just this expression
};
Checked front(std::string_view text, const std::vector<std::string>& vars, ParserKind kind = ParserKind::rd,
              bool fold = true, const Functions* functions = nullptr);

// A unit of several checked expressions over the same variables.
ir::Unit unit_of(const std::vector<Checked>& exprs);

// Options a test gives a backend (no log), and a backend made from the table by name,
// with its fallback when it needs one (the jit); the fallback lives as long as the result.
struct TestBackend {
  std::unique_ptr<Backend> fallback;
  std::unique_ptr<Backend> backend;
  Backend* operator->() const { return backend.get(); }
  Backend& operator*() const { return *backend; }
};
TestBackend make_backend(std::string_view name, BackendOptions options = {});

// The one compiled expression of c on b.
std::unique_ptr<Compiled> compile_one(Backend& b, const Checked& c);

// Same double, bit for bit; every NaN equals every NaN.
bool same_bits(double a, double b);
std::uint64_t bits(double v);

// A random expression over vars of at most depth levels, covering every operator,
// function (with valid arities), constant, literal forms, integer-literal powers and
// parentheses.  Seeded: the same rng state gives the same text.
std::string random_expression(std::mt19937_64& rng, const std::vector<std::string>& vars, int depth = 6);
// A random double with the awkward ones well represented: 0, -0, inf, -inf, nan,
// subnormal, tiny, huge, integers, ordinary values, any bit pattern.
double random_value(std::mt19937_64& rng);

}  // namespace exprjit::test
