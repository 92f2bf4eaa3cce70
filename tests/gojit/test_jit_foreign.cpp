// test_jit_foreign.cpp — what the Go JIT's cache holds when more than this process writes
// it (issue 7): entries of the Go kinds must be Go builds of their key; two processes
// building the same expressions into one fresh cache at once both succeed and leave whole,
// verified entries; a plugin of another toolchain, of another expression or with another
// Go runtime planted under a key, with a matching record, is rebuilt or refused with a
// clear error — never loaded (Go aborts the process on a plugin of another Go version, and
// another expression's plugin would silently give its answers).  Mostly through the
// `exprjit` program, as in test_jit_faults.cpp.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backends/gojit/emit/codegen.hpp"
#include "backends/gojit/runtime/goloader.hpp"
#include "tests/gojit/fault_util.hpp"

using namespace exprjit;
using namespace exprjit::test::faults;
using test::unique_number;

TEST_CASE("jit faults: a plugin or loader entry must be a Go build of its key, whatever its record says") {
  test::ScratchDir scratch("kinds-");
  gojit::Cache cache(scratch.path() + "/c");
  const gojit::CacheKey key = gojit::CacheKey::of("exprjit-test", "kinds");
  for (gojit::CacheKind kind : {gojit::CacheKind::plugin, gojit::CacheKind::loader}) {
    const std::string dir = cache.make_temp_dir("build-");
    std::ofstream(dir + "/out.so", std::ios::binary) << "\x7f" "ELF, and then nothing";
    const std::string so = cache.store(kind, key, dir + "/out.so").path;  // a matching record
    std::string damage;
    CHECK_FALSE(cache.lookup(kind, key, &damage));
    CHECK(damage == "cache entry " + cache.root() + "/" + std::string(gojit::cache_dir_name(kind)) + "/" + key.hex() +
                        ".entry names a file that is not a Go build of exprjit (it is not an ELF file); rebuilding it");
    CHECK_FALSE(fs::exists(so));
  }
}

TEST_CASE("jit faults: two processes building the same expressions into one fresh cache at once build each once") {
  test::ScratchDir scratch("race-");
  const std::string cache = scratch.path() + "/cache", log = scratch.path() + "/go.log";
  // Each plugin build takes a second longer, so that the other process, started at the same
  // moment, comes to the same key while it runs: it waits for the key's lock, then finds the
  // plugin stored (build.hpp: one build per key across processes).
  const std::string go = test::write_script(
      scratch.path(), "go",
      "echo \"$*\" >> '" + log + "'\ncase \"$*\" in *-buildmode=plugin*) sleep 1;;\nesac\nexec '" + test::real_go() +
          "' \"$@\"\n");
  constexpr int kRounds = 3;
  std::vector<std::string> exprs;
  for (int round = 0; round < kRounds; ++round) {
    const std::string expr = "a*" + std::to_string(round + 2) + " + " + unique_number();
    exprs.push_back(expr);
    RunResult r[2];
    auto one = [&](int k) { r[k] = cli_run(cache, {"--backend=jit", "--verbose", "--go=" + go, expr, "--var", "a=3"}, {}); };
    std::thread other(one, 1);
    one(0);
    other.join();
    const std::string want = vm_answer(expr);
    int waited = 0;
    for (int k = 0; k < 2; ++k) {
      CHECK_MESSAGE(r[k].exit_code == 0, r[k].err);
      CHECK(r[k].out == want);
      waited += r[k].err.find("jit: built meanwhile by another process") != std::string::npos;
    }
    CHECK(test::count_lines_with(log, "-buildmode=plugin") == round + 1);  // one build per key
    CHECK(waited == 1);
    CHECK(keys_in(cache, "plugins").size() == static_cast<std::size_t>(round + 1));
  }
  // One entry per expression, each naming a whole, verified plugin of its own key; every
  // .so there is a complete Go plugin; nothing temporary remains.
  for (const char* kind : {"plugins", "loader"})
    for (const std::string& key : keys_in(cache, kind)) {
      std::string damage;
      CHECK_MESSAGE(!verified(cache, kind, key, &damage).empty(), damage);
    }
  CHECK(keys_in(cache, "loader").size() == 1);
  const std::vector<std::string> sos = names_in(cache + "/plugins", ".so");
  CHECK(sos.size() >= static_cast<std::size_t>(kRounds));
  CHECK(sos.size() <= static_cast<std::size_t>(2 * kRounds));
  for (const std::string& so : sos) {  // <key>-<first 16 hex digits of its SHA-256>.so
    CHECK(gojit::sha256_file_hex(cache + "/plugins/" + so).substr(0, 16) == so.substr(65, 16));
    CHECK(exprjit_module(cache + "/plugins/" + so) == "exprjit/p" + so.substr(0, 32));
  }
  CHECK(leftovers(cache).empty());
  // And a third process finds every one of them without running go.
  // (A go script is asked `go env` on every run, as a version-switching shim must be; it is
  // never asked to build again.)
  const int lines = test::count_lines_with(log, " build ");
  for (const std::string& expr : exprs) {
    RunResult again = cli_run(cache, {"--backend=jit", "--go=" + go, expr, "--var", "a=3"});
    CHECK(again.exit_code == 0);
    CHECK(again.out == vm_answer(expr));
  }
  CHECK(test::count_lines_with(log, " build ") == lines);
}

