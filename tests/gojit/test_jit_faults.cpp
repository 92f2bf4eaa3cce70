// test_jit_faults.cpp — the Go JIT backend when its surroundings fail (issue 7): an unusable
// GOCACHE or TMPDIR, a read-only /tmp, the cache's build directory or the whole cache
// read-only or full, the disk filling up between the build and the store.  Each ends in a
// clear error or in the right answer, with nothing lost and no file half-written; never a
// crash or a hang.  (test_jit_foreign.cpp: races and foreign plugins in the cache.)
//
// Everything runs through the `exprjit` program, so that a fault cannot hurt this process.
// The tests run as root, for whom permissions make nothing unwritable: "read-only" and
// "full" are tmpfs mounts made inside `unshare -m` (a private mount namespace).  Those test
// cases form the doctest suite "mount namespace", which meson runs as a test of its own
// (mount_tests.py) that reports SKIP where mounting is not permitted; the unmounted
// variants (a path below a regular file: ENOTDIR) run everywhere.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/gojit/fault_util.hpp"

using namespace exprjit;
using namespace exprjit::test::faults;
using test::unique_number;

TEST_CASE("jit faults: an unusable GOCACHE is an error naming it, before any go runs") {
  test::ScratchDir scratch("gocache-");
  const std::string log = scratch.path() + "/go.log";
  const std::string go = test::logging_go(scratch.path(), log);
  const std::string cache = scratch.path() + "/cache";
  std::ofstream(scratch.path() + "/file") << "not a directory\n";
  const std::string expr = "a*2 + " + unique_number();
  const std::string below_file = scratch.path() + "/file/gocache";
  const std::string advice = "; point GOCACHE at a directory of your own (mode 0700), or unset it\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {below_file, "error: cannot create the Go build cache (GOCACHE) " + below_file + ": Not a directory" + advice},
      {scratch.path() + "/file", "error: cannot use the Go build cache (GOCACHE) " + scratch.path() + "/file: it is not a directory" + advice},
      {"relative/gocache", "error: the jit backend cannot use GOCACHE=relative/gocache: it is not an absolute path\n"},
      {"off", "error: the jit backend cannot use GOCACHE=off: Go needs a build cache for plugins\n"},
  };
  for (const auto& [gocache, want] : cases) {
    RunResult r = cli_run(cache, {"--backend=jit", "--go=" + go, expr, "--var", "a=3"}, {{"GOCACHE", gocache}});
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == want);
  }
  CHECK(test::count_lines_with(log, "") == 0);  // not even `go env`
  CHECK(keys_in(cache, "plugins").empty());
  CHECK(fs::is_regular_file(scratch.path() + "/file"));  // nothing created below it or in its place
  // The other backends do not care; the same expression with a usable GOCACHE works.
  CHECK(run({GOJIT_EXPRJIT, "--backend=vm", expr, "--var", "a=3"}, {{"GOCACHE", below_file}}).exit_code == 0);
  RunResult ok = cli_run(cache, {"--backend=jit", "--go=" + go, expr, "--var", "a=3"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == vm_answer(expr));
}

TEST_CASE("jit faults: GOCACHE read-only or full (tmpfs in a mount namespace)" * doctest::test_suite("mount namespace")) {
  test::ScratchDir scratch("gocache-mnt-");
  const std::string mnt = scratch.path() + "/mnt", cache = scratch.path() + "/cache";
  fs::create_directory(mnt);
  const std::string expr = "a*2 + " + unique_number();
  const std::string cmd = shell_quote(GOJIT_EXPRJIT) + " --backend=jit " + shell_quote(expr) + " --var a=3";

  RunResult ro = in_namespace("mount -t tmpfs -o ro none " + shell_quote(mnt) + "\nexec " + cmd,
                              {{"EXPRJIT_CACHE_DIR", cache}, {"GOCACHE", mnt + "/gocache"}});
  CHECK(ro.exit_code == 1);
  CHECK(ro.out.empty());
  CHECK(ro.err == "error: cannot create the Go build cache (GOCACHE) " + mnt +
                      "/gocache: Read-only file system; point GOCACHE at a directory of your own (mode 0700), or unset it\n");

  // A full one: Go's own error is misleading then ("package math is not in std"); the jit's
  // says where the space ran out.
  RunResult full = in_namespace("mount -t tmpfs -o size=16k none " + shell_quote(mnt) + "\nexec " + cmd,
                                {{"EXPRJIT_CACHE_DIR", cache}, {"GOCACHE", mnt + "/gocache"}});
  CAPTURE(full.err);
  CHECK(full.exit_code == 1);
  CHECK(full.out.empty());
  CHECK(full.err.rfind("error: `go build` of ", 0) == 0);
  CHECK(full.err.find("\nthe disk may be full; free space, or set EXPRJIT_CACHE_DIR / GOCACHE to a file system with "
                      "room:\n(GOCACHE is " + mnt + "/gocache: ") != std::string::npos);
  CHECK(full.err.find(" KiB free)") != std::string::npos);
  CHECK(keys_in(cache, "plugins").empty());
  CHECK(leftovers(cache).empty());
}

