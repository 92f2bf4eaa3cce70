// fault_util.hpp — helpers shared by test_jit_faults.cpp and test_jit_foreign.cpp: running
// the `exprjit` program (plain or in a private mount namespace), and looking into a jit
// cache directory from outside.
#pragma once
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "backends/gojit/build/cache.hpp"
#include "backends/gojit/build/process.hpp"
#include "backends/gojit/build/sha256.hpp"
#include "backends/gojit/files.hpp"
#include "backends/gojit/inspect/goinfo.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

namespace exprjit::test::faults {

using gojit::RunResult;
using gojit::shell_quote;
namespace fs = std::filesystem;

inline RunResult run(const std::vector<std::string>& argv,
                     const std::vector<std::pair<std::string, std::string>>& env = {},
                     const std::vector<std::string>& unset = {}) {
  test::jit_test_env();  // EXPRJIT_CACHE_DIR and the shared GOCACHE, unless overridden
  gojit::RunRequest req;
  req.argv = argv;
  req.env = gojit::Environment::current();
  for (const auto& [k, v] : env) req.env.set(k, v);
  for (const std::string& k : unset) req.env.unset(k);
  req.timeout_s = 600;  // a hang guard only
  return gojit::run_process(req);
}

// exprjit ARGS... with EXPRJIT_CACHE_DIR=cache.
inline RunResult cli_run(const std::string& cache, std::vector<std::string> args,
                         std::vector<std::pair<std::string, std::string>> env = {}) {
  args.insert(args.begin(), GOJIT_EXPRJIT);
  env.emplace_back("EXPRJIT_CACHE_DIR", cache);
  return run(args, env);
}

// What the VM prints for expr with a = 3: the jit must print the same.
inline std::string vm_answer(const std::string& expr) {
  RunResult r = run({GOJIT_EXPRJIT, "--backend=vm", expr, "--var", "a=3"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out;
}

inline std::string unshare_path() {
  for (const char* p : {"/usr/bin/unshare", "/bin/unshare"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// `sh -c script` in a private mount namespace.
inline RunResult in_namespace(const std::string& script,
                              const std::vector<std::pair<std::string, std::string>>& env = {},
                              const std::vector<std::string>& unset = {}) {
  return run({unshare_path(), "-m", "sh", "-ec", script}, env, unset);
}

inline std::string slurp(const std::string& path) { return fs::exists(path) ? test::read_file(path) : std::string(); }

inline std::vector<std::string> names_in(const std::string& dir, std::string_view suffix = "") {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The keys of the entries of kind in cache.
inline std::vector<std::string> keys_in(const std::string& cache, const std::string& kind) {
  std::vector<std::string> keys;
  for (std::string n : names_in(cache + "/" + kind, ".entry")) keys.push_back(n.substr(0, n.size() - 6));
  return keys;
}

// Files a crashed or careless writer would leave: temporary records, build directories.
inline std::vector<std::string> leftovers(const std::string& cache) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(cache, ec))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) out.push_back(e.path().string());
  for (const std::string& n : names_in(cache + "/tmp")) out.push_back(cache + "/tmp/" + n);
  return out;
}

inline gojit::CacheKind kind_of(const std::string& dir) {
  return dir == "loader" ? gojit::CacheKind::loader : dir == "toolchains" ? gojit::CacheKind::toolchain : gojit::CacheKind::plugin;
}

// A key as the cache names it (its hex digits) back into a CacheKey.
inline gojit::CacheKey key_from_hex(const std::string& hex) {
  std::optional<gojit::CacheKey> k = gojit::CacheKey::from_hex(hex);
  REQUIRE(k.has_value());
  return *k;
}

// The verified .so of kind/key (the cache's own lookup: size, SHA-256, Go module), or "".
inline std::string verified(const std::string& cache, const std::string& kind, const std::string& key,
                            std::string* damage) {
  std::optional<gojit::CacheFile> f = gojit::Cache(cache).lookup(kind_of(kind), key_from_hex(key), damage);
  return f ? f->path : std::string();
}

// Puts the file so under key in cache/plugins with a record that matches it (name, size,
// SHA-256): what a foreign file there looks like when nothing is damaged.
inline void plant(const std::string& so, const std::string& cache, const std::string& key) {
  const std::string dir = cache + "/plugins";
  for (const std::string& n : names_in(dir))
    if (n.rfind(key, 0) == 0) fs::remove(dir + "/" + n);
  std::uint64_t size = 0;
  const std::string hash = gojit::sha256_file_hex(so, &size);
  const std::string name = key + "-" + hash.substr(0, 16) + ".so";
  fs::copy_file(so, dir + "/" + name);
  gojit::Cache(cache).write_record(gojit::CacheKind::plugin, key + ".entry",
                                   "file " + name + "\nsha256 " + hash + "\nsize " + std::to_string(size) + "\n");
}

inline std::string so_of(const std::string& cache, const std::string& key) {
  for (const std::string& n : names_in(cache + "/plugins", ".so"))
    if (n.rfind(key, 0) == 0) return cache + "/plugins/" + n;
  return "";
}

inline std::string exprjit_module(const std::string& so) {
  std::string why;
  gojit::UniqueFd fd = gojit::open_regular(AT_FDCWD, so, &why);
  return fd ? gojit::go_exprjit_module(fd.get()) : std::string();
}

}  // namespace exprjit::test::faults
