// test_codegen.cpp — the parts of the Go JIT that need no Go toolchain: SHA-256, the code
// generator (golden files, determinism, injection-proofing), cache-directory trust and
// entries, toolchain search, and the process runner.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "backends/gojit/cachedir.hpp"
#include "backends/gojit/codegen.hpp"
#include "backends/gojit/go_helpers.hpp"
#include "backends/gojit/process.hpp"
#include "backends/gojit/sha256.hpp"
#include "backends/gojit/toolchain.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using namespace exprjit::gojit;

namespace {

std::string go_of(std::string_view text, const std::vector<std::string>& vars) {
  test::Checked c = test::front(text, vars);
  const Expr* e = c.expr.get();
  return generate_go({&e, 1}, vars.size());
}

// The identifiers of a Go source text (comments and string literals skipped).
std::vector<std::string> go_identifiers(const std::string& s) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    if (s.compare(i, 2, "//") == 0) {
      i = s.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '"') {
      i = s.find('"', i + 1) + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;  // 0x3ff0..., 19
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      ids.push_back(s.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  return ids;
}

bool allowed_identifier(const std::string& id) {
  static const std::set<std::string> fixed = {
      "package", "main",    "import", "math", "unsafe", "Pointer", "Add",  "var",  "func",  "return",
      "if",      "else",    "for",    "float64", "uintptr", "int", "_",  "v",    "vp",    "cols",
      "out",     "n",       "i",      "ejB",  "ejTruth", "ejNot", "ejSq", "EjManifest", "Float64frombits"};
  if (fixed.count(id)) return true;
  for (const Builtin& b : builtins()) {  // math.Sqrt -> "math", "Sqrt"; ejMin; math.Floor -> ejFloor
    const std::string_view go = go_callee(b.go);
    if (id == (go.substr(0, 5) == "math." ? go.substr(5) : go)) return true;
  }
  if (id.size() >= 2 && std::string("kctxEB").find(id[0]) != std::string::npos &&
      id.find_first_not_of("0123456789", 1) == std::string::npos)
    return true;
  return false;
}

}  // namespace

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

TEST_CASE("codegen: golden files") {
  struct Golden {
    const char* name;
    const char* expr;
    std::vector<std::string> vars;
  };
  const std::vector<Golden> cases = {
      {"arith", "1+1.2-5", {}},
      {"precedence", "(1+2)*3 - -a^2 % b", {"a", "b"}},
      {"conditional", "x < y ? x : y > 0 ? min(x, y, 3) : clamp(-1, x, 1)", {"x", "y"}},
      {"logic", "!a && (b || sign(a)) != 0 + pi", {"a", "b"}},
  };
  const bool update = std::getenv("EXPRJIT_UPDATE_GOLDEN") != nullptr;
  for (const Golden& g : cases) {
    CAPTURE(g.name);
    const std::string path = test::source_dir() + "/tests/gojit/golden/" + g.name + ".go";
    const std::string got = go_of(g.expr, g.vars);
    if (update) {
      std::ofstream(path, std::ios::binary) << got;
      MESSAGE("updated " << path);
      continue;
    }
    CHECK(got == test::read_file(path));
  }
}

TEST_CASE("codegen: the same input gives the same bytes") {
  std::mt19937_64 rng(11);
  const std::vector<std::string> vars = {"a", "b", "c"};
  for (int i = 0; i < 200; ++i) {
    std::string text = test::random_expression(rng, vars, 6);
    CAPTURE(text);
    CHECK(go_of(text, vars) == go_of(text, vars));
  }
}

TEST_CASE("codegen: structure follows the tree (parentheses, precedence, no fusable products)") {
  const std::vector<std::string> abc = {"a", "b", "c"};
  CHECK(go_of("(a+b)*c", abc).find("return float64(float64(v[0] + v[1]) * v[2])") != std::string::npos);
  CHECK(go_of("a+b*c", abc).find("return float64(v[0] + float64(v[1] * v[2]))") != std::string::npos);
  CHECK(go_of("a*b+c", abc).find("return float64(float64(v[0] * v[1]) + v[2])") != std::string::npos);
  CHECK(go_of("a*b+c", abc).find("*(*float64)(unsafe.Add(out, i)) = float64(float64(x0 * x1) + x2)") !=
        std::string::npos);
  CHECK(go_of("-a^3", {"a"}).find("return (-ejPow(v[0], k0))") != std::string::npos);
  CHECK(go_of("a^b^c", abc).find("return ejPow(v[0], ejPow(v[1], v[2]))") != std::string::npos);
  CHECK(go_of("- -a", {"a"}).find("return (-(-v[0]))") != std::string::npos);
  CHECK(go_of("-a%b", abc).find("return math.Mod((-v[0]), v[1])") != std::string::npos);
  CHECK(go_of("max(a, b, c, 4)", abc).find("return ejMax(ejMax(ejMax(v[0], v[1]), v[2]), k0)") != std::string::npos);
  CHECK(go_of("min(a)", {"a"}).find("return v[0]\n") != std::string::npos);
  // Literals are locals from their bits, never untyped constants Go would fold exactly.
  const std::string s = go_of("a*0.1+0.2", {"a"});
  CHECK(s.find("k0 := math.Float64frombits(0x3fb999999999999a) // 0.1") != std::string::npos);
  CHECK(s.find("k1 := math.Float64frombits(0x3fc999999999999a) // 0.2") != std::string::npos);
  // Only the chosen branch of a conditional runs: its value is computed inside if/else.
  const std::string cond = go_of("a ? b : c", {"a", "b", "c"});
  CHECK(cond.find("if ejTruth(v[0]) {\n\t\tt0 = v[1]\n\t} else {\n\t\tt0 = v[2]\n\t}\n\treturn t0") !=
        std::string::npos);
  // x^2 is the correctly rounded square.
  CHECK(go_of("a^2", {"a"}).find("return ejSq(v[0])") != std::string::npos);
  CHECK(go_of("(a+1)^2.0", {"a"}).find("return ejSq(float64(v[0] + k0))") != std::string::npos);
  CHECK(go_of("a^-2", {"a"}).find("return ejPow(v[0], k0)") != std::string::npos);
}

TEST_CASE("codegen: parts without variables are folded as the tree backend computes them") {
  // IEEE arithmetic, not exact: 0.1+0.2 is 0.30000000000000004, 1/0 is inf.
  CHECK(go_of("0.1+0.2", {}).find("k0 := math.Float64frombits(0x3fd3333333333334) // 0.30000000000000004\n\treturn k0\n") !=
        std::string::npos);
  CHECK(go_of("1/0", {}).find("k0 := math.Float64frombits(0x7ff0000000000000) // inf") != std::string::npos);
  // Calls too (with the C library's value, as the VM folds them).
  const std::string call = go_of("a + sin(2)*3", {"a"});
  CHECK(call.find("ejSin") == std::string::npos);
  char want[64];
  std::snprintf(want, sizeof want, "0x%016llx", static_cast<unsigned long long>(test::bits(std::sin(2.0) * 3)));
  CHECK(call.find(want) != std::string::npos);
  CHECK(call.find("return float64(v[0] + k0)") != std::string::npos);
  // A constant condition keeps only the chosen branch.
  const std::string pick = go_of("1 < 2 ? a : b*sin(b)", {"a", "b"});
  CHECK(pick.find("return v[0]\n") != std::string::npos);
  CHECK(pick.find("if ") == std::string::npos);
  CHECK(pick.find("ejSin") == std::string::npos);
  CHECK(go_of("0 ? a : 2^10", {"a"}).find("k0 := math.Float64frombits(0x4090000000000000) // 1024\n\treturn k0") !=
        std::string::npos);
}

TEST_CASE("codegen: identifiers never reach the source; only slots do") {
  const std::string want = go_of("a + b*2 - f", {"a", "b", "f"});
  const std::vector<std::vector<std::string>> hostile = {
      {"panic", "os", "exit"},
      {"v", "cols", "out"},
      {"E0", "B0", "EjManifest"},
      {"func", "import", "return"},
      {"math", "main", "package"},
      {"_", "__", "init"},
      {"k0", "t0", "c0"},
      {std::string(5000, 'x'), "zzHostileZZ", "ejB"},
  };
  for (const auto& names : hostile) {
    std::string text = names[0] + " + " + names[1] + "*2 - " + names[2];
    CAPTURE(names[1]);
    const std::string got = go_of(text, names);
    CHECK(got == want);
    CHECK(got.find("zzHostileZZ") == std::string::npos);
  }
}

TEST_CASE("codegen: numbers are re-printed from their bits, whatever their spelling") {
  const std::string want = go_of("1.5 * a", {"a"});
  for (const char* spelling : {"1.50 * a", "15e-1 * a", "0.15E+1 * a", "000001.5000 * a", "1.500000000000000000001 * a"})
    CHECK(go_of(spelling, {"a"}) == want);
  CHECK(go_of("1e400", {}).find("math.Float64frombits(0x7ff0000000000000) // inf") != std::string::npos);
  CHECK(go_of("1e-400", {}).find("math.Float64frombits(0x0000000000000000) // 0") != std::string::npos);
  CHECK(go_of("pi", {}).find("math.Float64frombits(0x400921fb54442d18) // 3.141592653589793") != std::string::npos);
}

TEST_CASE("codegen: every identifier of the source comes from exprjit") {
  std::mt19937_64 rng(12);
  const std::vector<std::string> vars = {"alpha", "beta", "gamma_", "Q9"};
  std::vector<test::Checked> kept;
  std::vector<const Expr*> exprs;
  for (int i = 0; i < 150; ++i) {
    kept.push_back(test::front(test::random_expression(rng, vars, 6), vars));
    exprs.push_back(kept.back().expr.get());
  }
  for (const test::ConformanceCase& c : test::load_conformance()) {
    kept.push_back(test::front(c.expr, test::conformance_var_names()));
    exprs.push_back(kept.back().expr.get());
  }
  const std::string all = generate_go(exprs, std::max(vars.size(), test::conformance_var_names().size()));
  // The file ends with helpers copied from the fixed text; everything before is generated.
  const std::size_t helpers = all.find("\n// ---- exprjit helpers");
  REQUIRE(helpers != std::string::npos);
  const std::string src = all.substr(0, helpers);
  const std::string fixed = std::string("\n") + kGoHelpers + kGoTrigHelpers + kGoMathHelpers;
  std::size_t copied = 0;
  for (std::size_t at = all.find('\n', helpers + 1) + 1; at < all.size();) {
    std::size_t nl = all.find('\n', at);
    const std::string line = all.substr(at, nl - at);
    if (!line.empty()) {
      CHECK_MESSAGE(fixed.find("\n" + line + "\n") != std::string::npos, line);
      ++copied;
    }
    at = nl + 1;
  }
  CHECK(copied > 100);
  std::set<std::string> bad;
  for (const std::string& id : go_identifiers(src))
    if (!allowed_identifier(id)) bad.insert(id);
  CHECK(bad.empty());
  for (const std::string& id : bad) MESSAGE("unexpected identifier: " << id);
  for (const std::string& v : vars) CHECK(src.find(v) == std::string::npos);
  // math and unsafe, and math/bits when a copied helper needs it; nothing else.
  CHECK((src.find("import (\n\t\"math\"\n\t\"unsafe\"\n)\n") != std::string::npos ||
         src.find("import (\n\t\"math\"\n\t\"math/bits\"\n\t\"unsafe\"\n)\n") != std::string::npos));
  CHECK(src.find("\nimport", src.find("\nimport") + 1) == std::string::npos);
}

TEST_CASE("codegen: a file carries only the helpers it calls, with their dependencies") {
  CHECK(go_helpers_for({}).empty());
  const std::string pow = go_helpers_for({"ejPow"});
  for (const char* f : {"func ejPow(", "func ejPowInt(", "func ejMulDD(", "func ejLogDD(", "func ejExpDD(", "func ejTwoSum("})
    CHECK(pow.find(f) != std::string::npos);
  CHECK(pow.find("func ejSin(") == std::string::npos);
  const std::string clamp = go_helpers_for({"ejClamp"});
  CHECK(clamp.find("func ejMin(") != std::string::npos);
  CHECK(clamp.find("func ejMax(") != std::string::npos);
  CHECK(clamp.find("func ejB(") == std::string::npos);
  // Each helper appears once, in the fixed order, whatever the set's order.
  const std::string all = go_helpers_for({"ejPow", "ejSin", "ejCos", "ejTan", "ejClamp", "ejB", "ejNot", "ejSign",
                                          "ejLog10", "ejLog2", "ejAsin", "ejAcos", "ejSinh", "ejCosh", "ejExp"});
  CHECK(all.find("func ejTwoSum(") == all.rfind("func ejTwoSum("));
  CHECK(all.find("func ejB(") < all.find("func ejSin("));
  // An expression without literals or helpers still compiles: math stays imported and used.
  const std::string bare = go_of("a", {"a"});
  CHECK(bare.find("var _ = math.Float64frombits") != std::string::npos);
  CHECK(bare.find("---- exprjit helpers") == std::string::npos);
  CHECK(go_of("a < b", {"a", "b"}).find("func ejB(") != std::string::npos);
}

TEST_CASE("codegen: an unchecked tree or a slot out of range is refused") {
  ExprPtr parsed = parse_expression("a + 1");
  const Expr* e = parsed.get();
  CHECK_THROWS_AS(generate_go({&e, 1}, 1), std::invalid_argument);
  test::Checked c = test::front("a + b", {"a", "b"});
  const Expr* ce = c.expr.get();
  CHECK_THROWS_AS(generate_go({&ce, 1}, 1), std::invalid_argument);
  CHECK_NOTHROW(generate_go({&ce, 1}, 2));
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

TEST_CASE("cache: entries round-trip; truncated, altered and planted files are detected") {
  // A kind that holds no Go builds: "plugins" and "loader" entries must also be Go builds of
  // their key (test_jit_foreign.cpp).
  test::ScratchDir scratch("entries-");
  Cache cache(scratch.path() + "/c");
  auto built = [&](const std::string& content) {
    std::string dir = cache.make_temp_dir("build-");
    std::ofstream(dir + "/out.so", std::ios::binary) << content;
    return dir + "/out.so";
  };
  std::string damage;
  CHECK_FALSE(cache.lookup("blobs", "aa01", &damage));
  CHECK(damage.empty());  // a plain miss
  const std::string path = cache.store("blobs", "aa01", built("hello plugin"));
  CHECK(cache.lookup("blobs", "aa01", &damage) == path);
  // Truncated.
  std::filesystem::resize_file(path, 5);
  CHECK_FALSE(cache.lookup("blobs", "aa01", &damage));
  CHECK(damage.find("truncated") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));  // removed, so the next build replaces it
  // Same size, other bytes.
  const std::string p2 = cache.store("blobs", "aa02", built("abcdef"));
  std::ofstream(p2, std::ios::binary) << "abcdeF";
  CHECK_FALSE(cache.lookup("blobs", "aa02", &damage));
  CHECK(damage.find("corrupt") != std::string::npos);
  // A damaged record.
  const std::string p3 = cache.store("blobs", "aa03", built("xyz"));
  {
    std::ofstream rec(cache.subdir("blobs") + "/aa03.entry", std::ios::app);
    rec << "file ../../evil.so\n";
  }
  CHECK_FALSE(cache.lookup("blobs", "aa03", &damage));
  CHECK(damage.find("damaged") != std::string::npos);
  // A record naming a file outside the cache is refused even with a valid checksum.
  write_record(cache.subdir("blobs") + "/aa04.entry", "file ../evil.so\nsha256 00\nsize 1\n");
  CHECK_FALSE(cache.lookup("blobs", "aa04", &damage));
  CHECK(damage.find("unexpected file") != std::string::npos);
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
  base.set("GOCACHE", "/somewhere/else");
  CHECK(go_environment(base, cache).get("GOCACHE") == "/somewhere/else");
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

TEST_CASE("process: shell quoting for display") {
  CHECK(shell_quote("plain-word_1.2/x") == "plain-word_1.2/x");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("") == "''");
}
