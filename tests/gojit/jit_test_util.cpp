// jit_test_util.cpp — see jit_test_util.hpp.
#include "tests/gojit/jit_test_util.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

#include "backends/gojit/build/build.hpp"
#include "backends/gojit/build/toolchain.hpp"
#include "backends/gojit/emit/codegen.hpp"
#include "backends/gojit/runtime/goloader.hpp"

namespace exprjit::test {
namespace {
namespace fs = std::filesystem;

std::string make_dir(std::string_view prefix) {
  std::string base = gojit_build_dir() + "/scratch";
  ::mkdir(base.c_str(), 0700);
  std::string tmpl = base + "/" + std::string(prefix) + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + tmpl + " failed");
  return buf.data();
}
}  // namespace

std::string gojit_build_dir() { return GOJIT_TEST_BUILD_DIR; }

ScratchDir::ScratchDir(std::string_view prefix) : path_(make_dir(prefix)) {}
ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

const std::string& jit_test_env() {
  static const ScratchDir cache("cache-");  // removed at exit
  static const bool done = [] {
    ::setenv("EXPRJIT_CACHE_DIR", cache.path().c_str(), 1);
    const char* gc = std::getenv("GOCACHE");
    if (!gc || !*gc) {
      std::string shared = gojit_build_dir() + "/gocache";
      ::mkdir(shared.c_str(), 0700);
      ::setenv("GOCACHE", shared.c_str(), 1);
    }
    return true;
  }();
  (void)done;
  return cache.path();
}

std::string real_go() {
  std::string tried;
  auto go = gojit::find_go("", gojit::Environment::current(), &tried);
  if (!go) throw std::runtime_error("no Go toolchain for the jit tests: " + tried);
  return *go;
}

std::string write_script(const std::string& dir, const std::string& name, const std::string& body) {
  std::string path = dir + "/" + name;
  {
    std::ofstream f(path, std::ios::binary);
    f << "#!/bin/sh\n" << body;
  }
  ::chmod(path.c_str(), 0755);
  return path;
}

int count_lines_with(const std::string& path, std::string_view needle) {
  std::ifstream f(path);
  int n = 0;
  for (std::string line; std::getline(f, line);)
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

std::uint64_t ulp_distance(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : UINT64_MAX;
  // Map the bits onto a line on which neighbouring doubles are neighbouring integers.
  auto ord = [](double v) {
    std::int64_t i = std::bit_cast<std::int64_t>(v);
    return i < 0 ? -(i & std::numeric_limits<std::int64_t>::max()) - 1 : i;  // -0 -> -1, +0 -> 0
  };
  std::int64_t x = ord(a), y = ord(b);
  return x > y ? static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y)
               : static_cast<std::uint64_t>(y) - static_cast<std::uint64_t>(x);
}

TestBackend jit(BackendOptions o) {
  jit_test_env();
  return make_backend("jit", std::move(o));
}

BackendOptions logged(CapturedLog& log, JitCall call) {
  BackendOptions o;
  o.log = &log;
  o.jit_call = call;
  return o;
}

const gojit::Cache& test_cache() {
  static const gojit::Cache cache(jit_test_env());
  return cache;
}

HandPlugin build_hand_plugin(const std::string& source) {
  using namespace gojit;
  static Log quiet;
  static const Toolchain tc = probe_toolchain("", test_cache(), 120, quiet);
  BuildSettings s;
  s.toolchain = &tc;
  s.cache = &test_cache();
  s.log = &quiet;
  GoHost::instance().ensure_loader(s);
  BuildJob job;
  job.kind = CacheKind::plugin;
  job.key = CacheKey::of("hand-written", source + unique_number());
  job.module = job.key.module_path(CacheKind::plugin);
  job.files = {{"exprjit.go", source}, {"helpers.go", kHelpersGo}};
  job.buildmode = "plugin";
  job.what = "a hand-written plugin";
  BuildResult b = build_or_reuse(s, job);
  return HandPlugin{job.key, job.module, std::move(b.so)};
}

std::string unique_number() {
  static std::atomic<int> n{0};
  auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(::getpid()) + "." + std::to_string(t % 1000000) + std::to_string(n++);
}

gojit::RunResult probe(const std::vector<std::string>& args, const std::string& cache_dir) {
  gojit::RunRequest req;
  req.argv = {GOJIT_PROBE};
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.env = gojit::Environment::current();
  req.env.set("EXPRJIT_CACHE_DIR", cache_dir);
  req.timeout_s = 600;
  return gojit::run_process(req);
}

std::string logging_go(const std::string& dir, const std::string& log) {
  return write_script(dir, "go", "echo \"$*\" >> '" + log + "'\nexec '" + real_go() + "' \"$@\"\n");
}

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace exprjit::test
