// builtins.hpp — the built-in function table (from builtins.def) and the runtime helpers
// whose semantics the spec defines beyond plain C math (sign, min, max, clamp).
#pragma once
#include <cmath>
#include <optional>
#include <span>
#include <string_view>

namespace exprjit {

namespace rt {
// sign(x): -1, 1, or x itself for ±0 and nan (keeps the sign of zero).
inline double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }
// min/max: nan if either is nan; min(-0,0) = -0, max(-0,0) = 0.
inline double min(double a, double b) {
  if (a != a || b != b) return a + b;  // propagates a nan
  if (a < b) return a;
  if (b < a) return b;
  return std::signbit(a) ? a : b;  // equal: only ±0 differ
}
inline double max(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a > b) return a;
  if (b > a) return b;
  return std::signbit(a) ? b : a;
}
// clamp(lo, x, hi) = min(max(x, lo), hi)
inline double clamp(double lo, double x, double hi) { return min(max(x, lo), hi); }
// The truth of a value: not equal to 0 (nan is true).
inline bool truth(double x) { return x != 0; }
}  // namespace rt

enum class Fn : unsigned char {
#define BUILTIN(id, name, mn, mx, cpp, go, exact) id,
#include "builtins.def"
#undef BUILTIN
};

using Fn1 = double (*)(double);
using Fn2 = double (*)(double, double);
using Fn3 = double (*)(double, double, double);

struct Builtin {
  Fn id;
  std::string_view name;
  int min_args;
  int max_args;       // 0: variadic (any number >= min_args), folded with f2
  Fn1 f1 = nullptr;   // exactly one of f1/f2/f3 is set
  Fn2 f2 = nullptr;
  Fn3 f3 = nullptr;
  std::string_view go;  // Go expression naming the implementation
  bool exact;           // spec: bit-identical on every backend

  bool variadic() const { return max_args == 0; }
  bool accepts(std::size_t n) const {
    return n >= static_cast<std::size_t>(min_args) && (variadic() || n <= static_cast<std::size_t>(max_args));
  }
  // Applies the function to already-evaluated arguments (variadic: left fold).
  double apply(const double* args, std::size_t n) const {
    if (f1) return f1(args[0]);
    if (f3) return f3(args[0], args[1], args[2]);
    double r = args[0];
    if (!variadic()) return f2(args[0], args[1]);
    for (std::size_t i = 1; i < n; ++i) r = f2(r, args[i]);
    return r;
  }
};

std::span<const Builtin> builtins();
const Builtin& builtin(Fn id);
const Builtin* find_builtin(std::string_view name);

// The named constants: pi and e.
struct NamedConstant {
  std::string_view name;
  double value;
};
std::span<const NamedConstant> constants();
std::optional<double> find_constant(std::string_view name);

}  // namespace exprjit