TEST_CASE("jit faults: a plugin of another toolchain, or of another key, in the cache is never loaded") {
  test::ScratchDir scratch("foreign-");
  const std::string cache = scratch.path() + "/cache";
  const std::string log1 = scratch.path() + "/go1.log", log2 = scratch.path() + "/go2.log";
  fs::create_directory(scratch.path() + "/real");
  const std::string go1 = test::logging_go(scratch.path() + "/real", log1);
  // Another toolchain identity (`go env CGO_CFLAGS` differs), hence other keys.
  const std::string go2 = test::write_script(scratch.path(), "go-other",
                                             "export CGO_CFLAGS='-O2 -g -DEXPRJIT_OTHER_TOOLCHAIN=1'\necho \"$*\" >> '" +
                                                 log2 + "'\nexec '" + test::real_go() + "' \"$@\"\n");
  const std::string expr = "a*2 + " + unique_number(), want = vm_answer(expr);
  auto jit_with = [&](const std::string& go, bool verbose = false) {
    std::vector<std::string> args = {"--backend=jit", "--go=" + go, expr, "--var", "a=3"};
    if (verbose) args.insert(args.begin(), "--verbose");
    return cli_run(cache, args);
  };

  RunResult first = jit_with(go1);
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(first.out == want);
  const std::vector<std::string> mine = keys_in(cache, "plugins");
  REQUIRE(mine.size() == 1);
  const std::string key = mine[0];

  // The other toolchain builds its own loader and plugin beside them.
  RunResult other = jit_with(go2);
  REQUIRE_MESSAGE(other.exit_code == 0, other.err);
  CHECK(other.out == want);
  CHECK(test::count_lines_with(log2, "-buildmode=c-shared") == 1);
  CHECK(test::count_lines_with(log2, "-buildmode=plugin") == 1);
  CHECK(keys_in(cache, "loader").size() == 2);
  std::vector<std::string> both = keys_in(cache, "plugins");
  REQUIRE(both.size() == 2);
  const std::string other_key = both[0] == key ? both[1] : both[0];
  // ... and the first toolchain still finds only its own, without running go.
  const int lines1 = test::count_lines_with(log1, " build ");
  RunResult again = jit_with(go1, true);
  CHECK(again.out == want);
  CHECK(test::count_lines_with(log1, " build ") == lines1);
  CHECK(again.err.find("jit: cache hit " + cache + "/plugins/" + key + "-") != std::string::npos);

  {  // The other toolchain's plugin under this key, with a matching record: rebuilt.
    plant(so_of(cache, other_key), cache, key);
    RunResult r = jit_with(go1, true);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == want);
    CHECK(r.err.find("jit: cache entry " + cache + "/plugins/" + key +
                     ".entry holds a build for another key or toolchain (exprjit/p" + other_key.substr(0, 32) +
                     ", go1.") != std::string::npos);
    CHECK(test::count_lines_with(log1, "-buildmode=plugin") == 2);
  }
  {  // The plugin of another expression under this key: rebuilt, not run.  The same
     // toolchain and the same manifest (one expression, one variable): loaded, it would
     // silently give the other expression's answer.
    const std::string decoy = "a*7 + " + unique_number();
    REQUIRE(cli_run(cache, {"--backend=jit", "--go=" + go1, decoy, "--var", "a=3"}).exit_code == 0);
    std::string decoy_key;
    for (const std::string& k : keys_in(cache, "plugins"))
      if (k != key && k != other_key) decoy_key = k;
    REQUIRE(!decoy_key.empty());
    plant(so_of(cache, decoy_key), cache, key);
    RunResult r = jit_with(go1, true);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == want);
    CHECK(r.err.find("holds a build for another key or toolchain (exprjit/p" + decoy_key.substr(0, 32)) !=
          std::string::npos);
    CHECK(test::count_lines_with(log1, "-buildmode=plugin") == 4);  // the first, the decoy, two rebuilds
  }
  std::string damage;
  const std::string so = verified(cache, "plugins", key, &damage);
  CHECK_MESSAGE(!so.empty(), damage);
  CHECK(exprjit_module(so) == "exprjit/p" + key.substr(0, 32));
}

