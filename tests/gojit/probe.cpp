// probe.cpp — a second process for the jit cache tests: compiles one expression with the
// jit backend and prints its value (the CLI's job, without depending on the CLI).
//   gojit_probe [--go=PATH] [--verbose] [--time] EXPR [NAME=VALUE]...
// --time prints "compile-to-first-result <microseconds>" on stderr: from before creating
// the backend to the first value (the benchmark's cache-hit figure).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "frontend/check.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/format.hpp"
#include "frontend/parser.hpp"

int main(int argc, char** argv) {
  using namespace exprjit;
  BackendOptions opts;
  std::string text;
  std::vector<std::string> names;
  std::vector<double> values;
  bool time = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--go=", 0) == 0) {
      opts.go = a.substr(5);
    } else if (a == "--time") {
      time = true;
    } else if (a == "--verbose") {
      opts.verbose = &std::cerr;
    } else if (text.empty()) {
      text = a;
    } else if (auto eq = a.find('='); eq != std::string::npos) {
      names.push_back(a.substr(0, eq));
      values.push_back(std::strtod(a.c_str() + eq + 1, nullptr));
    }
  }
  try {
    ExprPtr e = parse_expression(text);
    Scope scope(names);
    check(*e, scope);
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<Backend> jit = find_backend("jit")->make(opts);
    std::unique_ptr<Compiled> c = jit->compile(*e, scope.size());
    const double v = c->eval(values.data());
    const auto t1 = std::chrono::steady_clock::now();
    std::printf("%s\n", format_value(v).c_str());
    if (time)
      std::fprintf(stderr, "compile-to-first-result %.0f\n", std::chrono::duration<double, std::micro>(t1 - t0).count());
    return 0;
  } catch (const CompileError& e) {
    std::fprintf(stderr, "%s", format_error(Source{"<expr>", text, 1}, e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s", format_error(e.what()).c_str());
  }
  return 1;
}
