// native.hpp — the "native C++" evaluator: every corpus expression written out as C++
// (translate.hpp's to_cpp) by gen_native at build time, compiled into the benchmark with
// g++ -O2 -ffp-contract=off (bench/meson.build), called through function pointers.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>

namespace exprjit::bench {

struct NativeFunction {
  std::string_view text;  // the corpus line it was generated from
  double (*row)(const double* v);                                       // one evaluation
  void (*batch)(const double* const* cols, std::size_t n, double* out);  // n rows, inlined loop
};

// The generated table (native_gen.cpp in the build directory); row and batch are null for
// a line the front end refused.
std::span<const NativeFunction> native_functions();

// The entry generated from exactly this text, or nullptr.
const NativeFunction* find_native(std::string_view text);

}  // namespace exprjit::bench
