// test_api.cpp — the embedding API as a user sees it (only <exprjit/exprjit.hpp>): binding,
// evaluation orders, errors with positions, backend choice, copies and lifetimes.
#include <doctest/doctest.h>

#include <cmath>
#include <exprjit/exprjit.hpp>
#include <limits>
#include <string>
#include <vector>

namespace {
const std::string kDefault = exprjit::available_backends().front().name;

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const exprjit::Error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("bound variables: compile once, evaluate many, reading the current values") {
  double x = 0, y = 0;
  exprjit::Symbols syms;
  syms.bind("x", &x).bind("y", &y);
  exprjit::Expression f = exprjit::compile("sin(x)*y + 1", syms);
  CHECK(f.has_bound_variables());
  CHECK(f.backend() == kDefault);
  for (int i = 0; i < 100; ++i) {
    x = i * 0.37 - 5;
    y = 3.5 - i * 0.11;
    CHECK(f() == std::sin(x) * y + 1);  // the tree backend calls the same libm
  }
}

TEST_CASE("the value order is the binding order, whatever the expression reads first") {
  double x = 1, y = 2, z = 3;
  exprjit::Symbols syms;
  syms.bind("x", &x).bind("y", &y).bind("z", &z);
  exprjit::Expression f = exprjit::compile("z - 10*x", syms);
  CHECK(f.variables() == std::vector<std::string>{"x", "y", "z"});
  CHECK(f.used_variables() == std::vector<std::string>{"x", "z"});
  CHECK(f() == -7);
  CHECK(f.eval({4, 100, 50}) == 10);  // x=4, y unused, z=50
  std::vector<double> xs{1, 2, 3}, ys{0, 0, 0}, zs{10, 20, 30}, out(3);
  f.eval_batch({xs, ys, zs}, out);
  CHECK(out == std::vector<double>{0, 0, 0});
  exprjit::Expression g = exprjit::compile("y - x", syms);  // every variable but z
  CHECK(g.eval({1, 5, 9}) == 4);
  exprjit::Expression h = exprjit::compile("z + y*100 + x*10000", syms);  // all, out of order
  CHECK(h.eval({1, 2, 3}) == 10203);
  CHECK(h() == 10203);
}

TEST_CASE("compiled from names: eval and eval_batch take the values in the listed order") {
  exprjit::Expression f = exprjit::compile("a - b", {"b", "a"});
  CHECK(f.variables() == std::vector<std::string>{"b", "a"});
  CHECK(f.eval({1, 10}) == 9);
  CHECK_FALSE(f.has_bound_variables());
  CHECK(error_of([&] { f(); }).find("eval(values)") != std::string::npos);
  std::vector<std::string> names{"p", "q"};
  CHECK(exprjit::compile("p/q", names).eval({1, 4}) == 0.25);
  CHECK(exprjit::compile("2^10")() == 1024);  // no variables: operator() works
  CHECK(exprjit::compile("pi", {.backend = kDefault})() == 3.141592653589793);
}

TEST_CASE("IEEE values pass through unchanged") {
  const double inf = std::numeric_limits<double>::infinity();
  exprjit::Expression f = exprjit::compile("-x", {"x"});
  CHECK(std::signbit(f.eval({0.0})));
  CHECK(f.eval({inf}) == -inf);
  CHECK(std::isnan(f.eval({std::nan("")})));
  CHECK(exprjit::compile("1/0")() == inf);
}

TEST_CASE("variables_of lists what to bind, before binding") {
  CHECK(exprjit::variables_of("sin(2.2*a)+cos(pi/b) + a*e") == std::vector<std::string>{"a", "b"});
  CHECK(exprjit::variables_of("y < x ? x : y") == std::vector<std::string>{"y", "x"});
  CHECK(exprjit::variables_of("1+2").empty());
  CHECK_THROWS_AS(exprjit::variables_of("1+"), exprjit::ParseError);
  CHECK_THROWS_AS(exprjit::variables_of("nosuch(x)"), exprjit::ParseError);
  CHECK_THROWS_AS(exprjit::variables_of("sin(x, y)"), exprjit::ParseError);
  CHECK(error_of([] { exprjit::variables_of("sin + 1"); }).find("'sin' is a function") != std::string::npos);
}

TEST_CASE("a compile error carries message, offset, line and column, and prints with a caret") {
  double x = 0;
  exprjit::Symbols syms;
  syms.bind("x", &x);
  try {
    exprjit::compile("1+1.2-q", syms);
    FAIL("no error");
  } catch (const exprjit::ParseError& e) {
    CHECK(e.message() == "unknown variable 'q'");
    CHECK(e.offset() == 6);
    CHECK(e.line() == 1);
    CHECK(e.column() == 7);
    CHECK(e.text() == "1+1.2-q");
    CHECK(std::string(e.what()) == "1:7: unknown variable 'q'");
    CHECK(exprjit::format_error(e) == "<expr>:1:7: error: unknown variable 'q'\n1+1.2-q\n      ^\n");
    CHECK(exprjit::format_error(e, "config.ini") == "config.ini:1:7: error: unknown variable 'q'\n1+1.2-q\n      ^\n");
  }
  try {
    exprjit::compile("x +\n  (x * )", syms);
    FAIL("no error");
  } catch (const exprjit::ParseError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 8);
    CHECK(e.offset() == 11);
    CHECK(exprjit::format_error(e).find("\n  (x * )\n       ^\n") != std::string::npos);
  }
  // Every kind of front-end error is a ParseError, which is an Error.
  for (const char* bad : {"1 $ 2", "(1", "max()", "sqrt(1, 2)", "foo(1)", "x x", ""}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(exprjit::compile(bad, syms), exprjit::ParseError);
    CHECK_THROWS_AS(exprjit::compile(bad, syms), exprjit::Error);
  }
  CHECK_THROWS_AS(exprjit::compile(std::string(5000, '(') + "1" + std::string(5000, ')')), exprjit::ParseError);
}

