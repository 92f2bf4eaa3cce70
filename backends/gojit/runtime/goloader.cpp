// goloader.cpp — building (through the cache), dlopen'ing and calling the Go loader.
#include "backends/gojit/runtime/goloader.hpp"

#include <dlfcn.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "backends/gojit/files.hpp"
#include "backends/gojit/inspect/goinfo.hpp"

namespace exprjit::gojit {
namespace {

constexpr std::size_t kErrLen = 2048;

template <class F>
F symbol(void* h, const char* name, const std::string& path) {
  void* p = ::dlsym(h, name);
  if (!p) throw std::runtime_error("the Go loader " + path + " lacks " + name);
  return reinterpret_cast<F>(p);
}

std::string flags_text(const std::vector<std::string>& flags) {
  std::string s;
  for (const std::string& f : flags) {
    if (!s.empty()) s += ' ';
    s += shell_quote(f);
  }
  return s.empty() ? "no extra flags" : "flags " + s;
}

// While the Go runtime starts (dlopen runs its initialisation, which starts its threads):
// every asynchronous signal blocked on this thread, so that the threads Go creates inherit
// the mask and never take a signal meant for the host (a SIGINT the REPL blocks outside its
// wait would otherwise run the host's handler on a Go thread at once).  Synchronous signals
// stay open (they are Go's and the host's faults alike).  Afterwards the host's SIGURG
// handler, if it had one, is put back: Go installs its own for preempting goroutines and
// would otherwise swallow every SIGURG meant for the host (docs/api.md, "Signals").
class QuietStart {
 public:
  QuietStart() {
    sigset_t all;
    sigfillset(&all);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) sigdelset(&all, s);
    pthread_sigmask(SIG_BLOCK, &all, &saved_mask_);
    sigaction(SIGURG, nullptr, &urg_);
  }
  ~QuietStart() {
    if (urg_.sa_handler != SIG_DFL && urg_.sa_handler != SIG_IGN) sigaction(SIGURG, &urg_, nullptr);
    pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
  }

 private:
  sigset_t saved_mask_;
  struct sigaction urg_ {};
};

}  // namespace

GoHost& GoHost::instance() {
  // See goloader.hpp for why this one object is process-wide.  Never destroyed, like the Go
  // runtime it fronts: a background build (backends/auto) may still use it while static
  // objects are destroyed at exit.
  static GoHost* host = new GoHost;
  return *host;
}

GoHost::LoaderReport GoHost::ensure_loader(const BuildSettings& s) {
  std::lock_guard lock(mu_);
  const std::string identity = toolchain_key_part(*s.toolchain, s.go_flags);
  LoaderReport rep;
  if (handle_) {
    if (identity != identity_)
      throw std::runtime_error(
          "this process already runs the Go loader of another toolchain or other go build flags (" + loader_path_ +
          "); Go cannot host a second runtime, so one process uses one toolchain and one set of flags (now: " +
          s.toolchain->version() + ", " + flags_text(s.go_flags) + ")");
    rep.path = loader_path_;
    return rep;
  }
  BuildJob job;
  job.kind = CacheKind::loader;
  job.key = CacheKey::of("exprjit-gojit-loader", identity + "\n" + kLoaderGoSource);
  job.module = job.key.module_path(CacheKind::loader);  // what the cache's lookup verifies
  job.files = {{"loader.go", kLoaderGoSource}};
  job.buildmode = "c-shared";
  job.what = "the Go loader (once per toolchain)";
  BuildResult b = build_or_reuse(s, job);
  rep.cache_hit = b.cache_hit;
  rep.build_s = b.go_build_s;

  // What each plugin must match (open_plugin): Go aborts the whole process on a plugin of
  // another Go version, so the check must come before Go sees the file.
  std::string why;
  std::optional<GoBinaryInfo> info = read_go_binary_info(b.so.fd.get(), {"runtime"}, &why);
  if (!info) throw std::runtime_error("cannot load the Go loader " + b.so.path + ": " + why);
  if (const std::string mode = info->setting("-buildmode"); !mode.empty() && mode != "c-shared")  // Go 1.19: none
    throw std::runtime_error("cannot load the Go loader " + b.so.path + ": it is a -buildmode=" + mode + " build");
  auto rt = info->package_hashes.find("runtime");
  if (rt == info->package_hashes.end())
    throw std::runtime_error("cannot load the Go loader " + b.so.path + ": it exports no hash of package runtime");

  auto t0 = std::chrono::steady_clock::now();
  void* h = nullptr;
  {
    QuietStart quiet;
    // RTLD_GLOBAL: plugin.Open needs the runtime's symbols visible (golang/go#37286).  By
    // its descriptor: the bytes verified are the bytes loaded.
    h = ::dlopen(fd_path(b.so.fd.get()).c_str(), RTLD_NOW | RTLD_GLOBAL);
    // The runtime starts on a thread of its own after dlopen returns: wait for it here,
    // signals still blocked, or it would install its handlers after QuietStart restored
    // the host's (seen in a fresh process: the host's SIGURG handler lost).
    if (h) symbol<int (*)()>(h, "ejReady", b.so.path)();
  }
  if (!h) throw std::runtime_error("cannot load the Go loader " + b.so.path + ": " + ::dlerror());
  LoaderApi api;
  api.open = symbol<decltype(api.open)>(h, "ejOpen", b.so.path);
  api.lookup = symbol<decltype(api.lookup)>(h, "ejLookup", b.so.path);
  rep.load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  handle_ = h;
  identity_ = identity;
  loader_path_ = b.so.path;
  loader_go_ = info->go_version;
  loader_runtime_ = rt->second;
  api_ = api;
  rep.loaded_now = true;
  rep.path = b.so.path;
  return rep;
}

