// test_jit_cache.cpp — the Go JIT backend's build, cache and toolchain: one build for many
// expressions, the cache across processes, damaged entries rebuilt, missing / failing /
// too old / hanging toolchains, one toolchain identity per process, the loader's type
// checks, --verbose and --keep-temps.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>

#include "backends/backend.hpp"
#include "backends/gojit/build/build.hpp"
#include "backends/gojit/build/process.hpp"
#include "backends/gojit/build/sha256.hpp"
#include "backends/gojit/emit/codegen.hpp"
#include "backends/gojit/runtime/goloader.hpp"
#include "backends/tree/tree.hpp"
#include "frontend/base/format.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using test::jit;
using test::logging_go;
using test::probe;
using test::unique_number;
using test::what_of;
namespace fs = std::filesystem;

TEST_CASE("jit: a file of 1000 expressions is one go build; again in-process is none") {
  test::ScratchDir scratch("many-");
  const std::string log = scratch.path() + "/go.log";
  BackendOptions o;
  o.go = logging_go(scratch.path(), log);
  auto b = jit(o);
  const std::vector<std::string> vars = {"a", "b", "c"};
  std::mt19937_64 rng(0x5eed'1000);
  std::vector<test::Checked> checked;
  std::vector<std::string> texts;
  const std::string salt = unique_number();  // new to this process's cache
  for (int i = 0; i < 1000; ++i) {
    texts.push_back(test::random_expression(rng, vars, 3) + " + " + salt);
    checked.push_back(test::front(texts.back(), vars));
  }
  auto compiled = b->compile(test::unit_of(checked));
  REQUIRE(compiled.size() == 1000);
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  auto tree = make_tree_backend({});
  const std::vector<double> v = {0.5, -2, 3};
  for (std::size_t k = 0; k < checked.size(); k += 37) {
    const double want = test::compile_one(*tree, checked[k])->eval(v.data());
    CHECK_MESSAGE(test::same_bits(compiled[k]->eval(v.data()), want), texts[k]);
  }
  // The same expressions again, in this process: no build, no second plugin.Open.
  const auto before = gojit::GoHost::instance().stats().plugins;
  auto again = jit(o)->compile(test::unit_of(checked));
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  CHECK(gojit::GoHost::instance().stats().plugins == before);
  CHECK(test::same_bits(again[5]->eval(v.data()), compiled[5]->eval(v.data())));
}

TEST_CASE("jit: a second process loads the cached plugin without running go") {
  test::ScratchDir scratch("proc2-");
  const std::string cache = test::jit_test_env();  // already holds this process's loader
  const std::string log = scratch.path() + "/go.log";
  const std::string go = logging_go(scratch.path(), log);
  const std::string expr = "a*2 + " + unique_number();
  gojit::RunResult first = probe({"--go=" + go, expr, "a=0.25"}, cache);
  REQUIRE_MESSAGE(first.ok(), first.err);
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  const int lines_after_first = test::count_lines_with(log, "");
  gojit::RunResult second = probe({"--go=" + go, "--verbose", expr, "a=0.25"}, cache);
  REQUIRE_MESSAGE(second.ok(), second.err);
  CHECK(second.out == first.out);
  // The go here is a script (a shim, for all exprjit can tell): asked `go env` again, since a
  // shim may answer with another version at the same path; but nothing is built.
  CHECK(test::count_lines_with(log, "") == lines_after_first + 1);
  CHECK(test::count_lines_with(log, "env GOVERSION") == 2);
  CHECK(second.err.find("identity cached") == std::string::npos);
  CHECK(second.err.find("jit: cache hit") != std::string::npos);
  CHECK(second.err.find("go build") == std::string::npos);
  // The real go binary's identity is remembered: a process with it runs no go at all.
  gojit::RunResult real1 = probe({expr, "a=0.25"}, cache);
  gojit::RunResult real2 = probe({"--verbose", expr, "a=0.25"}, cache);
  REQUIRE_MESSAGE(real2.ok(), real2.err);
  CHECK(real2.err.find("identity cached") != std::string::npos);
  CHECK(real2.err.find("jit: $ ") == std::string::npos);  // no command ran

  SUBCASE("a truncated plugin is detected and rebuilt") {
    // The probe's plugin is the newest entry; this process never mapped it.
    fs::path newest;
    for (const auto& e : fs::directory_iterator(cache + "/plugins"))
      if (e.path().extension() == ".so" &&
          (newest.empty() || fs::last_write_time(e.path()) > fs::last_write_time(newest)))
        newest = e.path();
    REQUIRE(!newest.empty());
    fs::resize_file(newest, fs::file_size(newest) / 2);
    gojit::RunResult third = probe({"--go=" + go, "--verbose", expr, "a=0.25"}, cache);
    REQUIRE_MESSAGE(third.ok(), third.err);
    CHECK(third.out == first.out);
    CHECK(third.err.find("truncated") != std::string::npos);
    CHECK(test::count_lines_with(log, "-buildmode=plugin") == 2);
  }
  SUBCASE("a corrupt loader is detected and rebuilt") {
    // A copy of the cache, so that this process's own mapped loader is not touched.
    const std::string copy = scratch.path() + "/cache";
    fs::create_directory(copy);
    fs::permissions(copy, fs::perms::owner_all);
    for (const char* sub : {"loader", "toolchains"}) fs::copy(cache + "/" + sub, copy + "/" + sub, fs::copy_options::recursive);
    for (const auto& e : fs::directory_iterator(copy + "/loader"))
      if (e.path().extension() == ".so") {
        std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(fs::file_size(e.path()) / 2));
        f.put('\x5a');
      }
    gojit::RunResult fourth = probe({"--go=" + go, "--verbose", expr, "a=0.25"}, copy);
    REQUIRE_MESSAGE(fourth.ok(), fourth.err);
    CHECK(fourth.out == first.out);
    CHECK(fourth.err.find("corrupt") != std::string::npos);
    CHECK(test::count_lines_with(log, "-buildmode=c-shared") == 1);
  }
}

