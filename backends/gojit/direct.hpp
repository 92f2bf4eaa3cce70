// direct.hpp — calling a plugin's functions directly, without the cgo crossing
// (docs/design.md, "Go JIT direct calls"; the trampolines are direct_amd64.S).
//
// --jit-call=auto (the default) uses a direct call for each function that passes every
// check: a supported architecture and verified Go version (direct_unsupported), the
// machine-code vetting of vet.hpp, and agreement with the cgo path on probe inputs
// (probe_disagreement); anything else goes through cgo, and --verbose says why.
// --jit-call=direct makes a failed check an error; --jit-call=cgo never calls directly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/gojit/goloader.hpp"
#include "backends/gojit/toolchain.hpp"

extern "C" {
// Defined in direct_amd64.S (x86-64 builds only; see direct_available()).
double exprjit_gojit_call_row(std::uintptr_t entry, const double* vars);
void exprjit_gojit_call_batch(std::uintptr_t entry, const double* const* cols, double* out, std::size_t n);
}

namespace exprjit::gojit {

// How a row function vetted for direct calls is entered (vet.hpp's Verdict):
//   full — the trampoline (direct_amd64.S);
//   bare — no trampoline: the function is called like a C function (below).
enum class Trampoline { full, bare };

// Row functions take the row as Go's 4th integer argument, which Go passes in RDI, where C
// passes its first; the result comes back in X0, as in C.  A leaf the vetter found bare
// (no call, no stack access beyond saving RBP, no use of R14, X15, RBX, R12, R13, R15)
// changes only registers C lets a callee change, so it *is* a C function of one pointer.
inline double call_row_bare(std::uintptr_t entry, const double* vars) {
  return reinterpret_cast<double (*)(const double*)>(entry)(vars);
}

inline double call_row(Trampoline t, std::uintptr_t entry, const double* vars) {
  return t == Trampoline::bare ? call_row_bare(entry, vars) : exprjit_gojit_call_row(entry, vars);
}

enum class CallMode { automatic, direct, cgo };

// "auto", "direct", "cgo"; nullopt otherwise.
std::optional<CallMode> parse_call_mode(std::string_view s);

// Whether this exprjit was built with the trampolines (x86-64).
bool direct_available();

// The minor versions of Go 1.x the direct path was verified on (the whole jit suite passes
// through it with each); others use cgo.
inline constexpr int kDirectVerifiedGo[] = {19, 23};

// Why functions built by tc cannot be called directly at all, or nullopt: exprjit was not
// built for x86-64, the toolchain does not build linux/amd64, its Go version is not one
// of kDirectVerifiedGo, it sets GOEXPERIMENT, or there is no objdump to vet code with.
std::optional<std::string> direct_unsupported(const Toolchain& tc);

// GNU objdump as found when exprjit was built ("" if none).
std::string objdump_path();

// Calls the row function (fn through the loader, entry directly through t) and the batch
// function on the same probe rows over nslots slots and compares every result bit for bit.
// Returns "" when they agree, else a description of the first difference.
std::string probe_disagreement_row(const LoaderApi& api, const GoFunction& fn, std::size_t nslots, Trampoline t);
std::string probe_disagreement_batch(const LoaderApi& api, const GoFunction& fn, std::size_t nslots);

}  // namespace exprjit::gojit