std::optional<int> GoHost::find_plugin(const CacheKey& key) const {
  std::lock_guard lock(mu_);
  auto it = plugins_.find(key.hex());
  if (it == plugins_.end()) return std::nullopt;
  return it->second.first;
}

std::string GoHost::plugin_path(const CacheKey& key) const {
  std::lock_guard lock(mu_);
  auto it = plugins_.find(key.hex());
  return it == plugins_.end() ? std::string() : it->second.second;
}

int GoHost::open_plugin(const CacheKey& key, const CacheFile& so, const std::string& manifest) {
  std::lock_guard lock(mu_);
  if (auto it = plugins_.find(key.hex()); it != plugins_.end()) return it->second.first;  // never twice
  if (!handle_) throw std::logic_error("open_plugin before ensure_loader");
  // Checked before Go sees the file: the Go runtime aborts the whole process ("runtime: no
  // plugin module data") on a plugin of another Go version.  Go itself compares the same
  // package hash later, and only returns an error for it if it gets that far.
  std::string why;
  std::optional<GoBinaryInfo> info = read_go_binary_info(so.fd.get(), {"runtime"}, &why);
  if (!info) throw std::runtime_error("refusing to open " + so.path + " as a Go plugin: " + why);
  if (const std::string mode = info->setting("-buildmode"); !mode.empty() && mode != "plugin")
    throw std::runtime_error("refusing to open " + so.path + " as a Go plugin: it is a -buildmode=" + mode + " build");
  auto rt = info->package_hashes.find("runtime");
  if (rt == info->package_hashes.end() || rt->second != loader_runtime_) {
    const std::string& v = info->go_version;
    const std::string which = v.empty()        ? "the plugin's from another toolchain, the loader's from " + loader_go_
                              : v == loader_go_ ? "both " + v + ", built with other flags"
                                                : "the plugin's " + v + ", the loader's " + loader_go_;
    throw ForeignPlugin("refusing to open the Go plugin " + so.path +
                             ": its Go runtime differs from this process's Go loader's (" + which +
                             "), and Go may abort the whole process on such a plugin");
  }
  char err[kErrLen] = "";
  std::string path = fd_path(so.fd.get());
  int id = api_.open(path.data(), const_cast<char*>(manifest.c_str()), err, sizeof err);
  if (id < 0) throw std::runtime_error("cannot open the Go plugin " + so.path + ": " + err);
  plugins_.emplace(key.hex(), std::make_pair(id, so.path));
  return id;
}

std::uintptr_t GoHost::lookup(int plugin, EntryKind kind, std::size_t expr) {
  std::lock_guard lock(mu_);
  char err[kErrLen] = "";
  std::string name = entry_name(kind, expr);
  std::uintptr_t entry = 0;
  if (api_.lookup(plugin, name.data(), static_cast<int>(kind), &entry, err, sizeof err) < 0 || entry == 0)
    throw std::runtime_error("the Go plugin does not provide " + name + " as expected: " + err);
  return entry;
}

GoHost::Stats GoHost::stats() const {
  std::set<std::string> plugin_paths;
  std::string loader;
  {
    std::lock_guard lock(mu_);
    std::error_code ec;  // /proc/self/maps shows canonical paths
    for (const auto& [key, p] : plugins_) plugin_paths.insert(std::filesystem::weakly_canonical(p.second, ec).string());
    loader = std::filesystem::weakly_canonical(loader_path_, ec).string();
  }
  Stats st;
  st.plugins = plugin_paths.size();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // start-end perms offset dev inode   pathname
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx", &lo, &hi) != 2) continue;
    const std::size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (plugin_paths.count(path)) st.plugin_bytes += hi - lo;
    else if (path == loader) st.loader_bytes += hi - lo;
  }
  return st;
}

}  // namespace exprjit::gojit
