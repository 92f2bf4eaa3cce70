// common.cpp — shared test helpers (see common.hpp).
#include "tests/common/common.hpp"

#include "frontend/ir/fold.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace exprjit::test {

std::string source_dir() { return EXPRJIT_SOURCE_DIR; }
std::string data_dir() { return source_dir() + "/tests/data"; }
std::string shared_dir() { return source_dir() + "/../shared"; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t i = s.find(sep, start);
    out.push_back(s.substr(start, i - start));
    if (i == std::string::npos) return out;
    start = i + 1;
  }
}

double parse_hex(const std::string& s) {
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  return std::strtod(s.c_str(), nullptr);  // C hex float
}

std::vector<std::pair<std::string, double>> conformance_vars() {
  // "# variables: a=1.1 b=2.2 ..." on the file's second line
  std::vector<std::string> lines = split(read_file(data_dir() + "/conformance.tsv"), '\n');
  std::string l = lines.at(1);
  std::size_t colon = l.find(':');
  std::istringstream ss(l.substr(colon + 1));
  std::vector<std::pair<std::string, double>> out;
  std::string item;
  while (ss >> item) {
    std::size_t eq = item.find('=');
    out.emplace_back(item.substr(0, eq), std::strtod(item.c_str() + eq + 1, nullptr));
  }
  return out;
}
}  // namespace

std::vector<ConformanceCase> load_conformance() {
  std::vector<std::string> lines = split(read_file(data_dir() + "/conformance.tsv"), '\n');
  std::vector<ConformanceCase> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l[0] == '#') continue;
    std::vector<std::string> f = split(l, '\t');
    if (f.size() != 4) throw std::runtime_error("conformance.tsv line " + std::to_string(i + 1) + ": 4 fields expected");
    out.push_back({static_cast<int>(i + 1), f[0], f[1], f[2], parse_hex(f[2])});
  }
  return out;
}

std::vector<std::string> conformance_var_names() {
  std::vector<std::string> out;
  for (auto& [n, v] : conformance_vars()) out.push_back(n);
  return out;
}

std::vector<double> conformance_var_values() {
  std::vector<double> out;
  for (auto& [n, v] : conformance_vars()) out.push_back(v);
  return out;
}

std::vector<std::string> load_corpus(std::string_view file) {
  std::vector<std::string> out;
  for (std::string& l : split(read_file(data_dir() + "/" + std::string(file)), '\n')) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    std::size_t first = l.find_first_not_of(" \t");
    if (first == std::string::npos || l[first] == '#') continue;
    out.push_back(l);
  }
  return out;
}

Checked front(std::string_view text, const std::vector<std::string>& vars, ParserKind kind, bool fold,
              const Functions* functions) {
  Checked c{nullptr, Scope(vars)};
  ir::ExprPtr e = check(*parse_expression(text, kind), Names{&c.scope, functions, nullptr, {}});
  if (fold) ir::fold(e);
  c.expr = std::move(e);
  return c;
}

ir::Unit Checked::unit() const {
  ir::Unit u;
  u.exprs.push_back(expr);
  u.nslots = scope.size();
  u.slot_names = scope.names();
  u.collect_callees();
  return u;
}

ir::Unit unit_of(const std::vector<Checked>& exprs) {
  ir::Unit u;
  for (const Checked& c : exprs) {
    u.exprs.push_back(c.expr);
    if (c.scope.size() > u.nslots) u.nslots = c.scope.size(), u.slot_names = c.scope.names();
  }
  u.collect_callees();
  return u;
}

TestBackend make_backend(std::string_view name, BackendOptions options) {
  const BackendInfo* info = find_backend(name);
  if (!info) throw std::invalid_argument("no backend " + std::string(name));
  TestBackend t;
  if (info->has(kNeedsFallback)) {
    t.fallback = backend_with(kFallback).make(options);
    options.fallback = t.fallback.get();
  }
  t.backend = info->make(options);
  return t;
}

std::unique_ptr<Compiled> compile_one(Backend& b, const Checked& c) { return std::move(b.compile(c.unit()).front()); }

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

bool same_bits(double a, double b) { return (std::isnan(a) && std::isnan(b)) || bits(a) == bits(b); }

namespace {
template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}
int roll(std::mt19937_64& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

std::string literal(std::mt19937_64& rng) {
  static const std::vector<std::string> fixed = {
      "0", "1", "2", "0.5", "1.", ".5", "1e3", "1E+00", "2.5e-3", "3.14159", "1e308", "1e-320", "0.1", "10", "1e400",
  };
  if (roll(rng, 3) == 0) return pick(rng, fixed);
  return std::to_string(roll(rng, 1000)) + (roll(rng, 2) ? "." + std::to_string(roll(rng, 100)) : "");
}
}  // namespace

std::string random_expression(std::mt19937_64& rng, const std::vector<std::string>& vars, int depth) {
  static const std::vector<std::string> binops = {"+", "-", "*", "/", "%", "^", "<", "<=", ">",
                                                  ">=", "==", "!=", "&&", "||"};
  static const std::vector<std::string> prefixes = {"-", "+", "!"};
  if (depth <= 0 || roll(rng, 5) == 0) {
    switch (roll(rng, 4)) {
      case 0: return literal(rng);
      case 1: return roll(rng, 2) ? "pi" : "e";
      default: return vars.empty() ? literal(rng) : pick(rng, vars);
    }
  }
  switch (roll(rng, 8)) {
    case 7: {  // an integer-literal power: x^2, x^-3, x^(5), x^2.0 (spec: a multiplication chain)
      static const std::vector<std::string> exps = {"2", "3", "-1", "-2", "0", "1", "(4)", "-(3)", "2.0", "64", "-64", "7"};
      return "(" + random_expression(rng, vars, depth - 1) + ")^" + pick(rng, exps);
    }
    case 0: return pick(rng, prefixes) + random_expression(rng, vars, depth - 1);
    case 1: return "(" + random_expression(rng, vars, depth - 1) + ")";
    case 2:
      return random_expression(rng, vars, depth - 1) + " ? " + random_expression(rng, vars, depth - 1) + " : " +
             random_expression(rng, vars, depth - 1);
    case 3: {
      std::span<const Builtin> fns = builtins();
      const Builtin& f = fns[static_cast<std::size_t>(roll(rng, static_cast<int>(fns.size())))];
      int n = f.variadic() ? 1 + roll(rng, 4) : f.min_args;
      std::string s = std::string(f.name) + "(";
      for (int i = 0; i < n; ++i) s += (i ? ", " : "") + random_expression(rng, vars, depth - 1);
      return s + ")";
    }
    default: {
      std::string sp = roll(rng, 2) ? " " : "";
      return random_expression(rng, vars, depth - 1) + sp + pick(rng, binops) + sp +
             random_expression(rng, vars, depth - 1);
    }
  }
}

double random_value(std::mt19937_64& rng) {
  static const std::vector<double> special = {
      0.0, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min(), -5e-324, 2.2250738585072014e-308,
      1e-300, 1e300, -1e300, 1.7976931348623157e308, 1, -1, 2, 0.5, 3, -3, 10, 100};
  switch (roll(rng, 4)) {
    case 0: return pick(rng, special);
    case 1: return std::uniform_real_distribution<double>(-10, 10)(rng);
    case 2: return static_cast<double>(roll(rng, 21) - 10);
    default: {
      std::uint64_t b = rng();
      return std::bit_cast<double>(b);  // any bit pattern
    }
  }
}

}  // namespace exprjit::test
