// toolchain.hpp — finding the Go toolchain, the environment `go` runs in, and the
// toolchain's identity (which every cache key and the loader depend on).
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "backends/gojit/cachedir.hpp"
#include "backends/gojit/process.hpp"

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
std::optional<int> go_minor_version(const std::string& goversion);

// The environment every `go` command runs in (docs/jit.md): no network, no toolchain
// switching, no user-wide go env file or GOFLAGS, cgo on, GOCACHE defaulting to
// <cache>/go-build when the environment has none.
Environment go_environment(const Environment& base, const Cache& cache);
// The variables go_environment sets, for --verbose command lines.
const std::vector<std::string>& go_env_names();

struct Toolchain {
  std::string go;        // absolute path
  std::string version;   // go1.23.5
  std::string identity;  // `go env` answers that decide binary compatibility
  Environment env;       // to run it in
  bool identity_cached = false;
};

// Finds and asks the toolchain (`go env ...`, remembered in <cache>/toolchains keyed by the
// go binary's path, inode, size and times and the GO*/CGO_* environment).  Throws
// std::runtime_error("the jit backend needs a Go toolchain (>= 1.19): ...") when none works.
Toolchain probe_toolchain(const std::string& opt_go, const Cache& cache, double timeout_s, std::ostream* verbose);

}  // namespace exprjit::gojit
