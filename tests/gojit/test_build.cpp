// test_build.cpp — the build layer of the Go JIT, which needs no Go toolchain: SHA-256,
// cache keys, directory trust and entries, toolchain search and environment, and the
// process runner.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "backends/gojit/build/cache.hpp"
#include "backends/gojit/build/process.hpp"
#include "backends/gojit/build/sha256.hpp"
#include "backends/gojit/build/toolchain.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using namespace exprjit::gojit;

TEST_CASE("sha256: FIPS 180-4 examples, and split updates equal one update") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::mt19937_64 rng(7);
  for (std::size_t len = 0; len < 700; len += 1 + len / 8) {
    std::string s(len, '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    Sha256 split;
    split.update(s.substr(0, len / 3));
    split.update(s.substr(len / 3));
    CHECK(split.hex() == sha256_hex(s));
  }
}

TEST_CASE("cache: which directories are trusted") {
  struct stat st{};
  st.st_mode = S_IFDIR | 0700;
  st.st_uid = 1000;
  CHECK_FALSE(distrust_reason(st, 1000, false));
  st.st_mode = S_IFDIR | 0755;
  CHECK_FALSE(distrust_reason(st, 1000, false));  // readable by others is fine
  st.st_mode = S_IFDIR | 0770;
  CHECK(distrust_reason(st, 1000, false).value().find("writable by group or others (mode 0770)") != std::string::npos);
  st.st_mode = S_IFDIR | 0707;
  CHECK(distrust_reason(st, 1000, false));
  st.st_mode = S_IFDIR | 0700;
  st.st_uid = 1001;
  CHECK(distrust_reason(st, 1000, false).value().find("owned by uid 1001, not by you (uid 1000)") != std::string::npos);
  st.st_uid = 0;
  CHECK(distrust_reason(st, 1000, false));        // root's directory is not the user's cache
  CHECK_FALSE(distrust_reason(st, 1000, true));   // but may be above it
  st.st_mode = S_IFDIR | 01777;                   // /tmp
  CHECK_FALSE(distrust_reason(st, 1000, true));
  st.st_mode = S_IFDIR | 0777;                    // world-writable, not sticky
  CHECK(distrust_reason(st, 1000, true).value().find("without the sticky bit") != std::string::npos);
  st.st_mode = S_IFDIR | 0755;
  st.st_uid = 1001;
  CHECK(distrust_reason(st, 1000, true).value().find("neither you nor root") != std::string::npos);
  st.st_mode = S_IFREG | 0600;
  st.st_uid = 1000;
  CHECK(distrust_reason(st, 1000, false).value() == "is not a directory");
}

TEST_CASE("cache: created 0700, a writable-by-others directory refused with the reason") {
  test::ScratchDir scratch("trust-");
  const std::string fresh = scratch.path() + "/a/b/exprjit";
  Cache cache(fresh);
  struct stat st{};
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  const std::string open_dir = scratch.path() + "/open";
  ::mkdir(open_dir.c_str(), 0700);
  ::chmod(open_dir.c_str(), 0777);
  try {
    Cache bad(open_dir);
    FAIL("a world-writable cache directory was accepted");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("refusing the jit cache directory") != std::string::npos);
    CHECK(std::string(e.what()).find("writable by group or others (mode 0777)") != std::string::npos);
    CHECK(std::string(e.what()).find("would run as you") != std::string::npos);
  }
  // Under a world-writable, non-sticky parent the cache could be swapped: refused too.
  try {
    Cache below(open_dir + "/exprjit");
    FAIL("a cache below a world-writable directory was accepted");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("its parent " + open_dir) != std::string::npos);
  }
}

TEST_CASE("cache: keys are 64 lowercase hex digits, typed by what they hold") {
  const CacheKey k = CacheKey::of("exprjit-test", "content");
  CHECK(k.hex().size() == 64);
  CHECK(k == CacheKey::of("exprjit-test", "content"));
  CHECK_FALSE(k == CacheKey::of("exprjit-other", "content"));  // the domain is part of the key
  CHECK(CacheKey::from_hex(k.hex()) == k);
  CHECK_FALSE(CacheKey::from_hex(k.hex().substr(1)));
  std::string upper = k.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != k.hex()) CHECK_FALSE(CacheKey::from_hex(upper));
  CHECK_FALSE(CacheKey::from_hex(std::string(63, 'a') + "/"));
  CHECK(k.module_path(CacheKind::plugin) == "exprjit/p" + k.hex().substr(0, 32));
  CHECK(k.module_path(CacheKind::loader) == "exprjit/l" + k.hex().substr(0, 32));
  CHECK(cache_dir_name(CacheKind::plugin) == "plugins");
  CHECK(cache_dir_name(CacheKind::loader) == "loader");
  CHECK(cache_dir_name(CacheKind::toolchain) == "toolchains");
}

