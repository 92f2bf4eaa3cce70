// goloader.hpp — this process's Go runtime: the c-shared Go loader (loader/loader.go),
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
#include <string>

#include "backends/gojit/build.hpp"

namespace exprjit::gojit {

// The C functions the loader exports; see the calling convention in loader/loader.go.
struct LoaderApi {
  int (*abi)() = nullptr;
  int (*open)(char* path, char* manifest, char* err, std::size_t errlen) = nullptr;
  int (*lookup)(int plugin, char* name, int kind, std::uintptr_t* entry, char* err, std::size_t errlen) = nullptr;
  int (*call)(int fn, double* vars, double* out) = nullptr;
  int (*batch)(int fn, double** cols, std::size_t n, double* out) = nullptr;
};

// func(_, _, _ uintptr, vp unsafe.Pointer) float64 (one row), func(cols, out unsafe.Pointer, n int) (batch)
enum class FnKind : int { row = 0, batch = 1 };

// A looked-up function: its id for the loader's ejCall/ejBatch (the cgo path) and its
// machine-code entry in Go's internal ABI (the direct path, direct.hpp).
struct GoFunction {
  int id = -1;
  std::uintptr_t entry = 0;
};

// The loader's Go source (embedded at build time from loader/loader.go).
extern const char kLoaderGoSource[];

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
  // other flags is already loaded (Go cannot host two runtimes).
  LoaderReport ensure_loader(const BuildSettings& s);

  // The plugin id of key when this process has already opened it.
  std::optional<int> find_plugin(const std::string& key) const;
  // The file the plugin of key was opened from ("" when not opened).
  std::string plugin_path(const std::string& key) const;
  // Opens the verified plugin file of key (once per process) and checks its manifest.
  int open_plugin(const std::string& key, const std::string& path, const std::string& manifest);
  // The function name, whose Go type must be exactly kind's; throws otherwise.
  GoFunction lookup(int plugin, const std::string& name, FnKind kind);

  const LoaderApi& api() const { return api_; }  // immutable once the loader is loaded

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
  bool abi_checked_ = false;
  LoaderApi api_;
  std::map<std::string, std::pair<int, std::string>> plugins_;  // key -> (id, path)
};

}  // namespace exprjit::gojit
