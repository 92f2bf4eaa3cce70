// backends.cpp — the backend as a run-time choice: list what this build has, compile the
// same expressions on each (or on the ones named on the command line) and compare.
//
//   build/examples/backends/example_backends [BACKEND...]
//
// Every backend must give the same bits on the operations the spec calls exact; the
// transcendental functions may differ by a few ulp on a backend with its own math library
// (the Go JIT), which this prints.  Exit status 1 when an exact result differs.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exprjit/exprjit.hpp>
#include <string>
#include <vector>

namespace {
struct Item {
  std::string text;
  bool exact;  // the spec requires the same bits everywhere
};
const std::vector<Item> kItems = {
    {"1+1.2-5", true},
    {"0.1+0.2", true},
    {"x < y ? x : y", true},
    {"-x^2 + 2^-1 + 2^3^2", false},  // ^ is pow: not on the exact list
    {"min(x, y, 0/0) != min(x, y, 0/0)", true},
    {"x % 3 - floor(y) * sign(-x) + clamp(0, x, 1)", true},
    {"sin(2.2*x) + cos(pi/y)", false},
    {"hypot(x, y) + atan2(y, x) + log10(x)", false},
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

  std::vector<std::string> texts;
  for (const Item& it : kItems) texts.push_back(it.text);
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
  for (std::size_t k = 0; k < kItems.size(); ++k) {
    std::printf("%s\n", kItems[k].text.c_str());
    for (std::size_t b = 0; b < names.size(); ++b) {
      const double v = results[b][k], ref = results[0][k];
      const bool same = std::bit_cast<std::uint64_t>(v) == std::bit_cast<std::uint64_t>(ref) ||
                        (std::isnan(v) && std::isnan(ref));
      std::string note;
      if (!same) {
        long long ulps = std::llabs(static_cast<long long>(std::bit_cast<std::uint64_t>(v) -
                                                           std::bit_cast<std::uint64_t>(ref)));
        note = kItems[k].exact ? "  <-- DIFFERS (exact operation)" : "  (" + std::to_string(ulps) + " ulp from " + names[0] + ")";
        if (kItems[k].exact) ++bad;
      }
      std::printf("  %-6s %s%s\n", names[b].c_str(), exprjit::format_number(v).c_str(), note.c_str());
    }
  }
  return bad ? 1 : 0;
}
