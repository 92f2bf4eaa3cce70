// direct.cpp — see direct.hpp.
#include "backends/gojit/runtime/direct.hpp"

#include <pthread.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <vector>

#include "backends/gojit/gojit_config.hpp"

#if !EXPRJIT_GOJIT_TRAMPOLINES
// No trampolines in this build: direct_available() is false, so these are never called.
extern "C" double exprjit_gojit_enter_row(const void*, const exprjit::gojit::GoEntry*) { std::abort(); }
extern "C" void exprjit_gojit_enter_batch(const double* const*, std::size_t, double*, const exprjit::gojit::GoEntry*) {
  std::abort();
}
#endif

namespace exprjit::gojit {
namespace {

// Probe values: ordinary, signed zeros, subnormal, huge, infinities, NaN, near the
// overflow threshold of exp; slot s of row r takes kProbe[(r + 5*s) % size].
constexpr double kProbe[] = {0.0,  1.0,  -1.5,  2.123456, 1e300, -0.0,    5e-324, 0.5,
                             3.3,  1e-8, -7.25, 709.5,    1e6,   -1e-300, 42.0,   -3.0};
constexpr std::size_t kProbeRows = 18;  // the last two rows: NaN and +-Inf in every slot

std::vector<std::vector<double>> probe_columns(std::size_t nslots) {
  std::vector<std::vector<double>> cols(nslots, std::vector<double>(kProbeRows));
  constexpr std::size_t n = std::size(kProbe);
  for (std::size_t s = 0; s < nslots; ++s) {
    for (std::size_t r = 0; r + 2 < kProbeRows; ++r) cols[s][r] = kProbe[(r + 5 * s) % n];
    cols[s][kProbeRows - 2] = std::numeric_limits<double>::quiet_NaN();
    cols[s][kProbeRows - 1] = s % 2 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  return cols;
}

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::string describe(const char* what, std::size_t row, double ref, double jit) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s, probe row %zu: the reference gives %a (%#llx), the jit %a (%#llx)", what, row, ref,
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(ref)), jit,
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(jit)));
  return buf;
}

}  // namespace

bool direct_available() { return EXPRJIT_GOJIT_TRAMPOLINES != 0; }

std::string objdump_path() { return EXPRJIT_OBJDUMP; }

std::optional<std::string> direct_unsupported(const Toolchain& tc) {
  if (!direct_available()) return "this exprjit was not built for x86-64 (the direct path exists for amd64 only)";
  const std::string& arch = tc.identity.get("GOARCH");
  const std::string& os = tc.identity.get("GOOS");
  if (arch != "amd64" || os != "linux") return tc.go + " builds for " + os + "/" + arch + ", not linux/amd64";
  const std::optional<int> minor = go_minor_version(tc.version());
  bool verified = false;
  std::string list;
  for (int v : kDirectVerifiedGo) {
    verified = verified || (minor && *minor == v);
    list += (list.empty() ? "go1." : ", go1.") + std::to_string(v);
  }
  if (!verified) return tc.version() + " is not among the Go versions the direct path was verified on (" + list + ")";
  if (const std::string& ex = tc.identity.get("GOEXPERIMENT"); !ex.empty())
    return "GOEXPERIMENT=" + ex + " changes code generation, and the direct path was verified without it";
  const std::string objdump = objdump_path();
  if (objdump.empty()) return "no objdump (GNU binutils) was found when exprjit was built; it vets the code";
  if (::access(objdump.c_str(), X_OK) != 0) return objdump + " (GNU objdump, which vets the code) is missing";
  return std::nullopt;
}

thread_local __attribute__((tls_model("initial-exec"))) StackBounds t_stack_bounds;

std::size_t stack_room_first() {
  StackBounds b;
  pthread_attr_t a;
  if (pthread_getattr_np(pthread_self(), &a) == 0) {
    void* addr = nullptr;
    std::size_t size = 0, guard = 0;
    if (pthread_attr_getstack(&a, &addr, &size) == 0) {
      pthread_attr_getguardsize(&a, &guard);
      b.lo = reinterpret_cast<std::uintptr_t>(addr) + guard;
      b.hi = reinterpret_cast<std::uintptr_t>(addr) + size;
    }
    pthread_attr_destroy(&a);
  }
  if (b.hi == 0) b.lo = b.hi = 1;  // unknown: every address is outside, and it is not asked again
  t_stack_bounds = b;
  return stack_room();
}

std::string probe_disagreement(const Compiled& jit, const Compiled& ref, std::size_t nslots) {
  const auto cols = probe_columns(nslots);
  std::vector<const double*> colp;
  for (const auto& c : cols) colp.push_back(c.data());
  std::vector<double> row(nslots + 1);
  std::vector<const double*> ptrs(nslots + 1);
  // A host function may throw on a probe value (pure ones only are probed: gojit.cpp): such
  // a row says nothing about the calling convention, so it is skipped, the jit's pending
  // exception included.
  auto quietly = [](auto&& f) -> std::optional<double> {
    try {
      return f();
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  for (std::size_t r = 0; r < kProbeRows; ++r) {
    for (std::size_t s = 0; s < nslots; ++s) row[s] = cols[s][r], ptrs[s] = &cols[s][r];
    const std::optional<double> want = quietly([&] { return ref.eval(row.data()); });
    const std::optional<double> by_value = quietly([&] { return jit.eval(row.data()); });
    const std::optional<double> by_pointer = quietly([&] { return jit.eval_ptrs(ptrs.data()); });
    if (!want) continue;
    if (!by_value || !same(*want, *by_value)) return describe("one row by value", r, *want, by_value.value_or(NAN));
    if (!by_pointer || !same(*want, *by_pointer))
      return describe("one row by pointer", r, *want, by_pointer.value_or(NAN));
  }
  std::vector<double> want(kProbeRows), got(kProbeRows, 0.125);
  if (!quietly([&] { return ref.eval_batch(colp.data(), kProbeRows, want.data()), 0.0; })) return "";
  if (!quietly([&] { return jit.eval_batch(colp.data(), kProbeRows, got.data()), 0.0; }))
    return "batch: the jit's code threw where the reference did not";
  for (std::size_t r = 0; r < kProbeRows; ++r)
    if (!same(want[r], got[r])) return describe("batch", r, want[r], got[r]);
  return "";
}

}  // namespace exprjit::gojit
