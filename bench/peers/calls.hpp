// calls.hpp — the function-call benchmarks (calls.cpp): a trivial host function and a small
// language function on every backend, against native C++ and muparser's DefineFun.
#pragma once
#include <string>

namespace exprjit::bench {

void register_calls(const std::string& filter);

}  // namespace exprjit::bench
