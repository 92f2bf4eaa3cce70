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
#include "backends/gojit/build.hpp"
#include "backends/gojit/goloader.hpp"
#include "backends/gojit/process.hpp"
#include "backends/gojit/sha256.hpp"
#include "backends/tree/tree.hpp"
#include "frontend/format.hpp"
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
  std::vector<const Expr*> exprs;
  const std::string salt = unique_number();  // new to this process's cache
  for (int i = 0; i < 1000; ++i) {
    checked.push_back(test::front(test::random_expression(rng, vars, 3) + " + " + salt, vars));
    exprs.push_back(checked.back().expr.get());
  }
  auto compiled = b->compile_many(exprs, vars.size());
  REQUIRE(compiled.size() == 1000);
  CHECK(test::count_lines_with(log, "-buildmode=plugin") == 1);
  auto tree = make_tree_backend({});
  const std::vector<double> v = {0.5, -2, 3};
  int agree = 0;
  for (std::size_t k = 0; k < exprs.size(); k += 37) {
    const double want = tree->compile(*exprs[k], vars.size())->eval(v.data());
    const double got = compiled[k]->eval(v.data());
    agree += test::ulp_distance(got, want) <= 4;
    CHECK_MESSAGE(test::ulp_distance(got, want) <= 1u << 20, to_sexpr(*exprs[k]));
  }
  // The same expressions again, in this process: no build, no second plugin.Open.
  const auto before = gojit::GoHost::instance().stats().plugins;
  auto again = jit(o)->compile_many(exprs, vars.size());
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
  CHECK(test::count_lines_with(log, "") == lines_after_first);  // no go at all: not even `go env`
  CHECK(second.err.find("identity cached") != std::string::npos);
  CHECK(second.err.find("jit: cache hit") != std::string::npos);
  CHECK(second.err.find("go build") == std::string::npos);

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
    return format_value(make_tree_backend({})->compile(*c.expr, 0)->eval(nullptr));
  };
  test::Checked c = test::front("a + " + unique_number(), {"a"});
  auto compile_with = [&](BackendOptions o) { return what_of([&] { jit(o)->compile(*c.expr, 1); }); };

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
  REQUIRE(b->compile(*c.expr, 0)->eval(nullptr) == 6);  // the loader now runs here
  BackendOptions other;
  other.go_flags = {"-gcflags=-N"};
  const std::string err = what_of([&] { jit(other)->compile(*c.expr, 0); });
  CHECK(err.find("this process already runs the Go loader of another toolchain or other go build flags") !=
        std::string::npos);
  CHECK(err.find("-gcflags=-N") != std::string::npos);
}

TEST_CASE("jit: the loader checks the plugin's manifest and exact Go function types") {
  using namespace gojit;
  jit();
  Cache cache(cache_root(Environment::current()));
  Toolchain tc = probe_toolchain("", cache, 120, nullptr);
  BuildSettings s;
  s.toolchain = &tc;
  s.cache = &cache;
  GoHost& host = GoHost::instance();
  host.ensure_loader(s);
  BuildJob job;
  job.kind = "plugins";
  job.key = sha256_hex("wrong types " + unique_number());
  job.module = "exprjit/wrongtypes" + job.key.substr(0, 16);
  job.source =
      "package main\n\nvar EjManifest = \"exprjit-gojit abi=1 exprs=1 slots=1\"\n\n"
      "func E0(v []float32) float64 { return 1 }\n\nfunc B0(x int) {}\n\nvar E1 = 3\n";
  job.buildmode = "plugin";
  job.what = "a plugin with wrong types";
  BuildResult b = build_or_reuse(s, job);
  CHECK(what_of([&] { host.open_plugin(job.key + "x", b.so_path, "exprjit-gojit abi=1 exprs=2 slots=1"); })
            .find("the plugin's manifest is \"exprjit-gojit abi=1 exprs=1 slots=1\", want \"exprjit-gojit abi=1 "
                  "exprs=2 slots=1\"") != std::string::npos);
  int id = host.open_plugin(job.key, b.so_path, "exprjit-gojit abi=1 exprs=1 slots=1");
  CHECK(what_of([&] { host.lookup(id, "E0", FnKind::row); })
            .find("E0 has type func([]float32) float64, want func(uintptr, uintptr, uintptr, unsafe.Pointer) float64") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id, "B0", FnKind::batch); })
            .find("B0 has type func(int), want func(unsafe.Pointer, unsafe.Pointer, int)") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id, "E1", FnKind::row); }).find("E1 has type *int") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id, "E7", FnKind::row); }).find("E7") != std::string::npos);
  CHECK(what_of([&] { host.lookup(id + 1000, "E0", FnKind::row); }).find("no plugin") != std::string::npos);
}

