// abi.hpp — what the generated Go code, the loader and the host agree on (docs/jit.md,
// "Generated source"), in one place.  Bump kAbiVersion whenever any of it changes: it is
// part of every cache key and of every plugin's manifest, which the loader checks.
//
// Entry points of expression k, all callable without cgo (runtime/direct.hpp):
//   E<k>(_, _, _ uintptr, vp, fp unsafe.Pointer) float64   one row, vp -> nslots doubles
//   P<k>(_, _, _ uintptr, pp, fp unsafe.Pointer) float64   one row, pp -> nslots pointers
//   B<k>(cols, out unsafe.Pointer, n int, fp unsafe.Pointer)   n rows, cols[slot][row]
// Go's internal ABI passes the 4th and 5th integer arguments in RDI and RSI, where C passes
// its 1st and 2nd: a row function that needs no trampoline is the C function
// double(const double* vars_or_ptrs, const void* fp).
//
// fp is the callee table of the unit: slot i, at byte offset 8*i, holds a pointer to a Go
// function value (a "funcval": its first word is the code address).  The host fills it
// (runtime/ctable.hpp) with stubs that call the C library's functions and the host
// functions; the generated code calls slot i only through the helper ejCall<nargs>.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/lang/builtins.hpp"

namespace exprjit::gojit {

inline constexpr int kAbiVersion = 4;

// The kinds of entry point, as the loader's ejLookup numbers them.
enum class EntryKind : int { values = 0, pointers = 1, batch = 2 };
std::string entry_name(EntryKind kind, std::size_t expr);  // "E0", "P0", "B0"

// A C function the generated code calls through slot `slot` of the callee table.
struct CalleeSlot {
  enum class Kind : std::uint8_t { builtin, host };
  Kind kind = Kind::builtin;
  Fn fn = Fn::SIN;          // builtin: its C implementation (builtins.def's cpp)
  std::uint32_t host = 0;   // host: the index in the unit's host functions
  std::uint32_t nargs = 0;  // the arguments every call of this slot passes
  // As the manifest lists it: "c:sin", "h0/2" (a host function by index and argument
  // count: the signature, never an address).
  std::string text() const;
};

// The most arguments a C call from generated code may take (ejCall0 .. ejCall8; C passes
// that many doubles in registers).
inline constexpr std::uint32_t kMaxCallArgs = 8;

// The value of EjManifest for a plugin of nexprs expressions over nslots slots calling these
// slots: the loader refuses a plugin whose manifest differs from what the host expects.
std::string plugin_manifest(std::size_t nexprs, std::size_t nslots, const std::vector<CalleeSlot>& callees);

}  // namespace exprjit::gojit
