// format.cpp — value printing in the spec's output format.
#include "frontend/base/format.hpp"

#include <charconv>
#include <cmath>

namespace exprjit {

std::string format_value(double v) {
  if (std::isnan(v)) return "nan";  // whatever its sign bit or payload
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string format_hex(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  // %a with 13 hex digits: 0x1.8000000000000p+0; zero prints as 0x0.0000000000000p+0,
  // which conformance.tsv writes as 0x0.0p+0.
  if (v == 0) return std::signbit(v) ? "-0x0.0p+0" : "0x0.0p+0";
  std::snprintf(buf, sizeof buf, "%.13a", v);
  return buf;
}

}  // namespace exprjit
