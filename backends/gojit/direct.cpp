// direct.cpp — see direct.hpp.
#include "backends/gojit/direct.hpp"

#include "backends/gojit/gojit_config.hpp"

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>


#if !EXPRJIT_GOJIT_TRAMPOLINES
// No trampolines in this build: direct_available() is false, so these are never called.
extern "C" double exprjit_gojit_call_row(std::uintptr_t, const double*) { std::abort(); }
extern "C" void exprjit_gojit_call_batch(std::uintptr_t, const double* const*, double*, std::size_t) { std::abort(); }
#endif

namespace exprjit::gojit {
namespace {

// The value of NAME in a toolchain identity ("NAME=value" lines).
std::string identity_var(const std::string& identity, const std::string& name) {
  const std::string key = name + "=";
  for (std::size_t at = 0; at < identity.size();) {
    std::size_t nl = identity.find('\n', at);
    if (nl == std::string::npos) nl = identity.size();
    if (identity.compare(at, key.size(), key) == 0) return identity.substr(at + key.size(), nl - at - key.size());
    at = nl + 1;
  }
  return "";
}

// Probe values: ordinary, signed zeros, subnormal, huge, infinities, NaN, near the
// overflow threshold of exp; slot s of row r takes kProbe[(r + 5*s) % size].
constexpr double kProbe[] = {0.0,      1.0,  -1.5,   2.123456, 1e300, -0.0,   5e-324, 0.5,
                             3.3,      1e-8, -7.25,  709.5,    1e6,   -1e-300, 42.0,  -3.0};
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

std::string describe(std::size_t row, double cgo, double direct) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "probe row %zu: through cgo %a (%#llx), directly %a (%#llx)", row, cgo,
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(cgo)), direct,
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(direct)));
  return buf;
}

}  // namespace

std::optional<CallMode> parse_call_mode(std::string_view s) {
  if (s == "auto") return CallMode::automatic;
  if (s == "direct") return CallMode::direct;
  if (s == "cgo") return CallMode::cgo;
  return std::nullopt;
}

bool direct_available() { return EXPRJIT_GOJIT_TRAMPOLINES != 0; }

std::string objdump_path() { return EXPRJIT_OBJDUMP; }

std::optional<std::string> direct_unsupported(const Toolchain& tc) {
  if (!direct_available()) return "this exprjit was not built for x86-64 (the direct path exists for amd64 only)";
  const std::string arch = identity_var(tc.identity, "GOARCH"), os = identity_var(tc.identity, "GOOS");
  if (arch != "amd64" || os != "linux") return tc.go + " builds for " + os + "/" + arch + ", not linux/amd64";
  const std::optional<int> minor = go_minor_version(tc.version);
  bool verified = false;
  std::string list;
  for (int v : kDirectVerifiedGo) {
    verified = verified || (minor && *minor == v);
    list += (list.empty() ? "go1." : ", go1.") + std::to_string(v);
  }
  if (!verified) return tc.version + " is not among the Go versions the direct path was verified on (" + list + ")";
  if (const std::string ex = identity_var(tc.identity, "GOEXPERIMENT"); !ex.empty())
    return "GOEXPERIMENT=" + ex + " changes code generation, and the direct path was verified without it";
  const std::string objdump = objdump_path();
  if (objdump.empty()) return "no objdump (GNU binutils) was found when exprjit was built; it vets the code";
  if (::access(objdump.c_str(), X_OK) != 0) return objdump + " (GNU objdump, which vets the code) is missing";
  return std::nullopt;
}

std::string probe_disagreement_row(const LoaderApi& api, const GoFunction& fn, std::size_t nslots, Trampoline t) {
  const auto cols = probe_columns(nslots);
  std::vector<double> row(nslots + 1);
  for (std::size_t r = 0; r < kProbeRows; ++r) {
    for (std::size_t s = 0; s < nslots; ++s) row[s] = cols[s][r];
    double cgo = 0;
    if (api.call(fn.id, row.data(), &cgo) != 0) return "the cgo call panicked on probe row " + std::to_string(r);
    const double direct = call_row(t, fn.entry, row.data());
    if (std::bit_cast<std::uint64_t>(cgo) != std::bit_cast<std::uint64_t>(direct)) return describe(r, cgo, direct);
  }
  return "";
}

std::string probe_disagreement_batch(const LoaderApi& api, const GoFunction& fn, std::size_t nslots) {
  auto cols = probe_columns(nslots);
  std::vector<const double*> ptrs;
  for (auto& c : cols) ptrs.push_back(c.data());
  std::vector<double> cgo(kProbeRows), direct(kProbeRows, 0.125);
  if (api.batch(fn.id, const_cast<double**>(ptrs.data()), kProbeRows, cgo.data()) != 0)
    return "the cgo batch call panicked on the probe rows";
  exprjit_gojit_call_batch(fn.entry, ptrs.data(), direct.data(), kProbeRows);
  for (std::size_t r = 0; r < kProbeRows; ++r)
    if (std::bit_cast<std::uint64_t>(cgo[r]) != std::bit_cast<std::uint64_t>(direct[r]))
      return "batch " + describe(r, cgo[r], direct[r]);
  return "";
}

}  // namespace exprjit::gojit
