// go_helpers.hpp — the fixed Go helpers generated files end with (go_helpers.cpp): the
// language's semantics where Go's operators differ, and accurate versions of the functions
// where Go's math package strays far from the C library.
#pragma once
#include <set>
#include <string>

namespace exprjit::gojit {

// All of them, as one Go text (function by function, each with its doc comment).
extern const char kGoHelpers[];

// The helpers named in used and every helper they call, in kGoHelpers' order, after a
// marker line; "" when used is empty.  Only what a file calls is compiled (the whole set
// adds about 40 ms to a go build).
std::string go_helpers_for(const std::set<std::string>& used);

}  // namespace exprjit::gojit
