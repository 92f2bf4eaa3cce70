// fuzz_differential.cpp — libFuzzer target: an accepted expression with fuzzed variable
// values must give bit-identical results (NaN equals NaN) on the tree and vm backends,
// singly and in batch.
//
// Input layout: the first 7 * 8 bytes (zero-padded) are the values of a b c x y z w as raw
// doubles, so every bit pattern (nan payloads, subnormals, -0) is reachable; the rest is the
// expression text.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "backends/backend.hpp"
#include "frontend/check/check.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/parser.hpp"

namespace {

using namespace exprjit;

constexpr std::size_t kVars = 7;

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

struct Backends {
  std::unique_ptr<Backend> tree = find_backend("tree")->make({});
  std::unique_ptr<Backend> vm = find_backend("vm")->make({});
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Backends backends;  // stateless factories' products; made once per process
  double vars[kVars] = {};
  std::size_t head = std::min(size, sizeof vars);
  std::memcpy(vars, data, head);
  std::string_view text(reinterpret_cast<const char*>(data) + head, size - head);

  ExprPtr e;
  Scope scope({"a", "b", "c", "x", "y", "z", "w"});
  try {
    e = parse_expression(text);
    check(*e, scope);
  } catch (const CompileError&) {
    return 0;
  }
  auto t = backends.tree->compile(*e, kVars);
  auto v = backends.vm->compile(*e, kVars);
  double want = t->eval(vars), got = v->eval(vars);
  if (!same(want, got)) {
    std::fprintf(stderr, "tree %a != vm %a for %.*s\n", want, got, static_cast<int>(text.size()), text.data());
    std::abort();
  }
  // The same row three times in a batch, next to a row of the first variable's value.
  double cols[kVars][4];
  const double* colp[kVars];
  for (std::size_t s = 0; s < kVars; ++s) {
    cols[s][0] = cols[s][1] = cols[s][3] = vars[s];
    cols[s][2] = vars[0];
    colp[s] = cols[s];
  }
  double out[4];
  v->eval_batch(colp, 4, out);
  double row2[kVars];
  for (std::size_t s = 0; s < kVars; ++s) row2[s] = vars[0];
  double want2 = t->eval(row2);
  if (!same(out[0], want) || !same(out[1], want) || !same(out[3], want) || !same(out[2], want2)) {
    std::fprintf(stderr, "vm batch differs from tree for %.*s\n", static_cast<int>(text.size()), text.data());
    std::abort();
  }
  return 0;
}
