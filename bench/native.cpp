// native.cpp — the hand-written loops (see native.hpp).
#include "bench/native.hpp"

#include <cmath>

namespace exprjit::bench {
namespace {

#define NATIVE(text, body)                                                        \
  {text, [](const double* const* c, std::size_t n, double* out) {                 \
     const double *A = c[0], *B = c[1], *C = c[2];                                \
     (void)A, (void)B, (void)C;                                                   \
     for (std::size_t i = 0; i < n; ++i) {                                        \
       const double a = A[i], b = B[i], cc = C[i];                                \
       (void)a, (void)b, (void)cc;                                                \
       out[i] = (body);                                                           \
     }                                                                            \
   }}

struct Entry {
  std::string_view text;
  NativeLoop loop;
};

const Entry kLoops[] = {
    NATIVE("a+1", a + 1),
    NATIVE("2*a+1", 2 * a + 1),
    NATIVE("(((((((7*a+6)*a+5)*a+4)*a+3)*a+2)*a+1)*a+0.1)", (((((((7 * a + 6) * a + 5) * a + 4) * a + 3) * a + 2) * a + 1) * a + 0.1)),
    NATIVE("a+b", a + b),
    NATIVE("a+b-c", a + b - cc),
    NATIVE("a+b*c", a + b * cc),
    NATIVE("a/((a+b)*(a-b))/b", a / ((a + b) * (a - b)) / b),
    NATIVE("1-((a*b)+(a/b))-3", 1 - ((a * b) + (a / b)) - 3),
    NATIVE("-a+-b", -a + -b),
    NATIVE("(b+a/b) * (a-b/a)", (b + a / b) * (a - b / a)),
    NATIVE("1-(a/b*0.5)", 1 - (a / b * 0.5)),
    NATIVE("sin(a)", std::sin(a)),
};

}  // namespace

NativeLoop native_loop(std::string_view expr) {
  for (const Entry& e : kLoops)
    if (e.text == expr) return e.loop;
  return nullptr;
}

}  // namespace exprjit::bench
