// format.cpp — small public helpers over the front end: the version and number printing.
#include "frontend/base/format.hpp"
#include "frontend/lang/builtins.hpp"
#include "lib/impl.hpp"

namespace exprjit {

const char* version() noexcept { return EXPRJIT_VERSION; }

std::string format_number(double v) { return format_value(v); }

std::string printable(std::string_view text, std::size_t max_bytes) { return printable_text(text, max_bytes); }

std::vector<FunctionDescription> builtin_functions() {
  std::vector<FunctionDescription> out;
  for (const Builtin& b : builtins()) {
    std::string params = b.variadic() ? "a, b, ..." : b.min_args == 1 ? "x" : b.min_args == 2 ? "x, y" : "lo, x, hi";
    out.push_back({std::string(b.name), params});
  }
  return out;
}

std::vector<std::string> builtin_constants() {
  std::vector<std::string> out;
  for (const NamedConstant& c : constants()) out.emplace_back(c.name);
  return out;
}

}  // namespace exprjit
