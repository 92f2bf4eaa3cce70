// codegen.hpp — Go source from checked expressions (docs/jit.md, "Generated source").
//
// One file, package main, deterministic bytes for the same input.  For expression k:
//   func Ek(_, _, _ uintptr, vp unsafe.Pointer) float64 one row: vp points at nslots doubles
//   func Bk(cols, out unsafe.Pointer, n int)            n rows: cols[slot][row] (as eval_batch)
// Both can run without cgo, through direct.hpp: fixed-size arrays at constant indices and
// pointer arithmetic leave no bounds checks, so the code cannot panic (docs/design.md).
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
inline constexpr int kAbiVersion = 3;

// Throws std::invalid_argument for an unchecked tree or a slot >= nslots.
std::string generate_go(std::span<const Expr* const> exprs, std::size_t nslots);

// The Go function generated code calls for builtins.def's "go" name: the name itself, or a
// pure-Go helper where Go's math package reaches assembly or a panic on amd64 (math.Floor
// -> ejFloor, math.Hypot -> ejHypot, ...; see go_helpers_math.cpp).
std::string_view go_callee(std::string_view go_name);

// The value of EjManifest for a plugin of nexprs expressions over nslots slots.
std::string plugin_manifest(std::size_t nexprs, std::size_t nslots);

}  // namespace exprjit::gojit
