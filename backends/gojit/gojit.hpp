// gojit.hpp — the Go JIT backend: Go source from the checked AST, built with
// `go build -buildmode=plugin`, cached on disk, loaded through a c-shared Go loader.
// Design, cache layout and the limits of unloading: docs/jit.md.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_gojit_backend(const BackendOptions& options);

// The plain C function a jit-compiled expression's one-row evaluation is, when the direct
// path calls it without a trampoline ("bare", docs/design.md, "Go JIT direct calls"):
// f(vars) equals compiled.eval(vars), without the virtual call.  nullptr for expressions
// that need a trampoline or cgo, and for other backends.  Valid for the life of the
// process (plugins are never unloaded); callable from any thread.
using RowFunction = double (*)(const double* vars);
RowFunction gojit_row_function(const Compiled& compiled);

}  // namespace exprjit
