// test_codegen.cpp — the Go code generator, which needs no Go toolchain: golden files,
// determinism, the shape of the code (one operation per statement, each rounded; C calls
// through the callee table; outlining), and that nothing of the user's text reaches it.
#include <doctest/doctest.h>

#include <bit>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include "backends/gojit/emit/codegen.hpp"
#include "frontend/lang/builtins.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::gojit;

namespace {

double host_sum(const double* a, std::size_t n, void*) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i];
  return s;
}
double host_twice(double x) noexcept { return 2 * x; }

// Host functions and language functions the generator is tested with.
const Functions& functions() {
  static const Functions f = [] {
    Functions fns;
    auto g = std::make_shared<ir::HostFunction>();
    g->name = "hsum", g->form = ir::HostFunction::Form::general, g->min_args = 0, g->max_args = 0;
    g->fn = reinterpret_cast<void*>(&host_sum);
    fns.define("hsum", ir::HostRef(g));
    auto t = std::make_shared<ir::HostFunction>();
    t->name = "twice", t->min_args = t->max_args = 1, t->fn = reinterpret_cast<void*>(&host_twice), t->nothrow = true;
    fns.define("twice", ir::HostRef(t));
    for (const char* def : {"hyp(x, y) = sqrt(x*x + y*y)", "seven() = 7"}) {
      std::vector<syntax::Statement> st = parse_line(def);
      fns.define(st[0].name, check_definition(st[0], Names{nullptr, &fns, nullptr, {}}, def));
    }
    return fns;
  }();
  return f;
}

GoSource source_of(std::string_view text, const std::vector<std::string>& vars) {
  return generate_go(test::front(text, vars, ParserKind::rd, true, &functions()).unit());
}
std::string go_of(std::string_view text, const std::vector<std::string>& vars) { return source_of(text, vars).text; }
bool has(const std::string& s, std::string_view needle) { return s.find(needle) != std::string::npos; }

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

// What generated code may name: Go keywords and types, the entry points' parameters, the
// helpers, builtins.def's "go" column, and numbered locals and functions.
bool allowed_identifier(const std::string& id) {
  static const std::set<std::string> fixed = {
      "package", "main", "import", "math", "unsafe", "Pointer", "Add", "var", "func", "return", "if", "else",
      "for", "float64", "uintptr", "int", "_", "v", "p", "vp", "pp", "fp", "cols", "out", "n", "i", "in", "a", "acc",
      "nil", "ejB", "ejTruth", "ejNot", "EjManifest", "Float64frombits"};
  if (fixed.count(id)) return true;
  for (const Builtin& b : builtins()) {  // math.Sqrt -> "math", "Sqrt"; ejMin
    const std::string_view go = b.go;
    if (!go.empty() && id == (go.substr(0, 5) == "math." ? go.substr(5) : go)) return true;
  }
  if (id.size() >= 7 && id.compare(0, 6, "ejCall") == 0 && id.find_first_not_of("0123456789", 6) == std::string::npos)
    return true;
  return id.size() >= 2 && std::string("kctxrEPBSF").find(id[0]) != std::string::npos &&
         id.find_first_not_of("0123456789", 1) == std::string::npos;
}

}  // namespace

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
      {"calls", "sin(x) + atan2(y, x) * hyp(x, y) - twice(y) + hsum(x, y, 1) + seven()", {"x", "y"}},
      {"powers", "x^2 + x^-3 + x^0.5 + x^y + x^13", {"x", "y"}},
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