TEST_CASE("binding rules") {
  double v = 1, w = 2;
  exprjit::Symbols syms;
  for (const char* bad : {"", "1x", "a-b", "pi", "e", "sin", "max", "x y"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(syms.bind(bad, &v), exprjit::Error);
  }
  CHECK(error_of([&] { syms.bind("e", &v); }).find("built-in constant") != std::string::npos);
  CHECK_THROWS_AS(syms.bind("x", nullptr), exprjit::Error);
  CHECK(syms.size() == 0);
  syms.bind("_x1", &v);
  CHECK(syms.find("_x1") == &v);
  exprjit::Expression before = exprjit::compile("_x1", syms);
  syms.bind("_x1", &w);  // rebinding replaces the address, for later compiles only
  CHECK(syms.size() == 1);
  CHECK(syms.find("_x1") == &w);
  CHECK(before() == 1);
  CHECK(exprjit::compile("_x1", syms)() == 2);
  CHECK_FALSE(syms.contains("nope"));
  // Names lists follow the same rules, without repeats.
  CHECK_THROWS_AS(exprjit::compile("a", {"a", "a"}), exprjit::Error);
  CHECK_THROWS_AS(exprjit::compile("1", {"pi"}), exprjit::Error);
}

TEST_CASE("backends by name; an unknown name lists the valid ones") {
  auto all = exprjit::available_backends();
  REQUIRE(!all.empty());
  for (const char* name : {"tree", "vm", "jit"}) {  // the three the project ships
    bool listed = false;
    for (const auto& b : all) listed = listed || b.name == name;
    CHECK_MESSAGE(listed, name);
  }
  for (const auto& b : all) {
    CHECK(!b.description.empty());
    CHECK(exprjit::compile("1+1", {.backend = b.name}).backend() == b.name);
  }
  std::string err = error_of([] { exprjit::compile("1", {.backend = "nope"}); });
  CHECK(err.find("unknown backend 'nope'") != std::string::npos);
  for (const auto& b : all) CHECK(err.find(b.name) != std::string::npos);
  CHECK(exprjit::compile("1").backend() == all.front().name);  // "" = the default
  CHECK_THROWS_AS(exprjit::compile("1", {.backend = "tree", .go_build_timeout_s = 0}), exprjit::Error);
}

TEST_CASE("evaluation argument errors are exceptions, not crashes") {
  exprjit::Expression f = exprjit::compile("a+b", {"a", "b"});
  CHECK(error_of([&] { f.eval({1}); }).find("1 values given for 2 variables (a, b)") != std::string::npos);
  std::vector<double> a{1, 2}, b{1}, out(2);
  CHECK(error_of([&] { f.eval_batch({a}, out); }).find("1 columns given for 2") != std::string::npos);
  CHECK(error_of([&] { f.eval_batch({a, b}, out); }).find("column 1 ('b') holds 1 values") != std::string::npos);
  std::vector<double> none;
  f.eval_batch({a, b}, std::span<double>(none));  // zero rows: nothing to do
  exprjit::Expression empty;
  CHECK_FALSE(empty);
  CHECK(error_of([&] { empty(); }).find("empty") != std::string::npos);
  CHECK_THROWS_AS(empty.eval({}), exprjit::Error);
  CHECK_THROWS_AS((void)empty.text(), exprjit::Error);
}

TEST_CASE("copies share the compiled expression; a move empties the source") {
  exprjit::Expression f = exprjit::compile("x*2", {"x"});
  exprjit::Expression g = f;  // one shared_ptr copy
  CHECK(&g.text() == &f.text());  // the same compiled object, not a recompile
  CHECK(&g.variables() == &f.variables());
  exprjit::Expression h = std::move(f);
  CHECK_FALSE(f);  // NOLINT(bugprone-use-after-move): documented state
  CHECK(&h.text() == &g.text());
  CHECK(h.eval({21}) == 42);
  std::vector<exprjit::Expression> many(1000, h);
  for (const auto& e : many) CHECK(&e.text() == &h.text());
}

TEST_CASE("an expression outlives the Symbols and the other expressions it was compiled with") {
  double x = 3;
  exprjit::Expression kept;
  {
    exprjit::Symbols syms;
    syms.bind("x", &x);
    std::vector<std::string> texts{"x+1", "x*x", "-x"};
    std::vector<exprjit::Expression> all = exprjit::compile_many(texts, syms);
    REQUIRE(all.size() == 3);
    CHECK(all[0]() == 4);
    kept = all[1];
  }
  CHECK(kept() == 9);
  x = 5;
  CHECK(kept() == 25);
  CHECK(kept.text() == "x*x");
}

TEST_CASE("compile_many reports the failing text") {
  std::vector<std::string> texts{"a+1", "a+", "a*2"};
  try {
    exprjit::compile_many(texts, std::vector<std::string>{"a"});
    FAIL("no error");
  } catch (const exprjit::ParseError& e) {
    CHECK(e.text() == "a+");
    CHECK(e.column() == 3);
  }
  std::vector<exprjit::Expression> none = exprjit::compile_many({}, std::vector<std::string>{});
  CHECK(none.empty());
}

TEST_CASE("more variables than the inline buffers hold") {
  std::vector<double> storage(40);
  exprjit::Symbols syms;
  std::string text = "0";
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.push_back(std::string("v").append(std::to_string(i)));
    storage[i] = i;
    syms.bind(names.back(), &storage[i]);
    if (i % 2 == 0) text += "+" + names.back();  // every other one: the gather path
  }
  double even_sum = 0;
  for (int i = 0; i < 40; i += 2) even_sum += i;
  exprjit::Expression f = exprjit::compile(text, syms);
  CHECK(f() == even_sum);
  CHECK(f.eval(storage) == even_sum);
  std::vector<std::vector<double>> cols(40, std::vector<double>(3));
  std::vector<std::span<const double>> spans;
  for (int i = 0; i < 40; ++i) {
    cols[i] = {double(i), 2.0 * i, 0};
    spans.emplace_back(cols[i]);
  }
  std::vector<double> out(3);
  f.eval_batch(spans, out);
  CHECK(out == std::vector<double>{even_sum, 2 * even_sum, 0});
}

TEST_CASE("version and the output format") {
  CHECK(std::string(exprjit::version()).find('.') != std::string::npos);
  CHECK(exprjit::format_number(exprjit::compile("1+1.2-5")()) == "-2.8");
  CHECK(exprjit::format_number(exprjit::compile("0.1+0.2")()) == "0.30000000000000004");
  CHECK(exprjit::format_number(exprjit::compile("1e21")()) == "1e+21");
  CHECK(exprjit::format_number(exprjit::compile("-(0/0)")()) == "nan");
  CHECK(exprjit::format_number(exprjit::compile("0*-1")()) == "-0");
  CHECK(exprjit::format_number(exprjit::compile("-1/0")()) == "-inf");
}
