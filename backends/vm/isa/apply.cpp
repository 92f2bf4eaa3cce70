// apply.cpp — the operations of opcodes.def as plain functions, for the constant folder.
// They expand the very expressions the dispatch loops expand, so a folded constant is the
// value the instruction would have computed at run time, bit for bit.
#include <cmath>

#include "backends/vm/isa/bytecode.hpp"

namespace exprjit::vm {

double apply(Bin f, double x, double y) {
  switch (f) {
#define BINARY(name, mn, expr, meaning) \
  case Bin::name:                       \
    return expr;
#include "backends/vm/isa/opcodes.def"
  }
  return std::nan("");  // unreachable: the switch covers every family
}

double apply(Un f, double x) {
  switch (f) {
#define UNARY(name, mn, expr, meaning) \
  case Un::name:                       \
    return expr;
#include "backends/vm/isa/opcodes.def"
  }
  return std::nan("");
}

double apply(Tern f, double x, double y, double z) {
  switch (f) {
#define TERNARY(name, mn, expr, meaning) \
  case Tern::name:                       \
    return expr;
#include "backends/vm/isa/opcodes.def"
  }
  return std::nan("");
}

}  // namespace exprjit::vm