TEST_CASE("codegen: one rounded operation per statement, in the tree's order") {
  const std::vector<std::string> abc = {"a", "b", "c"};
  // (a+b)*c: the sum first, then the product; a*b+c: the product first. Never fusable.
  const std::string s1 = go_of("(a+b)*c", abc);
  CHECK(has(s1, "t0 := v[0]\n\tt0 = float64(t0 + v[1])\n\tt0 = float64(t0 * v[2])\n\treturn t0\n"));
  const std::string s2 = go_of("a+b*c", abc);
  CHECK(has(s2, "t0 := v[0]\n\tt1 := v[1]\n\tt1 = float64(t1 * v[2])\n\tt0 = float64(t0 + t1)\n\treturn t0\n"));
  // The pointer entry reads through pointers, the batch entry from columns.
  CHECK(has(s2, "p := (*[3]*float64)(pp)"));
  CHECK(has(s2, "t0 := *p[0]"));
  CHECK(has(s2, "x0 := *(*float64)(unsafe.Add(c0, i))"));
  CHECK(has(s2, "*(*float64)(unsafe.Add(out, i)) = t0"));
  // Right-associative power, unary minus on the power; % is C's fmod through the table.
  const std::string pw = go_of("a^b^c", abc);
  CHECK(has(pw, "t0 := ejCall2(fp, 0, v[1], v[2])\n\tt1 := ejCall2(fp, 0, v[0], t0)\n"));
  CHECK(has(source_of("a^b^c", abc).manifest, "callees=c:pow"));
  CHECK(has(go_of("-a%b", abc), "t0 := -v[0]\n\tt0 = ejCall2(fp, 0, t0, v[1])\n"));
  CHECK(source_of("-a%b", abc).manifest.find("callees=c:fmod") != std::string::npos);
  // Variadic built-ins fold left.
  CHECK(has(go_of("max(a, b, c, 4)", abc), "t0 := v[0]\n\tt0 = ejMax(t0, v[1])\n\tt0 = ejMax(t0, v[2])\n\tt0 = ejMax(t0, k0)\n"));
  CHECK(has(go_of("min(a)", {"a"}), "return v[0]\n"));
  // Literals are locals from their bits, never untyped constants Go would fold exactly.
  const std::string s = go_of("a*0.1+0.2", {"a"});
  CHECK(has(s, "k0 := math.Float64frombits(0x3fb999999999999a) // 0.1"));
  CHECK(has(s, "k1 := math.Float64frombits(0x3fc999999999999a) // 0.2"));
  // Only the chosen arm of a conditional runs: each is computed inside if/else.
  CHECK(has(go_of("a ? b*c : c", abc),
            "var t0 float64\n\tif v[0] != 0 {\n\t\tt1 := v[1]\n\t\tt1 = float64(t1 * v[2])\n\t\tt0 = t1\n\t} else {\n\t\tt0 = v[2]\n\t}\n"));
}

TEST_CASE("codegen: integer-literal powers are the spec's multiplication chain") {
  // x^2 = x*x; x^13 = x * x^4 * x^8 (binary powering, r = 1 left out); x^-3 = 1/(x*x^2).
  CHECK(has(go_of("a^2", {"a"}), "t0 := float64(v[0] * v[0])\n\treturn t0\n"));
  CHECK(has(go_of("a^13", {"a"}),
            "t0 := float64(v[0] * v[0])\n\tt1 := float64(t0 * t0)\n\tt2 := float64(v[0] * t1)\n\tt3 := float64(t1 * t1)\n"
            "\tt4 := float64(t2 * t3)\n\treturn t4\n"));
  CHECK(has(go_of("a^-3", {"a"}), "t0 := float64(v[0] * v[0])\n\tt1 := float64(v[0] * t0)\n\tt2 := float64(k0 / t1)\n"));
  // x^0 is 1 whatever x is, and x is not computed; a non-integer or large literal calls pow.
  CHECK(has(go_of("sin(a)^0", {"a"}), "return k0\n"));
  CHECK_FALSE(has(go_of("sin(a)^0", {"a"}), "ejCall"));
  CHECK(has(go_of("a^0.5", {"a"}), "ejCall2(fp, 0, v[0], k0)"));
  CHECK(has(go_of("a^65", {"a"}), "ejCall2(fp, 0, v[0], k0)"));
  CHECK(has(go_of("a^64", {"a"}), "float64(t4 * t4)"));
  CHECK(go_of("a^(2)", {"a"}) == go_of("a^2", {"a"}));  // a parenthesised, signed or .0 literal is one too
  CHECK(go_of("a^(-2)", {"a"}) == go_of("a^-2", {"a"}));
  CHECK(go_of("a^2.0", {"a"}) == go_of("a^2", {"a"}));
  CHECK(has(go_of("a^(1+1)", {"a", "b"}), "ejCall2("));  // an exponent that is not a literal: pow
}

