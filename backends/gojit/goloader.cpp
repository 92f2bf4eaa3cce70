// goloader.cpp — building (through the cache), dlopen'ing and calling the Go loader.
#include "backends/gojit/goloader.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "backends/gojit/codegen.hpp"
#include "backends/gojit/goinfo.hpp"
#include "backends/gojit/sha256.hpp"

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

}  // namespace

GoHost& GoHost::instance() {
  static GoHost host;  // see goloader.hpp for why this one object is process-wide
  return host;
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
          s.toolchain->version + ", " + flags_text(s.go_flags) + ")");
    rep.path = loader_path_;
    return rep;
  }
  BuildJob job;
  job.kind = "loader";
  job.key = sha256_hex("exprjit-gojit-loader\n" + identity + "\n" + kLoaderGoSource);
  job.module = *module_path_for("loader", job.key);  // what the cache's lookup verifies
  job.source = kLoaderGoSource;
  job.buildmode = "c-shared";
  job.what = "the Go loader (once per toolchain)";
  BuildResult b = build_or_reuse(s, job);
  rep.cache_hit = b.cache_hit;
  rep.build_s = b.go_build_s;

  // What each plugin must match (open_plugin): Go aborts the whole process on a plugin of
  // another Go version, so the check must come before Go sees the file.
  std::string why;
  std::optional<GoBinaryInfo> info = read_go_binary_info(b.so_path, {"runtime"}, &why);
  if (!info) throw std::runtime_error("cannot load the Go loader " + b.so_path + ": " + why);
  if (const std::string mode = info->setting("-buildmode"); !mode.empty() && mode != "c-shared")  // Go 1.19: none
    throw std::runtime_error("cannot load the Go loader " + b.so_path + ": it is a -buildmode=" + mode + " build");
  auto rt = info->package_hashes.find("runtime");
  if (rt == info->package_hashes.end())
    throw std::runtime_error("cannot load the Go loader " + b.so_path + ": it exports no hash of package runtime");

  auto t0 = std::chrono::steady_clock::now();
  // RTLD_GLOBAL: plugin.Open needs the runtime's symbols visible (golang/go#37286).
  void* h = ::dlopen(b.so_path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!h) throw std::runtime_error("cannot load the Go loader " + b.so_path + ": " + ::dlerror());
  LoaderApi api;
  api.abi = symbol<decltype(api.abi)>(h, "ejLoaderAbi", b.so_path);
  api.open = symbol<decltype(api.open)>(h, "ejOpen", b.so_path);
  api.lookup = symbol<decltype(api.lookup)>(h, "ejLookup", b.so_path);
  api.call = symbol<decltype(api.call)>(h, "ejCall", b.so_path);
  api.batch = symbol<decltype(api.batch)>(h, "ejBatch", b.so_path);
  // The Go runtime now starts on a thread of its own; the first call into the loader (in
  // open_plugin) waits for it, so the plugin's hash check overlaps with the start.
  rep.load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  handle_ = h;
  identity_ = identity;
  loader_path_ = b.so_path;
  loader_go_ = info->go_version;
  loader_runtime_ = rt->second;
  api_ = api;
  rep.loaded_now = true;
  rep.path = b.so_path;
  return rep;
}

std::optional<int> GoHost::find_plugin(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = plugins_.find(key);
  if (it == plugins_.end()) return std::nullopt;
  return it->second.first;
}

std::string GoHost::plugin_path(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = plugins_.find(key);
  return it == plugins_.end() ? std::string() : it->second.second;
}

int GoHost::open_plugin(const std::string& key, const std::string& path, const std::string& manifest) {
  std::lock_guard lock(mu_);
  if (auto it = plugins_.find(key); it != plugins_.end()) return it->second.first;  // never twice
  if (!handle_) throw std::logic_error("open_plugin before ensure_loader");
  if (!abi_checked_) {
    if (int v = api_.abi(); v != kAbiVersion)
      throw std::runtime_error("the Go loader " + loader_path_ + " speaks ABI " + std::to_string(v) + ", not " +
                               std::to_string(kAbiVersion));
    abi_checked_ = true;
  }
  // Checked before Go sees the file: the Go runtime aborts the whole process ("runtime: no
  // plugin module data") on a plugin of another Go version.  Go itself compares the same
  // package hash later, and only returns an error for it if it gets that far.
  std::string why;
  std::optional<GoBinaryInfo> info = read_go_binary_info(path, {"runtime"}, &why);
  if (!info) throw std::runtime_error("refusing to open " + path + " as a Go plugin: " + why);
  if (const std::string mode = info->setting("-buildmode"); !mode.empty() && mode != "plugin")
    throw std::runtime_error("refusing to open " + path + " as a Go plugin: it is a -buildmode=" + mode + " build");
  auto rt = info->package_hashes.find("runtime");
  if (rt == info->package_hashes.end() || rt->second != loader_runtime_) {
    const std::string& v = info->go_version;
    const std::string which = v.empty()      ? "the plugin's from another toolchain, the loader's from " + loader_go_
                              : v == loader_go_ ? "both " + v + ", built with other flags"
                                                : "the plugin's " + v + ", the loader's " + loader_go_;
    throw std::runtime_error("refusing to open the Go plugin " + path +
                             ": its Go runtime differs from this process's Go loader's (" + which +
                             "), and Go may abort the whole process on such a plugin; remove the file, or the jit "
                             "cache, to rebuild it");
  }
  char err[kErrLen] = "";
  int id = api_.open(const_cast<char*>(path.c_str()), const_cast<char*>(manifest.c_str()), err, sizeof err);
  if (id < 0) throw std::runtime_error("cannot open the Go plugin " + path + ": " + err);
  plugins_.emplace(key, std::make_pair(id, path));
  return id;
}

GoFunction GoHost::lookup(int plugin, const std::string& name, FnKind kind) {
  std::lock_guard lock(mu_);
  char err[kErrLen] = "";
  GoFunction f;
  f.id = api_.lookup(plugin, const_cast<char*>(name.c_str()), static_cast<int>(kind), &f.entry, err, sizeof err);
  if (f.id < 0) throw std::runtime_error("the Go plugin does not provide " + name + " as expected: " + err);
  return f;
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
    std::size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (plugin_paths.count(path)) st.plugin_bytes += hi - lo;
    else if (path == loader) st.loader_bytes += hi - lo;
  }
  return st;
}

}  // namespace exprjit::gojit