TEST_CASE("jit: no toolchain, a failing one, a too old one, a hanging one: clear errors") {
  test::ScratchDir scratch("badgo-");
  auto tree_still_works = [] {
    test::Checked c = test::front("1+1.2-5", {});
    return format_value(test::compile_one(*make_tree_backend({}), c)->eval(nullptr));
  };
  test::Checked c = test::front("a + " + unique_number(), {"a"});
  auto compile_with = [&](BackendOptions o) { return what_of([&] { test::compile_one(*jit(o), c); }); };

  BackendOptions missing;
  missing.go = scratch.path() + "/no/such/go";
  CHECK(compile_with(missing) ==
        "the jit backend needs a Go toolchain (>= 1.19): --go=" + scratch.path() + "/no/such/go (not found)");
  CHECK(tree_still_works() == "-2.8");

  gojit::RunResult viaprobe = probe({"--go=" + missing.go, "1+1"}, test::jit_test_env());
  CHECK(viaprobe.exit_code == 1);
  CHECK(viaprobe.err.rfind("error: the jit backend needs a Go toolchain (>= 1.19): --go=", 0) == 0);

  BackendOptions failing;
  failing.go = test::write_script(scratch.path(), "go-fails", "echo 'go: simulated failure' >&2\nexit 1\n");
  const std::string f = compile_with(failing);
  CHECK(f.rfind("the jit backend needs a Go toolchain (>= 1.19): " + failing.go + " exited with status 1", 0) == 0);
  CHECK(f.find("go: simulated failure") != std::string::npos);

  BackendOptions old;
  old.go = test::write_script(scratch.path(), "go-old",
                              "[ \"$1\" = env ] && printf 'go1.18.3\\n/old\\namd64\\nlinux\\nv1\\n\\ngcc\\n1\\n\\n\\n\\n\\n' && exit 0\nexit 1\n");
  CHECK(compile_with(old) == "the jit backend needs a Go toolchain (>= 1.19): " + old.go + " is go1.18.3");

  const std::string real = test::real_go();
  BackendOptions broken;
  broken.go = test::write_script(scratch.path(), "go-broken",
                                 "[ \"$1\" = env ] && exec '" + real + "' \"$@\"\n"
                                 "echo './exprjit.go:3:1: simulated compile error' >&2\nexit 2\n");
  const std::string br = compile_with(broken);
  CHECK(br.find("`go build` of ") != std::string::npos);
  CHECK(br.find("exited with status 2:\n./exprjit.go:3:1: simulated compile error") != std::string::npos);

  const std::string pidfile = scratch.path() + "/sleep.pid";
  BackendOptions hangs;
  hangs.go = test::write_script(scratch.path(), "go-hangs",
                                "[ \"$1\" = env ] && exec '" + real + "' \"$@\"\n"
                                "sleep 300 & echo $! > '" + pidfile + "'\nwait\n");
  hangs.build_timeout_s = 1.5;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string h = compile_with(hangs);
  CHECK(h.find("did not finish within 1.5 s and was killed") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60));  // a hang guard, not a speed goal
  std::string pid = test::read_file(pidfile);
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    std::ifstream st("/proc/" + pid + "/stat");
    std::string line;
    dead = !std::getline(st, line) || line.find(") Z ") != std::string::npos;
    if (!dead) ::usleep(20000);
  }
  CHECK_MESSAGE(dead, "the hanging go's child " << pid << " survived");
  CHECK(tree_still_works() == "-2.8");
}

