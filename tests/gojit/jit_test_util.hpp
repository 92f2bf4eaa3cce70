// jit_test_util.hpp — helpers for the Go JIT tests: private directories, fake toolchains,
// ulp distances, and the test process's own cache and GOCACHE.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
#include "backends/gojit/build/cache.hpp"
#include "backends/gojit/build/process.hpp"
#include "tests/common/common.hpp"

namespace exprjit::test {

// The meson build directory of tests/gojit (GOJIT_TEST_BUILD_DIR).
std::string gojit_build_dir();

// Makes this process use a private EXPRJIT_CACHE_DIR (created under the build directory,
// removed at exit) and, unless the environment has one, a GOCACHE shared by all jit tests
// under the build directory (warm after the first run).  Idempotent; returns the cache dir.
const std::string& jit_test_env();

// A private directory under the build directory, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The real Go toolchain the jit would pick (throws if none).
std::string real_go();

// Writes an executable /bin/sh script.
std::string write_script(const std::string& dir, const std::string& name, const std::string& body);

// Lines of a file containing needle (0 when the file does not exist).
int count_lines_with(const std::string& path, std::string_view needle);

// Distance in units in the last place: 0 for equal bits or two NaNs, UINT64_MAX when only
// one is NaN; infinities count as the next values after the largest finite ones.
std::uint64_t ulp_distance(double a, double b);

// A jit backend for this test process (after jit_test_env()), with the vm as its fallback.
TestBackend jit(BackendOptions o = {});

// What the options' log received, line by line (detail and status).
struct CapturedLog final : Log {
  std::string text;
  bool wants_detail() const override { return true; }
  void detail(std::string_view line) override { text.append(line).append("\n"); }
  void status(std::string_view line) override { text.append(line).append("\n"); }
};
BackendOptions logged(CapturedLog& log, JitCall call = JitCall::automatic);

// A plugin built from hand-written Go (as the package's one file, with the jit's helpers
// beside it), in the test's cache; for the vetter and loader tests.
struct HandPlugin {
  gojit::CacheKey key;
  std::string module;
  gojit::CacheFile so;
};
HandPlugin build_hand_plugin(const std::string& source);

// The cache and toolchain of this test process.
const gojit::Cache& test_cache();

// A process-unique number, so that an expression containing it is new to the cache.
std::string unique_number();

// Runs gojit_probe (a second process) with the given arguments and cache directory.
gojit::RunResult probe(const std::vector<std::string>& args, const std::string& cache_dir);

// A `go` in dir that appends each invocation's arguments to log and runs the real one.
std::string logging_go(const std::string& dir, const std::string& log);

// The exprjit program (GOJIT_EXPRJIT, for the test programs that have it) with args, in this
// environment; a hang guard of 600 s.
#ifdef GOJIT_EXPRJIT
inline gojit::RunResult run_exprjit(const std::vector<std::string>& args) {
  gojit::RunRequest req;
  req.argv = {GOJIT_EXPRJIT};
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.env = gojit::Environment::current();
  req.timeout_s = 600;
  return gojit::run_process(req);
}
#endif

// The message of the exception f throws, or "(no exception)".
std::string what_of(const std::function<void()>& f);

}  // namespace exprjit::test
