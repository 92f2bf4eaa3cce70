// build.hpp — `go build` of one Go package into a shared object, through the cache.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/backend.hpp"
#include "backends/gojit/build/cache.hpp"
#include "backends/gojit/build/toolchain.hpp"

namespace exprjit::gojit {

struct BuildSettings {
  const Toolchain* toolchain = nullptr;
  const Cache* cache = nullptr;
  std::vector<std::string> go_flags;  // extra `go build` flags (before ours)
  double timeout_s = 120;
  bool keep_temps = false;
  Log* log = nullptr;
  std::vector<int> cancel_fds;  // a build stops when one is readable (Cancel::fd), throwing Cancelled
};

// What a build is: the cache kind and key, the Go module path, the package's files, the mode.
struct BuildJob {
  CacheKind kind = CacheKind::plugin;
  CacheKey key;
  std::string module;  // the go.mod module path; for a plugin it is Go's plugin path
  std::vector<std::pair<std::string, std::string>> files;  // name, contents (a package's .go files)
  std::string buildmode;  // "plugin" or "c-shared"
  std::string what;       // for messages: "the Go loader", "the plugin"
};

struct BuildResult {
  CacheFile so;
  bool cache_hit = false;
  double go_build_s = 0;  // 0 on a cache hit
};

// Returns the verified cached .so for job.key, or writes the files and a go.mod into a
// private temporary directory, runs `go build` there and stores the result in the cache.
// Throws std::runtime_error with Go's own error output when the build fails or times out,
// Cancelled when a cancel descriptor became readable (its processes are dead and its
// directory removed by then).  One build per key at a time, across processes: a build holds
// an flock on <root>/locks/<key>.lock and looks the key up again once it has it.
BuildResult build_or_reuse(const BuildSettings& s, const BuildJob& job);
// The second half of build_or_reuse: always builds (the caller looked the key up).
BuildResult build_into_cache(const BuildSettings& s, const BuildJob& job);

// The part of a cache key that depends on the toolchain and the flags.
std::string toolchain_key_part(const Toolchain& tc, const std::vector<std::string>& go_flags);

}  // namespace exprjit::gojit