TEST_CASE("jit: one process hosts one toolchain identity and one set of flags") {
  auto b = jit();
  test::Checked c = test::front("2*3", {});
  REQUIRE(test::compile_one(*b, c)->eval(nullptr) == 6);  // the loader now runs here
  BackendOptions other;
  other.go_flags = {"-gcflags=-N"};
  const std::string err = what_of([&] { test::compile_one(*jit(other), c); });
  CHECK(err.find("this process already runs the Go loader of another toolchain or other go build flags") !=
        std::string::npos);
  CHECK(err.find("-gcflags=-N") != std::string::npos);
}

TEST_CASE("jit: the loader checks the plugin's manifest and exact Go function types") {
  using namespace gojit;
  test::HandPlugin p = test::build_hand_plugin(
      "package main\n\nvar EjManifest = \"exprjit-gojit abi=1 exprs=1 slots=1\"\n\n"
      "func E0(v []float32) float64 { return 1 }\n\nfunc B0(x int) {}\n\nvar P0 = 3\n");
  GoHost& host = GoHost::instance();
  CHECK(what_of([&] { host.open_plugin(CacheKey::of("x", p.key.hex()), p.so, "exprjit-gojit abi=1 exprs=2 slots=1"); })
            .find("the plugin's manifest is \"exprjit-gojit abi=1 exprs=1 slots=1\", want \"exprjit-gojit abi=1 "
                  "exprs=2 slots=1\"") != std::string::npos);
  int id = host.open_plugin(p.key, p.so, "exprjit-gojit abi=1 exprs=1 slots=1");
  CHECK(what_of([&] { host.lookup(id, EntryKind::values, 0); })
            .find("E0 has type func([]float32) float64, want func(uintptr, uintptr, uintptr, unsafe.Pointer, "
                  "unsafe.Pointer) float64") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id, EntryKind::batch, 0); })
            .find("B0 has type func(int), want func(unsafe.Pointer, unsafe.Pointer, int, unsafe.Pointer)") !=
        std::string::npos);
  CHECK(what_of([&] { host.lookup(id, EntryKind::pointers, 0); }).find("P0 has type *int") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id, EntryKind::values, 7); }).find("E7") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id + 1000, EntryKind::values, 0); }).find("no plugin") != std::string::npos);
}

TEST_CASE("jit: --verbose shows the go command, phase times and loaded plugins; --keep-temps keeps the build") {
  test::CapturedLog log;
  BackendOptions o = test::logged(log);
  o.keep_temps = true;
  auto b = jit(o);
  test::Checked c = test::front("a*a + " + unique_number(), {"a"});
  double two = 2;
  const double v = test::compile_one(*b, c)->eval(&two);
  CHECK(v > 4);
  const std::string& s = log.text;
  CAPTURE(s);
  for (const char* want : {"jit: codegen ", "jit: toolchain ", "jit: $ cd ", " build '-ldflags=-s -w' -buildmode=plugin -o ",
                           "GOPROXY=off", "jit: go build ", "jit: load ", "jit: machine code vetted",
                           "jit: direct calls for 3 of 3 entry points", "this process has loaded ",
                           " MiB mapped (plus the loader, ", "Go cannot unload them"})
    CHECK(s.find(want) != std::string::npos);
  const std::size_t kept = s.find("(kept ");
  REQUIRE(kept != std::string::npos);
  const std::string dir = s.substr(kept + 6, s.find(')', kept) - kept - 6);
  CHECK(test::read_file(dir + "/exprjit.go") == b->listing(c.unit()));
  CHECK(test::read_file(dir + "/helpers.go") == gojit::kHelpersGo);
  CHECK(test::read_file(dir + "/go.mod").rfind("module exprjit/p", 0) == 0);
}

