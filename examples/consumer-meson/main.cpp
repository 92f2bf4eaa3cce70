// main.cpp — a program outside the exprjit tree using the installed library.
#include <cstdio>
#include <exprjit/exprjit.hpp>

int main() {
  double x = 3, y = 4;
  exprjit::Symbols syms;
  syms.bind("x", &x).bind("y", &y);
  exprjit::Expression f = exprjit::compile("hypot(x, y) + x*y", syms);
  const double r = f();
  std::printf("exprjit %s, %s backend: hypot(3, 4) + 3*4 = %g\n", exprjit::version(), f.backend().c_str(), r);
  return r == 17 ? 0 : 1;
}