TEST_CASE("jit faults: an unusable TMPDIR: go builds without it") {
  test::ScratchDir scratch("tmpdir-");
  const std::string log = scratch.path() + "/go.log";
  const std::string go = test::logging_go(scratch.path(), log);
  const std::string cache = scratch.path() + "/cache";
  std::ofstream(scratch.path() + "/file") << "x";
  // `go env`, the linker and the C compiler put files in TMPDIR (not GOTMPDIR): the jit
  // gives them directories of their own in its cache.
  const std::string expr = "a*2 + " + unique_number();
  RunResult r = cli_run(cache, {"--backend=jit", "--go=" + go, expr, "--var", "a=3"},
                        {{"TMPDIR", scratch.path() + "/file/tmp"}});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == vm_answer(expr));
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  CHECK(test::count_lines_with(log, "-buildmode=c-shared") == 1);
  CHECK(leftovers(cache).empty());
}

TEST_CASE("jit faults: a read-only /tmp: go builds without it (tmpfs in a mount namespace)" *
          doctest::test_suite("mount namespace")) {
  test::ScratchDir scratch("tmpro-");
  const std::string log = scratch.path() + "/go.log";
  const std::string go = test::logging_go(scratch.path(), log);
  const std::string cache = scratch.path() + "/cache";
  const std::string expr = "a*2 + " + unique_number();
  // A read-only tmpfs over /tmp.  Where the build tree itself is under /tmp (a checkout in
  // /tmp), it is carried over: bound aside, put back at its path in the new /tmp, which is
  // then made read-only; the tree (exprjit, this test's scratch, GOCACHE) stays writable.
  const std::string tree = shell_quote(fs::path(GOJIT_EXPRJIT).parent_path().string());
  const std::string hide_tmp =
      "case " + tree + " in /tmp/*)\n"
      "  mkdir -p /mnt && mount --bind " + tree + " /mnt\n"
      "  mount -t tmpfs none /tmp && mkdir -p " + tree + " && mount --move /mnt " + tree + "\n"
      "  mount -o remount,ro /tmp ;;\n"
      "*) mount -t tmpfs -o ro none /tmp ;;\n"
      "esac\n"
      "! touch /tmp/probe 2>/dev/null\n";
  RunResult ro = in_namespace(hide_tmp + "exec " + shell_quote(GOJIT_EXPRJIT) + " --backend=jit --go=" + shell_quote(go) +
                                  " " + shell_quote(expr) + " --var a=3",
                              {{"EXPRJIT_CACHE_DIR", cache}}, {"TMPDIR"});
  CHECK_MESSAGE(ro.exit_code == 0, ro.err);
  CHECK(ro.out == vm_answer(expr));
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  CHECK(leftovers(cache).empty());
}