TEST_CASE("jit: through the exprjit program (-f FILE is one build; missing toolchain exits 1)") {
  test::jit_test_env();
  test::ScratchDir scratch("cli-");
  auto run = [](const std::vector<std::string>& args) { return test::run_exprjit(args); };
  gojit::RunResult r = run({"--backend=jit", "1+1.2-5"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "-2.8\n");

  // A file of many lines: one go build, the same output as the VM (every operation is
  // bit-identical on every backend).
  const std::vector<std::string> vars = {"a", "b"};
  std::mt19937_64 rng(0x5eed'0cc1);
  std::string file = "a = 1.25\nb = -3\n";
  for (int lines = 0; lines < 200; ++lines) file += test::random_expression(rng, vars, 4) + " + " + unique_number() + "\n";
  std::ofstream(scratch.path() + "/many.txt") << file;
  const std::string log = scratch.path() + "/go.log";
  const std::string go = logging_go(scratch.path(), log);
  gojit::RunResult many = run({"--backend=jit", "--go=" + go, "-f", scratch.path() + "/many.txt"});
  REQUIRE_MESSAGE(many.exit_code == 0, many.err);
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  gojit::RunResult vm = run({"--backend=vm", "-f", scratch.path() + "/many.txt"});
  CHECK(many.out == vm.out);
  CHECK(std::count(many.out.begin(), many.out.end(), '\n') == 202);

  gojit::RunResult emit = run({"--emit=go", "x*2", "--var", "x=1"});
  CHECK(emit.exit_code == 0);
  CHECK(emit.out.find("func E0(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64") != std::string::npos);

  gojit::RunResult missing = run({"--backend=jit", "--go=" + scratch.path() + "/no-go", "1+1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.empty());
  CHECK(missing.err.rfind("error: the jit backend needs a Go toolchain (>= 1.19): --go=", 0) == 0);
  CHECK(run({"--backend=vm", "1+1"}).out == "2\n");  // the other backends do not care
}

TEST_CASE("jit: a version-switching go (a shim: same path and times, other version) never poisons the cache") {
  REQUIRE_MESSAGE(::access("/usr/lib/go-1.19/bin/go", X_OK) == 0, "no /usr/lib/go-1.19/bin/go: run scripts/bootstrap");
  test::ScratchDir scratch("shim-");
  const std::string cache = scratch.path() + "/cache", which = scratch.path() + "/version";
  // Like asdf's or mise's shims: one script whose answer depends on state elsewhere.
  const std::string shim = test::write_script(scratch.path(), "go",
                                              "exec \"/usr/lib/go-$(cat '" + which + "')/bin/go\" \"$@\"\n");
  const std::string n = unique_number(), expr = "a*2 + " + n;
  auto run_with = [&](const char* version) {
    std::ofstream(which, std::ios::trunc) << version;
    return probe({"--go=" + shim, "--verbose", expr, "a=0.25"}, cache);
  };
  const gojit::RunResult a = run_with("1.23");
  REQUIRE_MESSAGE(a.ok(), a.err);
  CHECK(std::stod(a.out) == 0.5 + std::stod(n));
  const gojit::RunResult b = run_with("1.19");  // the same path, inode, size and times
  REQUIRE_MESSAGE(b.ok(), b.err);
  CHECK(b.out == a.out);
  CHECK(b.err.find("go1.19") != std::string::npos);
  CHECK(b.err.find("jit: cache hit") == std::string::npos);  // another toolchain: another key
  const gojit::RunResult c = run_with("1.23");  // and back: its own entry, intact
  REQUIRE_MESSAGE(c.ok(), c.err);
  CHECK(c.out == a.out);
  CHECK(c.err.find("jit: cache hit") != std::string::npos);
  CHECK(c.err.find("rebuilding") == std::string::npos);
}

TEST_CASE("jit: loading the Go runtime keeps the host's SIGURG handler and starts its threads with SIGINT blocked") {
  const gojit::RunResult r = probe({"--signals", "a*3 + " + unique_number(), "a=1"}, test::jit_test_env());
  REQUIRE_MESSAGE(r.ok(), r.err);
  CHECK_MESSAGE(r.out.find("\nsigurg-handled 3\n") != std::string::npos, r.out);  // 3 of 3, as with the vm
  int blocked = -1, threads = -1;
  const std::size_t at = r.out.find("sigint-blocked ");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::sscanf(r.out.c_str() + at, "sigint-blocked %d of %d", &blocked, &threads) == 2);
  CHECK(threads >= 2);  // the Go runtime has threads of its own by now
  CHECK(blocked == threads);
}
