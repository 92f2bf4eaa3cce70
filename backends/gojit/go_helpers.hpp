// go_helpers.hpp — the fixed Go helpers generated files end with (go_helpers.cpp): the
// language's semantics where Go's operators differ, and accurate versions of the functions
// where Go's math package strays far from the C library.
#pragma once
#include <set>
#include <string>

namespace exprjit::gojit {

// All of them, as two Go texts (declaration by declaration, each with its doc comment):
// the language's helpers and accurate functions (go_helpers.cpp), and pure-Go kernels that
// replace the parts of Go's math package the direct path cannot run (go_helpers_math.cpp).
extern const char kGoHelpers[];
extern const char kGoMathHelpers[];  // go_helpers_math.cpp
extern const char kGoTrigHelpers[];  // go_helpers_trig.cpp

// The helpers named in used and every helper they call, in kGoHelpers' order, after a
// marker line; "" when used is empty.  ("Helper" includes the one table, ejMPi4.)  Only what a file calls is compiled (the whole set
// adds about 40 ms to a go build).
std::string go_helpers_for(const std::set<std::string>& used);

}  // namespace exprjit::gojit
