// policy.cpp — see policy.hpp.
#include "backends/auto/policy.hpp"

namespace exprjit::tier {

Policy& Policy::process() {
  static Policy p;  // the measured build cost of this process's builds (read and written atomically)
  return p;
}

}  // namespace exprjit::tier
