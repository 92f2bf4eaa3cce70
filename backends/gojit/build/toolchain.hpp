// toolchain.hpp — finding the Go toolchain, the environment `go` runs in, and the
// toolchain's identity (which every cache key and the loader depend on).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/backend.hpp"
#include "backends/gojit/build/cache.hpp"
#include "backends/gojit/build/process.hpp"

namespace exprjit::gojit {

// The Go 1.23 install the bootstrap provides (Debian's golang-1.23-go).
inline constexpr const char* kPreferredGo = "/usr/lib/go-1.23/bin/go";
inline constexpr int kMinGoMinor = 19;  // Go >= 1.19

// Where the toolchain comes from: --go=PATH, then $EXPRJIT_GO, then kPreferredGo, then `go`
// on $PATH.  An explicit choice (--go, EXPRJIT_GO) that does not work is an error, not a
// reason to look further.  Returns the path, or nullopt with *tried describing each try.
std::optional<std::string> find_go(const std::string& opt_go, const Environment& env, std::string* tried,
                                   const std::string& preferred = kPreferredGo);

// "go1.23.5" -> 23 (the minor version of Go 1.x); nullopt when it is not a go1.N version.
std::optional<int> go_minor_version(std::string_view goversion);

// The environment every `go` command runs in (docs/jit.md): no network, no toolchain
// switching, no user-wide go env file or GOFLAGS, cgo on, GOCACHE defaulting to
// <cache>/go-build when the environment has none and Go's own default is not usable.  A
// GOCACHE must pass the cache's trust rules (cache.hpp: owned by you, not writable by
// others, nor any ancestor): a compiled package planted there would be linked into plugins.
// Throws std::runtime_error saying why a GOCACHE is refused.
Environment go_environment(const Environment& base, const Cache& cache);
// The variables go_environment sets, for --verbose command lines.
const std::vector<std::string>& go_env_names();

// What `go env` says about the variables that decide binary compatibility ("plugin was built
// with a different version of package"), in a fixed order.
class ToolchainIdentity {
 public:
  static const std::vector<std::string_view>& names();  // GOVERSION, GOROOT, GOARCH, ...
  // From `go env NAME...` output (one value per line, in names() order).
  static std::optional<ToolchainIdentity> from_go_env(std::string_view output);
  // From text() (a cached record); nullopt when it is not one.
  static std::optional<ToolchainIdentity> parse(std::string_view text);
  std::string text() const;  // "NAME=value\n" per variable: part of every cache key
  const std::string& get(std::string_view name) const;  // "" for a name not in names()
  const std::string& version() const { return get("GOVERSION"); }

 private:
  template <class F>
  static std::optional<ToolchainIdentity> read_lines(std::string_view text, bool whole, F value);
  std::vector<std::pair<std::string, std::string>> vars_;
};

struct Toolchain {
  std::string go;              // absolute path
  ToolchainIdentity identity;
  Environment env;             // to run it in
  bool identity_cached = false;
  const std::string& version() const { return identity.version(); }
};

// Finds and asks the toolchain.  `go env` answers are remembered in <cache>/toolchains,
// keyed by the go binary's path, inode, size and times and the GO*/CGO_* environment — but
// only when the go found is an executable (ELF) file: a version-switching shim script
// (asdf, mise) answers differently at the same path and times, so it is asked every time.
// Throws std::runtime_error("the jit backend needs a Go toolchain (>= 1.19): ...") when none
// works.
Toolchain probe_toolchain(const std::string& opt_go, const Cache& cache, double timeout_s, Log& log);

}  // namespace exprjit::gojit
