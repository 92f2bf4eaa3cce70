// functions.cpp — your own functions in expressions: C++ functions bound to names (a fixed
// arity, and the general form with state), a function that throws, and functions defined
// in the language; compiled on every backend of this build and checked against the same
// formula written in C++.
//
//   build/examples/functions/example_functions [BACKEND...]
//
// Exit status 1 when any result differs from the C++ one.
#include <cmath>
#include <cstdio>
#include <exprjit/exprjit.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A fixed arity: a plain function of doubles.  noexcept: called directly.
double smoothstep(double e0, double e1, double x) noexcept {
  const double t = std::fmin(std::fmax((x - e0) / (e1 - e0), 0.0), 1.0);
  return t * t * (3 - 2 * t);
}

// The general form: any number of arguments and a user pointer; here a polynomial whose
// coefficients live in the caller's state (Horner's rule, highest power first).
struct Poly {
  std::vector<double> c;
};
double poly(const double* args, std::size_t n, void* user) {
  (void)n;  // bound with exactly one argument
  const Poly& p = *static_cast<const Poly*>(user);
  double r = 0;
  for (double k : p.c) r = r * args[0] + k;
  return r;
}

// One that refuses some arguments: its exception reaches the evaluating call.
double checked_log(double x) {
  if (!(x > 0)) throw std::domain_error("checked_log: argument must be positive");
  return std::log(x);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> backends;
  for (int i = 1; i < argc; ++i) backends.emplace_back(argv[i]);
  if (backends.empty())
    for (const exprjit::BackendDescription& b : exprjit::available_backends()) backends.push_back(b.name);

  Poly p{{0.5, -1, 2}};  // 0.5 t^2 - t + 2
  double x = 0, y = 0;
  exprjit::Symbols syms;
  syms.bind("x", &x).bind("y", &y);
  syms.bind_function("smoothstep", &smoothstep, {.pure = true});
  syms.bind_function("poly", &poly, &p, 1, 1);
  syms.bind_function("checked_log", &checked_log);
  // Functions in the language: later ones may call earlier ones, and the host's.
  syms.define("sq(t) = t*t; blend(a, b, t) = a + (b - a) * smoothstep(0, 1, t)");

  const std::string text = "blend(sq(x), poly(y), x / 4) + checked_log(1 + sq(y))";
  auto in_cpp = [&](double xv, double yv) {
    const double s = smoothstep(0, 1, xv / 4);
    const double pv = (0.5 * yv - 1) * yv + 2;  // Horner, as poly() computes it
    return xv * xv + (pv - xv * xv) * s + std::log(1 + yv * yv);
  };

  int bad = 0;
  for (const std::string& b : backends) {
    try {
      const exprjit::Expression f = exprjit::compile(text, syms, {.backend = b});
      for (double xv : {0.0, 1.5, 3.0, 5.0})
        for (double yv : {-2.0, 0.25, 4.0}) {
          x = xv, y = yv;
          const double got = f(), want = in_cpp(xv, yv);
          if (got != want) {
            std::printf("%s: x=%g y=%g gives %s, C++ %s\n", b.c_str(), xv, yv, exprjit::format_number(got).c_str(),
                        exprjit::format_number(want).c_str());
            ++bad;
          }
        }
      // The throwing function: the call reports its exception, and the expression stays usable.
      const exprjit::Expression g = exprjit::compile("checked_log(x - 2)", syms, {.backend = b});
      x = 1;
      try {
        g();
        std::printf("%s: checked_log(-1) did not throw\n", b.c_str());
        ++bad;
      } catch (const std::domain_error& e) {
        x = 3;
        const double after = g();  // checked_log(1)
        x = 1.5, y = 0.25;
        std::printf("%-5s %s = %s at x=1.5 y=0.25; checked_log(-1) threw \"%s\", then checked_log(1) = %s\n", b.c_str(),
                    text.c_str(), exprjit::format_number(f()).c_str(), e.what(), exprjit::format_number(after).c_str());
      }
    } catch (const exprjit::Error& e) {
      std::fprintf(stderr, "%s: %s\n", b.c_str(), e.what());
      return 1;
    }
  }
  return bad ? 1 : 0;
}
