// scaling.hpp — how compile and session time grow with the number of variables
// (docs/limits.md): benchmarks "scale/bind/N" (N variables bound through Symbols, then one
// compile on the vm reading the first and the last), "scale/session/N" (a session of N
// assignment lines, each reading the one before) for N = 10^4, 10^5, 10^6.  Time per
// variable should stay flat as N grows (linear, not quadratic).
#pragma once
#include <string>

namespace exprjit::bench {

void register_scaling(const std::string& filter);

}  // namespace exprjit::bench
