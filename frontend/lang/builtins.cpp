// builtins.cpp — expands builtins.def into the lookup table; operator names and levels.
#include "frontend/lang/builtins.hpp"

#include <array>
#include <numbers>
#include <string>

#include "frontend/lang/operators.hpp"

namespace exprjit {
namespace {

// The C++ implementation's own arity: variadic functions are applied as a binary fold.
constexpr int impl_arity(int mn, int mx) { return mx == 0 ? 2 : mn; }

template <int Arity, class L>
constexpr Builtin make(Fn id, std::string_view name, int mn, int mx, L impl, std::string_view go) {
  Builtin b{id, name, mn, mx, nullptr, nullptr, nullptr, go};
  if constexpr (Arity == 1) b.f1 = static_cast<Fn1>(impl);
  if constexpr (Arity == 2) b.f2 = static_cast<Fn2>(impl);
  if constexpr (Arity == 3) b.f3 = static_cast<Fn3>(impl);
  return b;
}

// A generic lambda per entry picks the right overload of std:: math functions.
constexpr std::array kBuiltins = {
#define BUILTIN(id, name, mn, mx, cpp, go) \
  make<impl_arity(mn, mx)>(Fn::id, name, mn, mx, [](auto... a) -> double { return cpp(a...); }, go),
#include "frontend/lang/builtins.def"
#undef BUILTIN
};

constexpr std::array kConstants = {
    NamedConstant{"pi", std::numbers::pi},
    NamedConstant{"e", std::numbers::e},
};

constexpr std::array kUnSym = {
#define UNOP(id, tok, sym, meaning) std::string_view(sym),
#include "frontend/lang/operators.def"
};
constexpr std::array kBinSym = {
#define BINOP(id, tok, sym, level, meaning) std::string_view(sym),
#include "frontend/lang/operators.def"
};
constexpr std::array kBinLevel = {
#define BINOP(id, tok, sym, level, meaning) level,
#include "frontend/lang/operators.def"
};

}  // namespace

std::string Builtin::arity_text() const {
  auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  if (variadic()) return "at least " + plural(min_args);
  if (min_args == max_args) return plural(min_args);
  return std::to_string(min_args) + " to " + plural(max_args);
}

std::span<const Builtin> builtins() { return kBuiltins; }
const Builtin& builtin(Fn id) { return kBuiltins[static_cast<std::size_t>(id)]; }

const Builtin* find_builtin(std::string_view name) {
  for (const Builtin& b : kBuiltins)
    if (b.name == name) return &b;
  return nullptr;
}

std::span<const NamedConstant> constants() { return kConstants; }

std::optional<double> find_constant(std::string_view name) {
  for (const NamedConstant& c : kConstants)
    if (c.name == name) return c.value;
  return std::nullopt;
}

bool is_identifier(std::string_view s) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (s.empty() || !alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

std::string_view unop_symbol(UnOp op) { return kUnSym[static_cast<std::size_t>(op)]; }
std::string_view binop_symbol(BinOp op) { return kBinSym[static_cast<std::size_t>(op)]; }
int binop_level(BinOp op) { return kBinLevel[static_cast<std::size_t>(op)]; }

}  // namespace exprjit
