// gojit.hpp — the Go JIT backend (docs/jit.md).  Layers, each a folder:
//   emit/      Go source from the checked tree (codegen), and the fixed Go helpers
//   build/     the toolchain, the on-disk cache, `go build`
//   inspect/   what a built file says about itself: ELF, Go build info, machine-code vetting
//   runtime/   this process's Go runtime (the loader), the callee table, direct calls
// abi.hpp is what they agree on; gojit.cpp strings them together.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_gojit_backend(const BackendOptions& options);

}  // namespace exprjit
