// test_backends.cpp — every backend through the API: the spec's conformance table, batch
// evaluation bit-identical to single evaluation, and backends agreeing with each other.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <exprjit/exprjit.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "random_text.hpp"

namespace {

struct Case {
  int line;
  std::string expr;
  double want;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

// conformance.tsv: expression, expected, hex, exact|ulp (every backend must give the hex's
// bits now, whatever the last column says); line 2 names the variables.
void load(std::vector<Case>& cases, std::vector<std::string>& names, std::vector<double>& values) {
  std::ifstream in(std::string(EXPRJIT_SOURCE_DIR) + "/tests/data/conformance.tsv");
  REQUIRE(in);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("# variables:", 0) == 0) {
      for (const std::string& kv : split(line.substr(12), ' ')) {
        if (kv.empty()) continue;
        names.push_back(kv.substr(0, kv.find('=')));
        values.push_back(std::stod(kv.substr(kv.find('=') + 1)));
      }
    }
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = split(line, '\t');
    REQUIRE(f.size() == 4);
    cases.push_back({n, f[0], std::strtod(f[2].c_str(), nullptr)});
  }
}

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace

TEST_CASE("the conformance table through the API, on every backend") {
  std::vector<Case> cases;
  std::vector<std::string> names;
  std::vector<double> values;
  load(cases, names, values);
  REQUIRE(cases.size() >= 90);
  std::vector<std::string> texts;
  for (const Case& c : cases) texts.push_back(c.expr);
  for (const auto& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    // One compile for all (one go build for the jit); variables bound by pointer.
    std::vector<double> storage = values;
    exprjit::Symbols syms;
    for (std::size_t i = 0; i < names.size(); ++i) syms.bind(names[i], &storage[i]);
    std::vector<exprjit::Expression> fs = exprjit::compile_many(texts, syms, {.backend = b.name});
    REQUIRE(fs.size() == cases.size());
    int checked = 0;
    for (std::size_t k = 0; k < cases.size(); ++k) {
      CAPTURE(cases[k].line);
      CAPTURE(cases[k].expr);
      const double bound = fs[k](), given = fs[k].eval(values);
      CHECK(same_bits(bound, given));
      CHECK(same_bits(bound, cases[k].want));  // every case, every backend: the spec's bits
      ++checked;
    }
    MESSAGE(b.name << ": " << checked << " conformance cases through the API");
  }
}

namespace {

struct Columns {
  std::vector<std::vector<double>> cols;
  std::size_t rows;
};

Columns random_columns(std::mt19937_64& rng, std::size_t rows) {
  Columns c{std::vector<std::vector<double>>(3, std::vector<double>(rows)), rows};
  for (auto& col : c.cols)
    for (double& v : col) v = exprjit::test::random_value(rng);
  return c;
}

// Every expression's batch results over the columns, checking each row against eval().
std::vector<std::vector<double>> run_all(const std::vector<exprjit::Expression>& fs, const Columns& c,
                                         std::size_t& mismatches) {
  std::vector<std::vector<double>> results;
  for (const exprjit::Expression& f : fs) {
    CAPTURE(f.text());
    std::vector<double> out(c.rows);
    f.eval_batch({c.cols[0], c.cols[1], c.cols[2]}, out);
    for (std::size_t r = 0; r < c.rows; ++r) {
      double one = f.eval({c.cols[0][r], c.cols[1][r], c.cols[2][r]});
      if (!same_bits(one, out[r])) {
        ++mismatches;
        CHECK_MESSAGE(false, "row " << r << ": eval " << one << " but eval_batch " << out[r]);
      }
    }
    results.push_back(std::move(out));
  }
  return results;
}

const std::vector<std::string> kVars{"a", "b", "c"};
constexpr std::size_t kRows = 1037;  // several VM blocks and a ragged last one

}  // namespace

TEST_CASE("eval_batch is bit-identical to eval, on every backend, over random expressions") {
  std::mt19937_64 rng(20240508);
  std::vector<std::string> texts;
  for (int i = 0; i < 150; ++i) texts.push_back(exprjit::test::random_text(rng, kVars, 5));
  const Columns c = random_columns(rng, kRows);
  for (const auto& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    std::size_t mismatches = 0;
    run_all(exprjit::compile_many(texts, kVars, {.backend = b.name}), c, mismatches);
    CHECK(mismatches == 0);
    MESSAGE(b.name << ": " << texts.size() << " expressions x " << kRows << " rows, batch == single");
  }
}

TEST_CASE("every backend gives the tree's bits on every operation and function, through the API") {
  std::mt19937_64 rng(99);
  std::vector<std::string> texts;
  for (int i = 0; i < 150; ++i) texts.push_back(exprjit::test::random_text(rng, kVars, 6));
  const Columns c = random_columns(rng, kRows);
  std::size_t mismatches = 0;
  const auto want = run_all(exprjit::compile_many(texts, kVars, {.backend = "tree"}), c, mismatches);
  for (const auto& b : exprjit::available_backends()) {
    CAPTURE(b.name);
    const auto got = run_all(exprjit::compile_many(texts, kVars, {.backend = b.name}), c, mismatches);
    std::size_t differ = 0;
    for (std::size_t k = 0; k < texts.size(); ++k) {
      CAPTURE(texts[k]);
      for (std::size_t r = 0; r < kRows; ++r)
        if (!same_bits(got[k][r], want[k][r])) {
          ++differ;
          CHECK_MESSAGE(false, "row " << r << " (a=" << c.cols[0][r] << " b=" << c.cols[1][r] << " c="
                                      << c.cols[2][r] << "): " << got[k][r] << " but tree " << want[k][r]);
        }
    }
    CHECK(differ == 0);
  }
  CHECK(mismatches == 0);
}
