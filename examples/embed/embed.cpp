// embed.cpp — the embedding API in its most common use: variables bound by pointer
// (muparser's DefineVar, ExprTk's symbol_table), the expression compiled once and
// evaluated many times as the variables change.
//
//   build/examples/embed/example_embed ['EXPRESSION']
//
// Without an argument it evaluates a damped oscillation and checks every value against
// the same formula written in C++ (exit status 1 on any difference).
#include <cmath>
#include <cstdio>
#include <exprjit/exprjit.hpp>
#include <iostream>

int main(int argc, char** argv) {
  // 1. The variables live in the program; the expression reads them where they are.
  double t = 0, amplitude = 2.5, decay = 0.3, omega = 4;
  exprjit::Symbols symbols;
  symbols.bind("t", &t).bind("amplitude", &amplitude).bind("decay", &decay).bind("omega", &omega);

  const char* text = argc > 1 ? argv[1] : "amplitude * exp(-decay * t) * cos(omega * t)";

  // 2. What the text needs, before compiling (a configuration file would be checked here).
  try {
    std::cout << "variables used:";
    for (const std::string& name : exprjit::variables_of(text)) std::cout << ' ' << name;
    std::cout << '\n';

    // 3. Compile once.  A mistake is a ParseError with its position.
    exprjit::Expression f = exprjit::compile(text, symbols);

    // 4. Evaluate many times: change the variables, call f().
    int wrong = 0;
    for (int step = 0; step <= 10; ++step) {
      t = step * 0.25;
      const double got = f();
      std::printf("t = %-5g  %s = %.17g\n", t, text, got);
      if (argc == 1 && got != amplitude * std::exp(-decay * t) * std::cos(omega * t)) ++wrong;
    }
    // Changing a parameter needs no recompilation either.
    amplitude = 1;
    t = 0;
    std::printf("amplitude = 1, t = 0: %g\n", f());
    if (argc == 1 && f() != 1) ++wrong;
    if (wrong) std::fprintf(stderr, "%d values differ from the C++ formula\n", wrong);
    return wrong ? 1 : 0;
  } catch (const exprjit::ParseError& e) {
    std::cerr << exprjit::format_error(e);  // <expr>:1:7: error: ... with a caret under the column
    return 1;
  } catch (const exprjit::Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
}
