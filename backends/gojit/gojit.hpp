// gojit.hpp — the Go JIT backend: Go source from the checked AST, built with
// `go build -buildmode=plugin`, cached on disk, loaded through a c-shared Go loader.
// Design, cache layout and the limits of unloading: docs/jit.md.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_gojit_backend(const BackendOptions& options);

// A jit-compiled expression whose one-row evaluation the direct path calls without a
// trampoline ("bare", docs/design.md, "Go JIT direct calls") is a plain C function:
// Compiled::plain_function() returns it, and Compiled::eval() calls it directly.

}  // namespace exprjit
