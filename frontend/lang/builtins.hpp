// builtins.hpp — the built-in function table (from builtins.def) and the named constants.
#pragma once
#include <cmath>
#include <optional>
#include <span>
#include <string_view>

#include "frontend/lang/semantics.hpp"

namespace exprjit {

enum class Fn : unsigned char {
#define BUILTIN(id, name, mn, mx, cpp, go) id,
#include "frontend/lang/builtins.def"
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
  std::string_view go;  // "" = the jit calls the C function; else the Go function it uses

  bool variadic() const { return max_args == 0; }
  bool accepts(std::size_t n) const {
    return n >= static_cast<std::size_t>(min_args) && (variadic() || n <= static_cast<std::size_t>(max_args));
  }
  int arity() const { return f1 ? 1 : f3 ? 3 : 2; }  // of the C++ implementation
  // The C++ implementation as one address, whatever its arity.
  void* address() const {
    return f1 ? reinterpret_cast<void*>(f1) : f2 ? reinterpret_cast<void*>(f2) : reinterpret_cast<void*>(f3);
  }
  // Applies the function to already-evaluated arguments (variadic: left fold).
  double apply(const double* args, std::size_t n) const {
    if (f1) return f1(args[0]);
    if (f3) return f3(args[0], args[1], args[2]);
    if (!variadic()) return f2(args[0], args[1]);
    double r = args[0];
    for (std::size_t i = 1; i < n; ++i) r = f2(r, args[i]);
    return r;
  }
  // "1 argument", "at least 1 argument", "2 arguments"
  std::string arity_text() const;
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

// Whether name is an identifier of the language: [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);

}  // namespace exprjit