TEST_CASE("codegen: C functions, host functions and language functions") {
  const std::vector<std::string> xy = {"x", "y"};
  // A C built-in: its slot of the callee table, named in the manifest.
  const GoSource sin = source_of("sin(x) + cos(y) + sin(y)", xy);
  CHECK(has(sin.text, "ejCall1(fp, 0, v[0])"));
  CHECK(has(sin.text, "ejCall1(fp, 8, v[1])"));
  CHECK(has(sin.text, "ejCall1(fp, 0, v[1])"));  // one slot per function
  CHECK(has(sin.manifest, "callees=c:sin,c:cos"));
  REQUIRE(sin.callees.size() == 2);
  // A built-in Go computes exactly (sqrt, floor, ...) is Go's own.
  CHECK(has(go_of("sqrt(x) + floor(y)", xy), "math.Sqrt(v[0])"));
  // Host functions by number and arity; a general one's arity is part of its slot.
  const GoSource h = source_of("twice(x) + hsum(x) + hsum(x, y) + hsum(x)", xy);
  CHECK(has(h.manifest, "callees=h0/1,h1/1,h1/2"));
  // A language function is a Go function F<j> of its parameters.
  const std::string f = go_of("hyp(x, y) + seven()", xy);
  CHECK(has(f, "func F0(a *[2]float64, fp unsafe.Pointer) float64 {"));
  CHECK(has(f, "math.Sqrt("));
  CHECK(has(f, "var r0 [2]float64\n\tr0[0] = v[0]\n\tr0[1] = v[1]\n\tt1 := F0(&r0, fp)\n"));
  CHECK_FALSE(has(f, "func F1("));  // seven() is folded: a function of no variables is a constant
  CHECK(has(go_of("seven() + x", xy), "k0 := math.Float64frombits(0x401c000000000000) // 7"));
  // More arguments than a C call takes: the unit is refused, so the backend falls back.
  std::string many = "hsum(x";
  for (std::size_t i = 0; i < kMaxCallArgs; ++i) many += ", y";
  CHECK_THROWS_AS(source_of(many + ")", xy), Unsupported);
  CHECK_NOTHROW(source_of("hsum(x, y, y, y, y, y, y, y)", xy));
}

TEST_CASE("codegen: parts without variables are folded as the reference computes them") {
  // IEEE arithmetic, not exact: 0.1+0.2 is 0.30000000000000004, 1/0 is inf.
  CHECK(has(go_of("0.1+0.2", {}), "k0 := math.Float64frombits(0x3fd3333333333334) // 0.30000000000000004\n\treturn k0\n"));
  CHECK(has(go_of("1/0", {}), "k0 := math.Float64frombits(0x7ff0000000000000) // inf"));
  // Calls too, with the C library's value: no call is left.
  const std::string call = go_of("a + sin(2)*3", {"a"});
  CHECK_FALSE(has(call, "ejCall"));
  char want[64];
  std::snprintf(want, sizeof want, "0x%016llx", static_cast<unsigned long long>(test::bits(std::sin(2.0) * 3)));
  CHECK(has(call, want));
  // A constant condition keeps only the chosen arm.
  const std::string pick = go_of("1 < 2 ? a : b*sin(b)", {"a", "b"});
  CHECK(has(pick, "return v[0]\n"));
  CHECK_FALSE(has(pick, "if "));
  CHECK_FALSE(has(pick, "ejCall"));
}

TEST_CASE("codegen: identifiers never reach the source; only slots do") {
  const std::string want = go_of("a + b*2 - f", {"a", "b", "f"});
  const std::vector<std::vector<std::string>> hostile = {
      {"panic", "os", "exit"},   {"v", "cols", "out"},     {"E0", "B0", "EjManifest"},
      {"func", "import", "return"}, {"math", "main", "package"}, {"_", "__", "init"},
      {"k0", "t0", "c0"},        {std::string(5000, 'x'), "zzHostileZZ", "ejB"},
  };
  for (const auto& names : hostile) {
    std::string text = names[0] + " + " + names[1] + "*2 - " + names[2];
    CAPTURE(names[1]);
    const std::string got = go_of(text, names);
    CHECK(got == want);
    CHECK_FALSE(has(got, "zzHostileZZ"));
  }
}

TEST_CASE("codegen: numbers are re-printed from their bits, whatever their spelling") {
  const std::string want = go_of("1.5 * a", {"a"});
  for (const char* spelling : {"1.50 * a", "15e-1 * a", "0.15E+1 * a", "000001.5000 * a", "1.500000000000000000001 * a"})
    CHECK(go_of(spelling, {"a"}) == want);
  CHECK(has(go_of("1e400", {}), "math.Float64frombits(0x7ff0000000000000) // inf"));
  CHECK(has(go_of("1e-400", {}), "math.Float64frombits(0x0000000000000000) // 0"));
  CHECK(has(go_of("pi", {}), "math.Float64frombits(0x400921fb54442d18) // 3.141592653589793"));
}