TEST_CASE("cache: entries round-trip; truncated, altered and planted files are detected") {
  // The toolchain kind holds no Go builds; plugin and loader entries must also be Go
  // builds of their key (below, and test_jit_foreign.cpp).
  test::ScratchDir scratch("entries-");
  Cache cache(scratch.path() + "/c");
  auto built = [&](const std::string& content) {
    std::string dir = cache.make_temp_dir("build-");
    std::ofstream(dir + "/out.so", std::ios::binary) << content;
    return dir + "/out.so";
  };
  const std::string dir = cache.root() + "/toolchains/";
  auto key = [](const char* name) { return CacheKey::of("exprjit-test", name); };
  std::string damage;
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a1"), &damage));
  CHECK(damage.empty());  // a plain miss
  const std::string path = cache.store(CacheKind::toolchain, key("a1"), built("hello plugin")).path;
  CHECK(cache.lookup(CacheKind::toolchain, key("a1"), &damage)->path == path);
  // Truncated.
  std::filesystem::resize_file(path, 5);
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a1"), &damage));
  CHECK(damage.find("truncated") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));  // removed, so the next build replaces it
  // Same size, other bytes.
  const std::string p2 = cache.store(CacheKind::toolchain, key("a2"), built("abcdef")).path;
  std::ofstream(p2, std::ios::binary) << "abcdeF";
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a2"), &damage));
  CHECK(damage.find("corrupt") != std::string::npos);
  // A damaged record.
  cache.store(CacheKind::toolchain, key("a3"), built("xyz"));
  std::ofstream(dir + key("a3").hex() + ".entry", std::ios::app) << "file ../../evil.so\n";
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a3"), &damage));
  CHECK(damage.find("damaged") != std::string::npos);
  // A record naming a file outside the cache is refused even with a valid checksum.
  cache.write_record(CacheKind::toolchain, key("a4").hex() + ".entry", "file ../evil.so\nsha256 00\nsize 1\n");
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a4"), &damage));
  CHECK(damage.find("unexpected file") != std::string::npos);
  // A FIFO in place of a record is a damaged record, not a hang.
  REQUIRE(::mkfifo((dir + key("a5").hex() + ".entry").c_str(), 0600) == 0);
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a5"), &damage));
  CHECK(damage.find("damaged") != std::string::npos);
  // A FIFO in place of the file a record names is refused too.
  cache.store(CacheKind::toolchain, key("a6"), built("fifo"));
  const std::string p6 = cache.lookup(CacheKind::toolchain, key("a6"), &damage)->path;
  std::filesystem::remove(p6);
  REQUIRE(::mkfifo(p6.c_str(), 0600) == 0);
  CHECK_FALSE(cache.lookup(CacheKind::toolchain, key("a6"), &damage));
  CHECK(damage.find("cannot be used") != std::string::npos);
  // A plugin entry must be a Go build of its key: any other file is damage.
  cache.store(CacheKind::plugin, key("p1"), built("not an ELF file"));
  CHECK_FALSE(cache.lookup(CacheKind::plugin, key("p1"), &damage));
  CHECK(damage.find("not a Go build of exprjit") != std::string::npos);
  // Records round-trip and are checksummed.
  cache.write_record(CacheKind::toolchain, "x.env", "GOVERSION=go1.23\n");
  CHECK(cache.read_record(CacheKind::toolchain, "x.env") == "GOVERSION=go1.23\n");
  std::ofstream(dir + "x.env", std::ios::app) << "GOROOT=/evil\n";
  CHECK_FALSE(cache.read_record(CacheKind::toolchain, "x.env"));
  // The temporary directory is private.
  struct stat st{};
  std::string tmp = cache.make_temp_dir("build-");
  REQUIRE(::stat(tmp.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("cache: location from EXPRJIT_CACHE_DIR, XDG_CACHE_HOME, HOME") {
  Environment env;
  env.set("HOME", "/home/u");
  CHECK(cache_root(env) == "/home/u/.cache/exprjit");
  env.set("XDG_CACHE_HOME", "/xdg");
  CHECK(cache_root(env) == "/xdg/exprjit");
  env.set("XDG_CACHE_HOME", "relative");  // not absolute: ignored, as the XDG spec says
  CHECK(cache_root(env) == "/home/u/.cache/exprjit");
  env.set("EXPRJIT_CACHE_DIR", "/mine");
  CHECK(cache_root(env) == "/mine");
}

TEST_CASE("toolchain: search order and what was tried") {
  test::ScratchDir scratch("find-");
  Environment env;
  const std::string nowhere = scratch.path() + "/none/go";
  std::string tried;
  CHECK_FALSE(find_go(scratch.path() + "/missing-go", env, &tried, nowhere));
  CHECK(tried == "--go=" + scratch.path() + "/missing-go (not found)");
  // An explicit EXPRJIT_GO that does not exist is an error, not a reason to look further.
  env.set("EXPRJIT_GO", scratch.path() + "/nope");
  CHECK_FALSE(find_go("", env, &tried, nowhere));
  CHECK(tried.find("EXPRJIT_GO=" + scratch.path() + "/nope (not found)") != std::string::npos);
  env.unset("EXPRJIT_GO");
  env.set("PATH", scratch.path() + "/bin1:" + scratch.path() + "/bin2");
  CHECK_FALSE(find_go("", env, &tried, nowhere));
  CHECK(tried == "EXPRJIT_GO (not set); " + nowhere + " (not found); go on PATH (not found)");
  ::mkdir((scratch.path() + "/bin2").c_str(), 0700);
  const std::string on_path = test::write_script(scratch.path() + "/bin2", "go", "exit 0\n");
  CHECK(find_go("", env, &tried, nowhere) == on_path);
  const std::string preferred = test::write_script(scratch.path(), "go123", "exit 0\n");
  CHECK(find_go("", env, &tried, preferred) == preferred);
  env.set("EXPRJIT_GO", on_path);
  CHECK(find_go("", env, &tried, preferred) == on_path);
  CHECK(find_go(preferred, env, &tried, nowhere) == preferred);
  std::ofstream(scratch.path() + "/plain") << "x";
  CHECK_FALSE(find_go(scratch.path() + "/plain", env, &tried, nowhere));
  CHECK(tried.find("not executable") != std::string::npos);
}

TEST_CASE("toolchain: versions and the environment go runs in") {
  CHECK(go_minor_version("go1.23.5") == 23);
  CHECK(go_minor_version("go1.19") == 19);
  CHECK(go_minor_version("devel go1.24-abcdef Tue") == 24);
  CHECK_FALSE(go_minor_version("go2"));
  CHECK_FALSE(go_minor_version(""));
  test::ScratchDir scratch("env-");
  Cache cache(scratch.path() + "/c");
  Environment base;
  base.set("GOFLAGS", "-mod=vendor");
  base.set("PATH", "/usr/bin");
  Environment e = go_environment(base, cache);
  CHECK_FALSE(e.get("GOFLAGS"));
  CHECK(e.get("GOPROXY") == "off");
  CHECK(e.get("GOTOOLCHAIN") == "local");
  CHECK(e.get("GOENV") == "off");
  CHECK(e.get("CGO_ENABLED") == "1");
  CHECK(e.get("GOCACHE") == scratch.path() + "/c/go-build");  // no HOME, no XDG: ours
  // A GOCACHE of the environment is used when it passes the cache's trust rules...
  const std::string mine = scratch.path() + "/gocache";
  base.set("GOCACHE", mine);
  CHECK(go_environment(base, cache).get("GOCACHE").value_or("").find("gocache") != std::string::npos);
  // ...and refused, with the reason, when others could plant compiled packages in it.
  const std::string open_dir = scratch.path() + "/open";
  ::mkdir(open_dir.c_str(), 0700);
  ::chmod(open_dir.c_str(), 0777);
  base.set("GOCACHE", open_dir + "/gocache");
  const std::string why = test::what_of([&] { go_environment(base, cache); });
  CHECK(why.find("GOCACHE") != std::string::npos);
  CHECK(why.find("sticky") != std::string::npos);
}

TEST_CASE("process: argument vector, exit status, captured stderr, no shell") {
  test::ScratchDir scratch("proc-");
  RunRequest req;
  req.env = Environment::current();
  req.argv = {test::write_script(scratch.path(), "s", "echo out; echo \"$1|$2\" >&2; exit 3\n"), "a b; rm -rf /", "$HOME"};
  RunResult r = run_process(req);
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.ok());
  CHECK(r.out == "out\n");
  CHECK(r.err == "a b; rm -rf /|$HOME\n");  // arguments arrive verbatim
  CHECK(describe_outcome(r, 1) == "exited with status 3");
  req.argv = {scratch.path() + "/does-not-exist"};
  CHECK_THROWS_AS(run_process(req), std::runtime_error);
  req.argv = {"/bin/pwd"};
  req.cwd = scratch.path();
  CHECK(run_process(req).out == scratch.path() + "\n");
}

TEST_CASE("process: a timeout kills the whole process group") {
  test::ScratchDir scratch("hang-");
  const std::string pidfile = scratch.path() + "/child.pid";
  RunRequest req;
  req.env = Environment::current();
  // The script starts a grandchild that would outlive it, then hangs.
  req.argv = {test::write_script(scratch.path(), "hang", "sleep 300 & echo $! > " + pidfile + "\necho started >&2\nwait\n")};
  req.timeout_s = 0.5;
  RunResult r = run_process(req);
  CHECK(r.timed_out);
  CHECK(r.err == "started\n");
  CHECK(describe_outcome(r, 0.5).find("did not finish within 0.5 s") != std::string::npos);
  CHECK(r.seconds < 30);  // a guard against a hang, not a speed goal
  std::string pid = test::read_file(pidfile);
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  // The grandchild is gone (or a zombie waiting for init to reap it).
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string line;
    dead = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!dead) ::usleep(20000);
  }
  CHECK(dead);
}

