// backends.cpp — the backend as a run-time choice: list what this build has, compile the
// same expressions on each (or on the ones named on the command line) and compare.
//
//   build/examples/backends/example_backends [BACKEND...]
//
// Every backend gives the same bits for every expression (the jit calls the same C
// library functions as the tree and the vm); exit status 1 when any result differs.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exprjit/exprjit.hpp>
#include <string>
#include <vector>

namespace {
const std::vector<std::string> kTexts = {
    "1+1.2-5",
    "0.1+0.2",
    "x < y ? x : y",
    "-x^2 + 2^-1 + 2^3^2 + x^0.5",  // integer-literal powers multiply; x^0.5 is C pow
    "min(x, y, 0/0) != min(x, y, 0/0)",
    "x % 3 - floor(y) * sign(-x) + clamp(0, x, 1)",
    "sin(2.2*x) + cos(pi/y)",
    "hypot(x, y) + atan2(y, x) + log10(x) + cbrt(exp2(y))",
};
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names;
  std::printf("this build's backends:\n");
  for (const exprjit::BackendDescription& b : exprjit::available_backends()) {
    std::printf("  %-6s %s\n", b.name.c_str(), b.description.c_str());
    if (argc == 1) names.push_back(b.name);
  }
  for (int i = 1; i < argc; ++i) names.emplace_back(argv[i]);

  const std::vector<std::string>& texts = kTexts;
  const std::vector<std::string> vars{"x", "y"};
  const double values[] = {1.1, 2.2};

  std::vector<std::vector<double>> results;  // [backend][item]
  for (const std::string& name : names) {
    try {
      // One compile for all the texts: the jit runs one `go build`.
      std::vector<exprjit::Expression> fs = exprjit::compile_many(texts, vars, {.backend = name});
      std::vector<double> r;
      for (const exprjit::Expression& f : fs) r.push_back(f.eval(values));
      results.push_back(r);
    } catch (const exprjit::Error& e) {  // unknown name, or e.g. no Go toolchain for the jit
      std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
      return 1;
    }
  }

  int bad = 0;
  for (std::size_t k = 0; k < kTexts.size(); ++k) {
    std::printf("%s\n", kTexts[k].c_str());
    for (std::size_t b = 0; b < names.size(); ++b) {
      const double v = results[b][k], ref = results[0][k];
      const bool same = std::bit_cast<std::uint64_t>(v) == std::bit_cast<std::uint64_t>(ref) ||
                        (std::isnan(v) && std::isnan(ref));
      bad += !same;
      std::printf("  %-6s %s%s\n", names[b].c_str(), exprjit::format_number(v).c_str(),
                  same ? "" : ("  <-- DIFFERS from " + names[0]).c_str());
    }
  }
  return bad ? 1 : 0;
}