TEST_CASE("jit faults: a cached plugin whose Go runtime differs from the loader's is rebuilt before Go sees it") {
  // A go that reports the real one's identity but compiles everything with other flags:
  // its plugins land under the same keys, with the right module and a matching record, and
  // only their package hashes tell them apart.  (Go would abort or fail inside plugin.Open.)
  test::ScratchDir scratch("runtime-");
  const std::string liar = test::write_script(
      scratch.path(), "go",
      "if [ \"$1\" = build ]; then shift; exec '" + test::real_go() + "' build '-gcflags=all=-N -l' \"$@\"; fi\nexec '" +
          test::real_go() + "' \"$@\"\n");
  const std::string expr = "a*2 + " + unique_number(), want = vm_answer(expr);
  const std::string odd = scratch.path() + "/odd", cache = scratch.path() + "/cache";
  RunResult built = cli_run(odd, {"--backend=jit", "--go=" + liar, expr, "--var", "a=3"});
  REQUIRE_MESSAGE(built.exit_code == 0, built.err);
  CHECK(built.out == want);
  RunResult real = cli_run(cache, {"--backend=jit", expr, "--var", "a=3"});
  REQUIRE_MESSAGE(real.exit_code == 0, real.err);
  REQUIRE(keys_in(odd, "plugins") == keys_in(cache, "plugins"));
  const std::string key = keys_in(cache, "plugins").at(0);
  plant(so_of(odd, key), cache, key);
  const std::string planted = so_of(cache, key);

  RunResult r = cli_run(cache, {"--verbose", "--backend=jit", expr, "--var", "a=3"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);  // not aborted, and not stuck: rebuilt
  CHECK(r.out == want);
  CHECK(r.err.find("jit: refusing to open the Go plugin " + planted + ": its Go runtime differs from this process's Go "
                   "loader's (both go1.") != std::string::npos);
  CHECK(r.err.find("built with other flags), and Go may abort the whole process on such a plugin; removing the cache "
                   "entry and rebuilding it\n") != std::string::npos);
  CHECK_FALSE(fs::exists(planted));
  std::string damage;
  CHECK_MESSAGE(!verified(cache, "plugins", key, &damage).empty(), damage);
  // The next run finds the rebuilt plugin.
  RunResult again = cli_run(cache, {"--verbose", "--backend=jit", expr, "--var", "a=3"});
  CHECK(again.out == want);
  CHECK(again.err.find("jit: cache hit ") != std::string::npos);
}

TEST_CASE("jit faults: a toolchain that builds plugins unlike its loader is an error, not an abort") {
  test::ScratchDir scratch("runtime2-");
  const std::string odd = test::write_script(
      scratch.path(), "go",
      "case \"$*\" in *-buildmode=plugin*) shift; exec '" + test::real_go() + "' build '-gcflags=all=-N -l' \"$@\";; esac\n"
      "exec '" + test::real_go() + "' \"$@\"\n");
  const std::string expr = "a*2 + " + unique_number();
  RunResult r = cli_run(scratch.path() + "/cache", {"--backend=jit", "--go=" + odd, expr, "--var", "a=3"});
  CHECK(r.exit_code == 1);
  CHECK(r.signal == 0);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("error: refusing to open the Go plugin ", 0) == 0);
  CHECK(r.err.find("; it was built just now by " + odd + ", which builds plugins unlike its loader") != std::string::npos);
}

// Debian's Go 1.19 (golang-1.19-go, installed by scripts/bootstrap for this test).
TEST_CASE("jit faults: plugins of Go 1.19 are rebuilt from the cache and refused by a newer loader") {
  REQUIRE_MESSAGE(::access("/usr/lib/go-1.19/bin/go", X_OK) == 0, "no /usr/lib/go-1.19/bin/go: run scripts/bootstrap");
  // Go 1.19 writes no build information into plugins; the package hashes still tell.
  test::ScratchDir scratch("go119-");
  const std::string expr = "a*2 + " + unique_number(), want = vm_answer(expr);
  const std::string old = scratch.path() + "/old", cache = scratch.path() + "/cache";
  RunResult built = cli_run(old, {"--backend=jit", "--go=/usr/lib/go-1.19/bin/go", expr, "--var", "a=3"});
  REQUIRE_MESSAGE(built.exit_code == 0, built.err);
  CHECK(built.out == want);
  RunResult real = cli_run(cache, {"--backend=jit", expr, "--var", "a=3"});
  REQUIRE_MESSAGE(real.exit_code == 0, real.err);
  const std::string key = keys_in(cache, "plugins").at(0), old_key = keys_in(old, "plugins").at(0);
  CHECK(key != old_key);
  const std::string old_so = so_of(old, old_key);
  plant(old_so, cache, key);
  RunResult r = cli_run(cache, {"--verbose", "--backend=jit", expr, "--var", "a=3"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == want);
  CHECK(r.err.find(".entry holds a build for another key or toolchain (exprjit/p" + old_key.substr(0, 32) + "; want") !=
        std::string::npos);

  // Handed to the loader directly (Go itself would abort: "runtime: no plugin module data").
  auto b = test::jit();
  test::Checked c = test::front("2*3", {});
  REQUIRE(test::compile_one(*b, c)->eval(nullptr) == 6);  // this process now runs a Go 1.23 loader
  const std::string err = test::what_of([&] {
    std::string why;
    gojit::CacheFile f{gojit::open_regular(AT_FDCWD, old_so, &why), old_so};
    gojit::GoHost::instance().open_plugin(gojit::CacheKey::of("exprjit-test", "go119-" + old_key), f,
                                          gojit::plugin_manifest(1, 1, {}));
  });
  CHECK(err.rfind("refusing to open the Go plugin " + old_so +
                      ": its Go runtime differs from this process's Go loader's (the plugin's from another toolchain, "
                      "the loader's from go1.",
                  0) == 0);
}
