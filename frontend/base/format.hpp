// format.hpp — the spec's output format for values.
#pragma once
#include <string>

namespace exprjit {

// Shortest decimal string that reads back to the same double (std::to_chars):
// -2.8, 0.30000000000000004, 1e+21, inf, -inf, -0; every NaN prints as "nan".
std::string format_value(double v);

// C hex float as conformance.tsv writes it: 0x1.8000000000000p+0, -0x0.0p+0, inf, nan.
std::string format_hex(double v);

}  // namespace exprjit
