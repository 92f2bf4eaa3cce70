// native.hpp — hand-written C++ loops for some corpus expressions: the "native speed per
// element" the batch evaluator is compared with (same operations in the same order, built
// with the project's flags, so the results are the same bits; the benchmark checks that).
#pragma once
#include <cstddef>
#include <string_view>

namespace exprjit::bench {

// cols[slot][row] with slots a b c x y z w; out[row].
using NativeLoop = void (*)(const double* const* cols, std::size_t n, double* out);

// The loop for this corpus expression (exact text), or nullptr.
NativeLoop native_loop(std::string_view expr);

}  // namespace exprjit::bench