TEST_CASE("codegen: every identifier of the source comes from exprjit") {
  std::mt19937_64 rng(12);
  const std::vector<std::string> vars = {"alpha", "beta", "gamma_", "Q9"};
  std::vector<test::Checked> kept;
  for (int i = 0; i < 150; ++i) kept.push_back(test::front(test::random_expression(rng, vars, 6), vars));
  const std::string src = generate_go(test::unit_of(kept)).text;
  std::vector<test::Checked> conf;
  for (const test::ConformanceCase& c : test::load_conformance())
    conf.push_back(test::front(c.expr, test::conformance_var_names()));
  const std::string all = src + generate_go(test::unit_of(conf)).text;
  std::set<std::string> bad;
  for (const std::string& id : go_identifiers(all))
    if (!allowed_identifier(id)) bad.insert(id);
  CHECK(bad.empty());
  for (const std::string& id : bad) MESSAGE("unexpected identifier: " << id);
  for (const std::string& v : vars) CHECK_FALSE(has(src, v));
  // math and unsafe; nothing else.
  CHECK(has(src, "import (\n\t\"math\"\n\t\"unsafe\"\n)\n"));
  CHECK(src.find("\nimport", src.find("\nimport") + 1) == std::string::npos);
}

TEST_CASE("codegen: big expressions are cut into functions of bounded size") {
  // A 20000-term sum, a deep nesting, a wide fold: no generated function holds more than a few
  // thousand statements, so the Go compiler's time stays linear in the expression's size.
  std::string sum = "a";
  for (int i = 1; i < 20000; ++i) sum += i % 2 ? " + b*" + std::to_string(i) : " - a";
  std::string deep = "a";
  for (int i = 0; i < 900; ++i) deep = "sin(" + deep + ") + b*" + std::to_string(i);
  // A min of 3000 conditionals (it took 6.5 s to build as one function of 1000 arguments,
  // each held live until the fold at the end; 3000 hit the build timeout).
  std::string fold = "min(a";
  for (int i = 0; i < 3000; ++i) fold += ", a < " + std::to_string(i) + ".5 ? " + std::to_string(i) + " : b*" + std::to_string(i);
  fold += ")";
  for (const std::string& text : {sum, deep, fold}) {
    const std::string go = go_of(text, {"a", "b"});
    CHECK(has(go, "func S0("));
    std::size_t longest = 0, lines = 0;
    for (std::size_t at = 0; at < go.size();) {
      const std::size_t nl = go.find('\n', at);
      const std::string line = go.substr(at, nl - at);
      if (line.rfind("func ", 0) == 0) lines = 0;
      longest = std::max(longest, ++lines);
      at = nl + 1;
    }
    CHECK(longest < 4000);
  }
}

TEST_CASE("codegen: the manifest names the ABI, the unit's shape and its callees") {
  const GoSource s = source_of("sin(a) + b", {"a", "b", "c"});
  CHECK(s.manifest == "exprjit-gojit abi=" + std::to_string(kAbiVersion) + " exprs=1 slots=3 callees=c:sin");
  CHECK(has(s.text, "var EjManifest = \"" + s.manifest + "\"\n"));
  CHECK(plugin_manifest(2, 0, {}) == "exprjit-gojit abi=" + std::to_string(kAbiVersion) + " exprs=2 slots=0 callees=");
  for (const char* name : {"E0(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64",
                           "P0(_, _, _ uintptr, pp unsafe.Pointer, fp unsafe.Pointer) float64",
                           "B0(cols, out unsafe.Pointer, n int, fp unsafe.Pointer)"})
    CHECK(has(s.text, std::string("func ") + name + " {"));
}

TEST_CASE("codegen: the helpers are a Go file with every helper the generator and the table name") {
  const std::string helpers = kHelpersGo;
  CHECK(has(helpers, "package main\n"));
  for (const char* f : {"func ejB(", "func ejTruth(", "func ejNot(", "func ejCall0(", "func ejCall8("}) CHECK(has(helpers, f));
  for (const Builtin& b : builtins())
    if (!b.go.empty() && std::string_view(b.go).substr(0, 5) != "math.")
      CHECK_MESSAGE(has(helpers, "func " + std::string(b.go) + "("), b.name);
  // Each C call wrapper is kept out of line: the vetter recognises its exact call sequence.
  CHECK(has(helpers, "//go:noinline\nfunc ejCall1("));
}
