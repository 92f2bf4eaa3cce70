// random_text.hpp — random expression texts and awkward doubles for the API tests, built
// on the public API's side only (no internal headers).
#pragma once
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace exprjit::test {

// A random expression over vars, at most depth levels: every operator, integer-literal
// powers, conditionals, and functions of each arity.
inline std::string random_text(std::mt19937_64& rng, const std::vector<std::string>& vars, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  if (depth <= 0 || pick(4) == 0) {
    switch (pick(4)) {
      case 0: return std::to_string(pick(20)) + "." + std::to_string(pick(100));
      case 1: return pick(2) ? "pi" : "1e300";
      default: return vars[static_cast<std::size_t>(pick(static_cast<int>(vars.size())))];
    }
  }
  static const char* const bin[] = {"+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "^"};
  static const char* const un[] = {"-", "+", "!"};
  static const char* const f1[] = {"abs", "sqrt", "floor", "ceil", "trunc", "round", "sign", "exp", "log", "sin",
                                   "cos", "tan", "atan", "tanh", "cbrt", "exp2", "log2", "log10", "asinh"};
  static const char* const f2[] = {"fmod", "pow", "atan2", "hypot"};
  auto sub = [&] { return random_text(rng, vars, depth - 1); };
  static const char* const powers[] = {"2", "3", "-1", "-(2)", "0", "(5)", "2.0", "64"};
  switch (pick(8)) {
    case 7: return std::string("(").append(sub()).append(")^").append(powers[pick(8)]);
    case 0:
    case 1: return std::string("(").append(sub()).append(" ").append(bin[pick(14)]).append(" ").append(sub()).append(")");
    case 2: return std::string(un[pick(3)]) + "(" + sub() + ")";
    case 3: return std::string("(").append(sub()).append(" ? ").append(sub()).append(" : ").append(sub()).append(")");
    case 4: return std::string(f1[pick(19)]) + "(" + sub() + ")";
    case 5: return std::string(f2[pick(4)]) + "(" + sub() + ", " + sub() + ")";
    default: {
      std::string s = std::string(pick(2) ? "min(" : "max(") + sub();
      for (int n = pick(3); n >= 0; --n) s += ", " + sub();
      return pick(3) ? s + ")" : "clamp(" + sub() + ", " + sub() + ", " + sub() + ")";
    }
  }
}

// A double with the awkward ones well represented.
inline double random_value(std::mt19937_64& rng) {
  static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(), std::nan(""), 1e-310, 1e308};
  if (rng() % 5 == 0) return special[rng() % 10];
  std::uniform_real_distribution<double> d(-10, 10);
  return d(rng);
}

}  // namespace exprjit::test
