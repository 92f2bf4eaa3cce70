// build.hpp — `go build` of one Go file into a shared object, through the cache.
#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "backends/gojit/cachedir.hpp"
#include "backends/gojit/toolchain.hpp"

namespace exprjit::gojit {

struct BuildSettings {
  const Toolchain* toolchain = nullptr;
  const Cache* cache = nullptr;
  std::vector<std::string> go_flags;  // extra `go build` flags (before ours)
  double timeout_s = 120;
  bool keep_temps = false;
  std::ostream* verbose = nullptr;
  std::function<void(std::string_view)> status;
};

// What a build is: cache kind ("plugins", "loader"), key, Go module path, source, mode.
struct BuildJob {
  std::string kind;
  std::string key;
  std::string module;     // the go.mod module path; for a plugin it is Go's plugin path
  std::string source;     // the single .go file
  std::string buildmode;  // "plugin" or "c-shared"
  std::string what;       // for messages: "the Go loader", "the plugin"
};

struct BuildResult {
  std::string so_path;
  bool cache_hit = false;
  double go_build_s = 0;  // 0 on a cache hit
};

// Returns the verified cached .so for job.key, or writes the source and a go.mod into a
// private temporary directory, runs `go build` there and stores the result in the cache.
// Throws std::runtime_error with Go's own error output when the build fails or times out.
BuildResult build_or_reuse(const BuildSettings& s, const BuildJob& job);
// The second half of build_or_reuse: always builds (the caller looked the key up).
BuildResult build_into_cache(const BuildSettings& s, const BuildJob& job);

// The part of a cache key that depends on the toolchain and the flags.
std::string toolchain_key_part(const Toolchain& tc, const std::vector<std::string>& go_flags);

}  // namespace exprjit::gojit
