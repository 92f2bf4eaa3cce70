// codegen.hpp — Go source from a unit of checked expressions (docs/jit.md, "Generated
// source"): one file, package main, deterministic bytes for the same unit, the entry points
// of abi.hpp for every expression, a Go function F<j> per language function, and the
// callee table the code expects.  It is built together with emit/go/helpers.go.
//
// Nothing of the user's text reaches the file: variables are slot indices, numbers and
// constants are re-printed from their bits (math.Float64frombits), functions come from
// builtins.def's "go" column or the callee table, host and language functions are numbered.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/gojit/abi.hpp"
#include "frontend/ir/ir.hpp"

namespace exprjit::gojit {

struct GoSource {
  std::string text;                   // exprjit.go
  std::vector<CalleeSlot> callees;    // the table its code indexes
  std::string manifest;               // its EjManifest
};

// Thrown for a unit the jit cannot compile (a call with more than kMaxCallArgs arguments);
// what() says why, and the backend hands the unit to its fallback.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

GoSource generate_go(const ir::Unit& unit);

// The helpers every plugin is built with (emit/go/helpers.go, embedded at build time).
extern const char kHelpersGo[];

}  // namespace exprjit::gojit
