// goloader.hpp — this process's Go runtime: the c-shared Go loader (runtime/loader.go),
// loaded lazily with RTLD_GLOBAL, and the plugins opened through it.
//
// This is the jit's only process-wide state, and it has to be: a process can host one Go
// runtime, Go's plugin table is itself process-wide, and plugins can never be unloaded
// (golang/go#20461).  Everything here is guarded by one mutex, and nothing is ever freed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "backends/gojit/abi.hpp"
#include "backends/gojit/build/build.hpp"

namespace exprjit::gojit {

// The C functions the loader exports; see the calling convention in runtime/loader.go.
struct LoaderApi {
  int (*open)(char* path, char* manifest, char* err, std::size_t errlen) = nullptr;
  int (*lookup)(int plugin, char* name, int kind, std::uintptr_t* entry, char* err, std::size_t errlen) = nullptr;
};

// The loader's Go source (embedded at build time from runtime/loader.go).
extern const char kLoaderGoSource[];

// A plugin file whose Go runtime is not the loader's (another toolchain or other flags):
// Go would abort the process on it, so it is never handed to Go.  A cached one is foreign
// to its key, and the backend removes and rebuilds it; a fresh build that is still foreign
// (a toolchain that lies about its identity) is an error.
struct ForeignPlugin : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class GoHost {
 public:
  static GoHost& instance();  // the process's one host

  struct LoaderReport {
    bool loaded_now = false;  // false: this process already had it
    bool cache_hit = false;
    double build_s = 0, load_s = 0;
    std::string path;
  };
  // Makes sure the loader built by s's toolchain and flags runs in this process, building
  // it into the cache first if needed.  Throws if a loader of another toolchain identity or
  // other flags is already loaded (Go cannot host two runtimes).  The Go runtime's threads
  // start with every asynchronous signal blocked (they take none meant for the host), and a
  // SIGURG handler the host had installed is put back after Go installs its own.
  LoaderReport ensure_loader(const BuildSettings& s);

  // Whether this process has opened the plugin of key (and under which file).
  std::optional<int> find_plugin(const CacheKey& key) const;
  // Opens the verified plugin file of key (once per process) and checks its manifest.  The
  // file is opened by its descriptor (/proc/self/fd/N), the one it was verified through.
  // Throws ForeignPlugin for a file of another Go runtime, before Go sees it.
  int open_plugin(const CacheKey& key, const CacheFile& so, const std::string& manifest);
  // The entry point of kind, whose Go type must be exactly the kind's; throws otherwise.
  std::uintptr_t lookup(int plugin, EntryKind kind, std::size_t expr);
  // The file a plugin was opened from.
  std::string plugin_path(const CacheKey& key) const;

  struct Stats {
    std::size_t plugins = 0;
    std::uint64_t plugin_bytes = 0;  // mapped by the plugins (from /proc/self/maps)
    std::uint64_t loader_bytes = 0;  // mapped by the loader
  };
  Stats stats() const;

 private:
  GoHost() = default;
  mutable std::mutex mu_;
  void* handle_ = nullptr;
  std::string identity_;  // toolchain_key_part of the loaded loader
  std::string loader_path_;
  std::string loader_go_;       // the loader's Go version (its build information)
  std::string loader_runtime_;  // its hash of package runtime, which every plugin's must equal
  LoaderApi api_;
  std::map<std::string, std::pair<int, std::string>> plugins_;  // key -> (id, path)
};

}  // namespace exprjit::gojit
