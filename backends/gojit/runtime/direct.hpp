// direct.hpp — calling a plugin's functions directly from C++ (docs/design.md, "Go JIT
// direct calls"; the trampolines and C stubs are direct_amd64.S).
//
// JitCall::automatic (the default) calls each entry point directly that passes every check:
// a supported architecture and verified Go version (direct_unsupported), the machine-code
// vetting of inspect/vet.hpp, and agreement with the fallback backend on probe rows
// (probe_disagreement); anything else runs on the fallback (the vm), and --verbose says why.
// JitCall::direct makes a failed check an error; JitCall::fallback never calls directly.
//
// A direct call runs on the calling thread's stack.  An entry point that needs a frame is
// called only when the thread has room for it (stack_room); a thread with less, or whose
// stack is not the one the thread was created with (a coroutine's), runs the fallback.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "backends/backend.hpp"
#include "backends/gojit/build/toolchain.hpp"

namespace exprjit::gojit {

// What a trampolined entry is called with (direct_amd64.S): the Go entry and the table.
struct GoEntry {
  std::uintptr_t entry;
  const void* table;
};

}  // namespace exprjit::gojit

extern "C" {
// Defined in direct_amd64.S (x86-64 builds only; see direct_available()).
double exprjit_gojit_enter_row(const void* vars, const exprjit::gojit::GoEntry* ctx);
void exprjit_gojit_enter_batch(const double* const* cols, std::size_t n, double* out, const exprjit::gojit::GoEntry* ctx);
}

namespace exprjit::gojit {

// Whether this exprjit was built with the trampolines (x86-64).
bool direct_available();

// The minor versions of Go 1.x the direct path was verified on (the whole jit suite passes
// through it with each); others run on the fallback.
inline constexpr int kDirectVerifiedGo[] = {19, 23};

// Why functions built by tc cannot be called directly at all, or nullopt: exprjit was not
// built for x86-64, the toolchain does not build linux/amd64, its Go version is not one
// of kDirectVerifiedGo, it sets GOEXPERIMENT, or there is no objdump to vet code with.
std::optional<std::string> direct_unsupported(const Toolchain& tc);

// GNU objdump as found when exprjit was built ("" if none).
std::string objdump_path();

// This thread's stack, [lo, hi) without the guard page; hi == 0 until first read.  The
// one per-thread state of the jit, so that each call compares two addresses instead of
// asking the system; initial-exec, and constant-initialised, so reading it is one load.
struct StackBounds {
  std::uintptr_t lo = 0, hi = 0;
};
extern thread_local __attribute__((tls_model("initial-exec"))) StackBounds t_stack_bounds;
std::size_t stack_room_first();  // reads the bounds (pthread_getattr_np), then stack_room()

// Bytes of stack left below the caller's frame on this thread, or 0 when not known (the
// stack pointer is outside the thread's own stack: a coroutine, a signal stack).
inline std::size_t stack_room() {
  const StackBounds& b = t_stack_bounds;
  if (b.hi == 0) [[unlikely]]
    return stack_room_first();
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  return sp <= b.lo || sp > b.hi ? 0 : sp - b.lo;
}

// Stack a C function called from Go code may use, beyond what the vetter counts for the
// Go side: C library math functions need a few hundred bytes; host functions are assumed
// to need no more than this (docs/api.md, "Threads and stacks").
inline constexpr std::size_t kCStackAllowance = 16 * 1024;

// Calls the jit's entry points of one expression (row values, row pointers, batch) and the
// reference's on the same probe rows over nslots slots (ordinary values, signed zeros,
// subnormals, huge, infinities, NaN) and compares every result bit for bit (NaN equals
// NaN).  Returns "" when they agree, else a description of the first difference.  A row on
// which the reference throws (a host function refusing a probe value) is skipped.
std::string probe_disagreement(const Compiled& jit, const Compiled& reference, std::size_t nslots);

}  // namespace exprjit::gojit
