// builtins.cpp — expands builtins.def into the lookup table.
#include "builtins.hpp"

#include <array>
#include <numbers>

namespace exprjit {
namespace {

// The C++ implementation's own arity: variadic functions are applied as a binary fold.
constexpr int impl_arity(int mn, int mx) { return mx == 0 ? 2 : mn; }

template <int Arity, class L>
constexpr Builtin make(Fn id, std::string_view name, int mn, int mx, L impl, std::string_view go, bool exact) {
  Builtin b{id, name, mn, mx, nullptr, nullptr, nullptr, go, exact};
  if constexpr (Arity == 1) b.f1 = static_cast<Fn1>(impl);
  if constexpr (Arity == 2) b.f2 = static_cast<Fn2>(impl);
  if constexpr (Arity == 3) b.f3 = static_cast<Fn3>(impl);
  return b;
}

// A generic lambda per entry picks the right overload of std:: math functions.
constexpr std::array kBuiltins = {
#define BUILTIN(id, name, mn, mx, cpp, go, exact)                                            \
  make<impl_arity(mn, mx)>(Fn::id, name, mn, mx, [](auto... a) -> double { return cpp(a...); }, \
                           go, exact),
#include "builtins.def"
#undef BUILTIN
};

constexpr std::array kConstants = {
    NamedConstant{"pi", std::numbers::pi},
    NamedConstant{"e", std::numbers::e},
};

}  // namespace

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

}  // namespace exprjit
