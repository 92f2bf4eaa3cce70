// fuzz_differential.cpp — libFuzzer target: an accepted expression with fuzzed variable
// values must give bit-identical results (NaN equals NaN) on the tree and vm backends,
// through the public library: eval(values), operator() on bound variables, and batch.
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
#include <span>
#include <string_view>
#include <vector>

#include <exprjit/exprjit.hpp>

namespace {

using namespace exprjit;

constexpr std::size_t kVars = 7;

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

const std::vector<std::string> kNames = {"a", "b", "c", "x", "y", "z", "w"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  double vars[kVars] = {};
  std::size_t head = std::min(size, sizeof vars);
  std::memcpy(vars, data, head);
  const std::string text(reinterpret_cast<const char*>(data) + head, size - head);

  exprjit::Symbols bound;
  for (std::size_t s = 0; s < kVars; ++s) bound.bind(kNames[s], &vars[s]);
  exprjit::Expression t, v;
  try {
    t = exprjit::compile(text, kNames, {.backend = "tree"});
    v = exprjit::compile(text, bound, {.backend = "vm"});
  } catch (const exprjit::Error&) {
    return 0;
  }
  const double want = t.eval(std::span<const double>(vars, kVars)), got = v();
  if (!same(want, got)) {
    std::fprintf(stderr, "tree %a != vm %a for %s\n", want, got, text.c_str());
    std::abort();
  }
  // The same row three times in a batch, next to a row of the first variable's value.
  double cols[kVars][4];
  std::vector<std::span<const double>> colp;
  for (std::size_t s = 0; s < kVars; ++s) {
    cols[s][0] = cols[s][1] = cols[s][3] = vars[s];
    cols[s][2] = vars[0];
    colp.emplace_back(cols[s], 4);
  }
  double out[4];
  v.eval_batch(colp, out);
  double row2[kVars];
  for (std::size_t s = 0; s < kVars; ++s) row2[s] = vars[0];
  const double want2 = t.eval(std::span<const double>(row2, kVars));
  if (!same(out[0], want) || !same(out[1], want) || !same(out[3], want) || !same(out[2], want2)) {
    std::fprintf(stderr, "vm batch differs from tree for %s\n", text.c_str());
    std::abort();
  }
  return 0;
}
