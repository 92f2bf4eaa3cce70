// semantics.hpp — what each operation of the language computes, where C++ operators alone
// do not say it (docs/language.md).  The tree backend, the constant folder and the vm's
// instruction table (opcodes.def) compute with these; the Go helpers of the jit
// (backends/gojit/emit/go/) are checked against them bit for bit by the tests.
#pragma once
#include <cmath>
#include <cstdlib>

#include "frontend/lang/operators.hpp"

namespace exprjit::rt {

// The truth of a value: not equal to 0 (nan is true).
inline bool truth(double x) { return x != 0; }
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

// x ^ n for an integer literal n, |n| <= kMaxPowInt (spec, "Values and operators"): this
// multiplication chain, the same on every backend.  x^2 is the correctly rounded x*x.
//   r = 1; b = x; m = |n|
//   while m > 0: { if m is odd: r = r * b;  m = m / 2;  if m > 0: b = b * b }
//   x^n = r when n >= 0, 1 / r when n < 0
inline constexpr int kMaxPowInt = 64;
inline double pow_int(double x, int n) {
  double r = 1, b = x;
  for (unsigned m = static_cast<unsigned>(std::abs(n)); m > 0;) {
    if (m & 1) r = r * b;
    m >>= 1;
    if (m > 0) b = b * b;
  }
  return n >= 0 ? r : 1 / r;
}

inline double unary(UnOp op, double x) {
  switch (op) {
    case UnOp::Neg: return -x;
    case UnOp::Plus: return x;
    case UnOp::Not: return truth(x) ? 0.0 : 1.0;
  }
  return x;
}

inline double binary(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::Add: return a + b;
    case BinOp::Sub: return a - b;
    case BinOp::Mul: return a * b;
    case BinOp::Div: return a / b;
    case BinOp::Mod: return std::fmod(a, b);
    case BinOp::Lt: return a < b ? 1.0 : 0.0;
    case BinOp::Le: return a <= b ? 1.0 : 0.0;
    case BinOp::Gt: return a > b ? 1.0 : 0.0;
    case BinOp::Ge: return a >= b ? 1.0 : 0.0;
    case BinOp::Eq: return a == b ? 1.0 : 0.0;
    case BinOp::Ne: return a != b ? 1.0 : 0.0;
    case BinOp::And: return truth(a) && truth(b) ? 1.0 : 0.0;
    case BinOp::Or: return truth(a) || truth(b) ? 1.0 : 0.0;
  }
  return 0;
}

}  // namespace exprjit::rt