TEST_CASE("process: an infinite or huge timeout is no deadline, never an overflow") {
  test::ScratchDir scratch("forever-");
  RunRequest req;
  req.env = Environment::current();
  req.argv = {test::write_script(scratch.path(), "s", "sleep 0.2; echo done\n")};
  for (double t : {static_cast<double>(INFINITY), 1e300, 9.3e9, 3.2e7}) {
    CAPTURE(t);
    req.timeout_s = t;
    const RunResult r = run_process(req);
    CHECK_FALSE(r.timed_out);
    CHECK(r.ok());
    CHECK(r.out == "done\n");
  }
}

TEST_CASE("cache: a root reached through a symlink is resolved once; swapping the link later redirects nothing") {
  test::ScratchDir scratch("link-");
  const std::string real = scratch.path() + "/real", other = scratch.path() + "/other", link = scratch.path() + "/link";
  ::mkdir(real.c_str(), 0700);
  ::mkdir(other.c_str(), 0700);
  REQUIRE(::symlink(real.c_str(), link.c_str()) == 0);
  Cache cache(link);
  CHECK(cache.root() == std::filesystem::canonical(real).string());
  // Another user's swap loop would retarget the link between the check and the use.
  std::filesystem::remove(link);
  REQUIRE(::symlink(other.c_str(), link.c_str()) == 0);
  const std::string dir = cache.make_temp_dir("build-");
  std::ofstream(dir + "/out.so", std::ios::binary) << "bytes";
  const CacheKey key = CacheKey::of("exprjit-test", "link");
  const CacheFile f = cache.store(CacheKind::toolchain, key, dir + "/out.so");
  CHECK(f.path.rfind(std::filesystem::canonical(real).string(), 0) == 0);
  CHECK(std::filesystem::exists(real + "/toolchains/" + key.hex() + ".entry"));
  CHECK_FALSE(std::filesystem::exists(other + "/toolchains"));
  std::string damage;
  CHECK(cache.lookup(CacheKind::toolchain, key, &damage));
}

TEST_CASE("process: shell quoting for display") {
  CHECK(shell_quote("plain-word_1.2/x") == "plain-word_1.2/x");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("") == "''");
}