namespace {

// A private cache holding one expression's plugin.
struct WarmCache {
  std::string cache, expr, answer;
  std::vector<std::string> keys;  // of its plugins
};
WarmCache warm_cache(const test::ScratchDir& scratch) {
  WarmCache w;
  w.cache = scratch.path() + "/cache";
  w.expr = "a*2 + " + unique_number();
  RunResult first = cli_run(w.cache, {"--backend=jit", w.expr, "--var", "a=3"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  w.answer = first.out;
  CHECK(w.answer == vm_answer(w.expr));
  w.keys = keys_in(w.cache, "plugins");
  REQUIRE(w.keys.size() == 1);
  return w;
}

}  // namespace

TEST_CASE("jit faults: the cache's tmp/ is a file: a clear error; cached expressions still work") {
  test::ScratchDir scratch("cachetmp-");
  const WarmCache w = warm_cache(scratch);
  fs::remove_all(w.cache + "/tmp");
  std::ofstream(w.cache + "/tmp") << "in the way\n";
  RunResult hit = cli_run(w.cache, {"--backend=jit", w.expr, "--var", "a=3"});
  CHECK_MESSAGE(hit.exit_code == 0, hit.err);
  CHECK(hit.out == w.answer);
  RunResult blocked = cli_run(w.cache, {"--backend=jit", "a*2 + " + unique_number(), "--var", "a=3"});
  CHECK(blocked.exit_code == 1);
  CHECK(blocked.out.empty());
  CHECK(blocked.err == "error: cannot use the jit cache directory " + w.cache + ": " + w.cache +
                           "/tmp is a file, not a directory (remove it, or set EXPRJIT_CACHE_DIR to another directory)\n");
  CHECK(keys_in(w.cache, "plugins") == w.keys);
  CHECK(fs::is_regular_file(w.cache + "/tmp"));
}

TEST_CASE("jit faults: the cache's tmp/ read-only or full: a clear error; cached expressions still work" *
          doctest::test_suite("mount namespace")) {
  test::ScratchDir scratch("cachetmpmnt-");
  const WarmCache w = warm_cache(scratch);
  const std::string q = shell_quote(w.cache + "/tmp"), out = scratch.path() + "/ns";
  const std::string fresh = "a*2 + " + unique_number();
  fs::create_directory(out);
  auto script = [&](const std::string& opts) {
    const std::string jit = shell_quote(GOJIT_EXPRJIT) + " --backend=jit ";
    return "mount -t tmpfs -o " + opts + ",mode=0700 none " + q + "\n" + jit + shell_quote(w.expr) +
           " --var a=3 > " + shell_quote(out + "/hit") + "\n" + jit + shell_quote(fresh) + " --var a=3 2> " +
           shell_quote(out + "/err") + " || echo $? > " + shell_quote(out + "/rc") + "\nls -A " + q + " > " +
           shell_quote(out + "/left") + "\n";
  };
  RunResult ro = in_namespace(script("ro"), {{"EXPRJIT_CACHE_DIR", w.cache}});
  REQUIRE_MESSAGE(ro.exit_code == 0, ro.err);
  CHECK(slurp(out + "/hit") == w.answer);
  CHECK(slurp(out + "/rc") == "1\n");
  CHECK(slurp(out + "/err") == "error: cannot create a build directory in " + w.cache +
                                   "/tmp: Read-only file system (the jit builds inside its cache directory; set "
                                   "EXPRJIT_CACHE_DIR to a writable one)\n");

  RunResult full = in_namespace(script("size=16k"), {{"EXPRJIT_CACHE_DIR", w.cache}});
  REQUIRE_MESSAGE(full.exit_code == 0, full.err);
  CHECK(slurp(out + "/hit") == w.answer);
  CHECK(slurp(out + "/rc") == "1\n");
  const std::string err = slurp(out + "/err");
  CAPTURE(err);
  CHECK(err.rfind("error: ", 0) == 0);
  CHECK(err.find("o space left on device") != std::string::npos);
  CHECK(err.find("\nthe disk may be full; free space, or set EXPRJIT_CACHE_DIR / GOCACHE to a file system with "
                 "room:\n(the jit builds in " + w.cache + "/tmp: ") != std::string::npos);
  CHECK(slurp(out + "/left").empty());  // the failed build's directory is gone
  CHECK(keys_in(w.cache, "plugins") == w.keys);
  std::string damage;
  CHECK_MESSAGE(!verified(w.cache, "plugins", w.keys[0], &damage).empty(), damage);
}

TEST_CASE("jit faults: the whole cache read-only or full (tmpfs in a mount namespace)" * doctest::test_suite("mount namespace")) {
  test::ScratchDir scratch("cachemnt-");
  const std::string mnt = scratch.path() + "/mnt", out = scratch.path() + "/ns";
  fs::create_directory(mnt);
  fs::create_directory(out);
  const std::string jit = shell_quote(GOJIT_EXPRJIT) + " --backend=jit ";
  const std::string fresh = "a*2 + " + unique_number();

  // Nothing can be created.
  RunResult ro = in_namespace("mount -t tmpfs -o ro none " + shell_quote(mnt) + "\nexec " + jit + shell_quote(fresh) +
                                  " --var a=3",
                              {{"EXPRJIT_CACHE_DIR", mnt + "/cache"}});
  CHECK(ro.exit_code == 1);
  CHECK(ro.err == "error: cannot create the jit cache directory " + mnt + "/cache: Read-only file system\n");

  // A full one: the first build (the loader's) fails, saying where; nothing is recorded.
  RunResult full = in_namespace("mount -t tmpfs -o size=16k none " + shell_quote(mnt) + "\n" + jit + shell_quote(fresh) +
                                    " --var a=3 || echo rc=$? >&2\nls -A " + shell_quote(mnt + "/cache/tmp") + " " +
                                    shell_quote(mnt + "/cache/loader") + " " + shell_quote(mnt + "/cache/plugins") +
                                    "\n",
                                {{"EXPRJIT_CACHE_DIR", mnt + "/cache"}});
  CAPTURE(full.err);
  REQUIRE(full.exit_code == 0);
  CHECK(full.err.rfind("error: `go build` of the Go loader (once per toolchain) exited with status 1:\n", 0) == 0);
  CHECK(full.err.find("o space left on device") != std::string::npos);
  CHECK(full.err.find("(the jit builds in " + mnt + "/cache/tmp: ") != std::string::npos);
  CHECK(full.err.find("\nrc=1\n") != std::string::npos);
  // `ls -A` of three empty directories: their names and nothing else.
  CHECK(full.out == mnt + "/cache/loader:\n\n" + mnt + "/cache/plugins:\n\n" + mnt + "/cache/tmp:\n");

  // A warm cache mounted read-only: what it holds still loads; a new expression fails clearly.
  const std::string cache = scratch.path() + "/warm", cached = "a*2 + " + unique_number();
  RunResult warm = cli_run(cache, {"--backend=jit", cached, "--var", "a=3"});
  REQUIRE_MESSAGE(warm.exit_code == 0, warm.err);
  RunResult shared = in_namespace("mount --bind -o ro " + shell_quote(cache) + " " + shell_quote(mnt) + "\n" + jit +
                                      shell_quote(cached) + " --var a=3\n" + jit + shell_quote(fresh) +
                                      " --var a=3 || echo rc=$? >&2\n",
                                  {{"EXPRJIT_CACHE_DIR", mnt}});
  CHECK_MESSAGE(shared.exit_code == 0, shared.err);
  CHECK(shared.out == warm.out);
  CHECK(shared.err == "error: cannot create a build directory in " + mnt +
                          "/tmp: Read-only file system (the jit builds inside its cache directory; set "
                          "EXPRJIT_CACHE_DIR to a writable one)\nrc=1\n");
}

TEST_CASE("jit faults: the disk fills between the build and the store: a clear error, no file without a record" *
          doctest::test_suite("mount namespace")) {
  test::ScratchDir scratch("storefull-");
  const std::string mnt = scratch.path() + "/mnt", out = scratch.path() + "/ns", cache = mnt + "/cache";
  fs::create_directory(mnt);
  fs::create_directory(out);
  // A go that, when armed, fills the cache's file system right after building a plugin.
  const std::string go = test::write_script(
      scratch.path(), "go",
      "'" + test::real_go() + "' \"$@\"; rc=$?\n"
      "case \"$*\" in *-buildmode=plugin*) [ -e '" + out + "/armed' ] && head -c 1G /dev/zero > '" + mnt +
          "/filler' 2>/dev/null || true;; esac\nexit $rc\n");
  const std::string expr = "a*2 + " + unique_number();
  const std::string jit = shell_quote(GOJIT_EXPRJIT) + " --backend=jit --go=" + shell_quote(go) + " " + shell_quote(expr) +
                          " --var a=3";
  auto o = [&](const std::string& name) { return shell_quote(out + "/" + name); };
  const std::string script =
      "mount -t tmpfs -o size=256m none " + shell_quote(mnt) + "\ntouch " + o("armed") + "\n" + jit + " > " + o("out1") +
      " 2> " + o("err1") + " || echo $? > " + o("rc1") + "\nls -A " + shell_quote(cache + "/plugins") + " > " +
      o("plugins1") + "\nls -A " + shell_quote(cache + "/tmp") + " > " + o("tmp1") + "\nrm " + o("armed") + " " +
      shell_quote(mnt + "/filler") + "\n" + jit + " > " + o("out2") + " 2> " + o("err2") + "\nls -A " +
      shell_quote(cache + "/plugins") + " > " + o("plugins2") + "\n";
  RunResult r = in_namespace(script, {{"EXPRJIT_CACHE_DIR", cache}});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string err1 = slurp(out + "/err1");
  CAPTURE(err1);
  CHECK(slurp(out + "/rc1") == "1\n");
  CHECK(slurp(out + "/out1").empty());
  CHECK(err1.rfind("error: cannot record the build in the jit cache: cannot write " + cache + "/plugins/", 0) == 0);
  CHECK(err1.find(": No space left on device\nthe disk may be full;") != std::string::npos);
  CHECK(err1.find("\n(the jit builds in " + cache + "/tmp: ") != std::string::npos);
  CHECK(slurp(out + "/plugins1").empty());  // no entry, no plugin without an entry, no temporary record
  CHECK(slurp(out + "/tmp1").empty());      // no build directory left behind
  // With room again the same expression builds and is recorded once.
  CHECK(slurp(out + "/out2") == vm_answer(expr));
  CHECK(slurp(out + "/err2").empty());
  const std::string plugins2 = slurp(out + "/plugins2");
  CHECK(std::count(plugins2.begin(), plugins2.end(), '\n') == 3);  // <key>-<h>.so, <key>.entry, <key>.vet
}
