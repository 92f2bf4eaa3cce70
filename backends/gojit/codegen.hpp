// codegen.hpp — Go source from checked expressions (docs/jit.md, "Generated source").
//
// One file, package main, deterministic bytes for the same input.  For expression k:
//   func Ek(v []float64) float64            one row: v[slot] holds each variable
//   func Bk(cols [][]float64, out []float64) len(out) rows: cols[slot][row] (as eval_batch)
// plus `var EjManifest string`, which the loader checks before looking up any function.
// Nothing of the user's text reaches the file: variables are slot indices, numbers and
// constants are re-printed from their bits (math.Float64frombits), function names come
// from builtins.def's "go" column.
#pragma once
#include <cstddef>
#include <span>
#include <string>

#include "frontend/ast.hpp"

namespace exprjit::gojit {

// Bumped whenever the generated code's shape or the loader's calling convention changes;
// it is part of every cache key and of the manifest.
inline constexpr int kAbiVersion = 1;

// Throws std::invalid_argument for an unchecked tree or a slot >= nslots.
std::string generate_go(std::span<const Expr* const> exprs, std::size_t nslots);

// The value of EjManifest for a plugin of nexprs expressions over nslots slots.
std::string plugin_manifest(std::size_t nexprs, std::size_t nslots);

}  // namespace exprjit::gojit
