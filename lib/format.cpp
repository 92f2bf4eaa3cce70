// format.cpp — small public helpers over the front end: the version and number printing.
#include "frontend/format.hpp"
#include "lib/impl.hpp"

namespace exprjit {

const char* version() noexcept { return EXPRJIT_VERSION; }

std::string format_number(double v) { return format_value(v); }

}  // namespace exprjit
