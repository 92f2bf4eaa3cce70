// native_cpp.hpp — the benchmark's reference: checked expressions written out as C++
// functions, compiled with the system's C++ compiler into a shared object and called
// through function pointers ("a native C++ function called through a pointer").
//   extern "C" double n<k>(const double* v);                                  one row
//   extern "C" void nb<k>(const double* const* c, std::size_t n, double* out); n rows
// Operations follow the language (comparisons give 1 or 0, min/max/sign/clamp are
// exprjit::rt's, ^ is std::pow, % is std::fmod, only the chosen branch runs).
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "frontend/ast.hpp"

namespace exprjit::bench {

// The C++ source for exprs (checked), one function pair each.
std::string native_source(std::span<const Expr* const> exprs);

class NativeLibrary {
 public:
  using Row = double (*)(const double*);
  using Batch = void (*)(const double* const*, std::size_t, double*);

  // Writes the source into dir, runs `compiler -O2 -ffp-contract=off -fPIC -shared`
  // (include_dir on the include path) and dlopens the result.  Throws on failure.
  NativeLibrary(std::span<const Expr* const> exprs, const std::string& compiler, const std::string& include_dir,
                const std::string& dir);
  NativeLibrary(const NativeLibrary&) = delete;
  NativeLibrary& operator=(const NativeLibrary&) = delete;
  ~NativeLibrary();

  Row row(std::size_t k) const { return rows_[k]; }
  Batch batch(std::size_t k) const { return batches_[k]; }
  double compile_seconds() const { return compile_s_; }

 private:
  void* handle_ = nullptr;
  std::vector<Row> rows_;
  std::vector<Batch> batches_;
  double compile_s_ = 0;
};

}  // namespace exprjit::bench
