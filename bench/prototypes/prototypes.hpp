// prototypes.hpp — design prototypes, timed with --design for docs/design.md: the vm with
// parts of its design switched off (dispatch loop, operand shapes, superinstructions,
// folding, batch block size) and a stack-machine VM (stack_vm.hpp).  They use the
// internal interfaces (backends/vm), as an experiment on the design must; the other
// engines use the public library.
#pragma once
#include <vector>

#include "bench/harness/engines.hpp"

namespace exprjit::bench {

std::vector<Engine> prototype_engines();

}  // namespace exprjit::bench
