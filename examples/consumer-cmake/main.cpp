// main.cpp — a CMake program using the installed exprjit: batch evaluation over columns.
#include <cstdio>
#include <exprjit/exprjit.hpp>
#include <vector>

int main() {
  exprjit::Expression f = exprjit::compile("a < b ? b - a : a - b", {"a", "b"}, {.backend = "vm"});
  std::vector<double> a{1, 5, -2}, b{4, 2, -2}, out(3);
  f.eval_batch({a, b}, out);
  std::printf("exprjit %s, %s backend: |a-b| = %g %g %g\n", exprjit::version(), f.backend().c_str(), out[0],
              out[1], out[2]);
  return out == std::vector<double>{3, 3, 0} ? 0 : 1;
}
