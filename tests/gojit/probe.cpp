// probe.cpp — a second process for the jit cache tests: compiles one expression with the
// jit backend through the public library and prints its value (the CLI's job, without
// depending on the CLI).
//   gojit_probe [--go=PATH] [--verbose] [--time] EXPR [NAME=VALUE]...
// --time prints "compile-to-first-result <microseconds>" on stderr: from before compiling
// to the first value (the benchmark's cache-hit figure).
#include <exprjit/exprjit.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  exprjit::CompileOptions opts{.backend = "jit"};
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
      opts.on_event = [](const exprjit::Event& e) {
        if (e.kind != exprjit::Event::Kind::phase) std::fprintf(stderr, "%.*s\n", static_cast<int>(e.text.size()), e.text.data());
      };
    } else if (text.empty()) {
      text = a;
    } else if (auto eq = a.find('='); eq != std::string::npos) {
      names.push_back(a.substr(0, eq));
      values.push_back(std::strtod(a.c_str() + eq + 1, nullptr));
    }
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    exprjit::Expression e = exprjit::compile(text, names, opts);
    const double v = e.eval(values);
    const auto t1 = std::chrono::steady_clock::now();
    std::printf("%s\n", exprjit::format_number(v).c_str());
    if (time)
      std::fprintf(stderr, "compile-to-first-result %.0f\n", std::chrono::duration<double, std::micro>(t1 - t0).count());
    return 0;
  } catch (const exprjit::ParseError& e) {
    std::fputs(exprjit::format_error(e).c_str(), stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  return 1;
}
