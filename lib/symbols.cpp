// symbols.cpp — the symbol table of bound variables, and which names may be variables.
#include <cctype>
#include <string>

#include "frontend/builtins.hpp"
#include "lib/impl.hpp"

namespace exprjit {

void validate_variable_name(std::string_view name) {
  auto fail = [&](const std::string& why) {
    throw Error("cannot use '" + std::string(name) + "' as a variable: " + why);
  };
  bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) fail("not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (find_constant(name)) fail("it is a built-in constant");
  if (find_builtin(name)) fail("it is a built-in function");
}

Symbols& Symbols::bind(std::string_view name, const double* value) {
  validate_variable_name(name);
  if (!value) throw Error("cannot bind '" + std::string(name) + "': the address is null");
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) {
      values_[i] = value;
      return *this;
    }
  names_.emplace_back(name);
  values_.push_back(value);
  return *this;
}

const double* Symbols::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return values_[i];
  return nullptr;
}

}  // namespace exprjit