TEST_CASE("jit: --verbose shows the go command, phase times and loaded plugins; --keep-temps keeps the build") {
  std::ostringstream log;
  BackendOptions o;
  o.verbose = &log;
  o.keep_temps = true;
  auto b = jit(o);
  test::Checked c = test::front("a*a + " + unique_number(), {"a"});
  double two = 2;
  const double v = b->compile(*c.expr, 1)->eval(&two);
  CHECK(v > 4);
  const std::string s = log.str();
  CAPTURE(s);
  for (const char* want : {"jit: codegen ", "jit: toolchain ", "jit: $ cd ", " build '-ldflags=-s -w' -buildmode=plugin -o ",
                           "GOPROXY=off", "jit: go build ", "jit: load ", "jit: symbols ", "jit: first call ",
                           "this process has loaded ", " MiB mapped (plus the loader, ", "Go cannot unload them"})
    CHECK(s.find(want) != std::string::npos);
  const std::size_t kept = s.find("(kept ");
  REQUIRE(kept != std::string::npos);
  const std::string dir = s.substr(kept + 6, s.find(')', kept) - kept - 6);
  CHECK(test::read_file(dir + "/exprjit.go") == b->emit(*c.expr, 1));
  CHECK(test::read_file(dir + "/go.mod").rfind("module exprjit/p", 0) == 0);
}

TEST_CASE("jit: through the exprjit program (-f FILE is one build; missing toolchain exits 1)") {
  test::jit_test_env();
  test::ScratchDir scratch("cli-");
  auto run = [](std::vector<std::string> args) {
    gojit::RunRequest req;
    req.argv = {GOJIT_EXPRJIT};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env = gojit::Environment::current();
    req.timeout_s = 600;
    return gojit::run_process(req);
  };
  gojit::RunResult r = run({"--backend=jit", "1+1.2-5"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "-2.8\n");

  // A file of many lines: one go build, the same output as the VM (exact operations only).
  const std::vector<std::string> vars = {"a", "b"};
  std::mt19937_64 rng(0x5eed'0cc1);
  std::string file = "a = 1.25\nb = -3\n";
  int lines = 0;
  while (lines < 200) {
    std::string text = test::random_expression(rng, vars, 4);
    test::Checked c = test::front(text, vars);
    bool exact = true;  // keep the lines whose result every backend gives bit for bit
    std::function<void(const Expr&)> walk = [&](const Expr& e) {
      std::visit(
          [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, Unary>) walk(*n.operand);
            if constexpr (std::is_same_v<T, Binary>) exact = exact && n.op != BinOp::Pow, walk(*n.lhs), walk(*n.rhs);
            if constexpr (std::is_same_v<T, Conditional>) walk(*n.cond), walk(*n.then_expr), walk(*n.else_expr);
            if constexpr (std::is_same_v<T, Call>) {
              exact = exact && n.fn->exact;
              for (const ExprPtr& a : n.args) walk(*a);
            }
          },
          e.node);
    };
    walk(*c.expr);
    if (!exact) continue;
    file += text + " + " + unique_number() + "\n";
    ++lines;
  }
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
  CHECK(emit.out.find("func E0(_, _, _ uintptr, vp unsafe.Pointer) float64") != std::string::npos);

  gojit::RunResult missing = run({"--backend=jit", "--go=" + scratch.path() + "/no-go", "1+1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.empty());
  CHECK(missing.err.rfind("error: the jit backend needs a Go toolchain (>= 1.19): --go=", 0) == 0);
  CHECK(run({"--backend=vm", "1+1"}).out == "2\n");  // the other backends do not care
}
