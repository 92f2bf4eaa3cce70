// disasm.hpp — the listing --emit=bytecode prints.
#pragma once
#include <span>
#include <string>

#include "backends/vm/bytecode.hpp"

namespace exprjit::vm {

// One line per instruction: index, mnemonic, operands.  Registers print as r0, variables
// as $name (names[slot], or $v<slot> when names is too short), constants as their value
// (shortest round-trip, like results), jump targets as @index.  A superinstruction prints
// its EXT operand as a fourth operand and takes two indices.
std::string disassemble(const Program& p, std::span<const std::string> names);

}  // namespace exprjit::vm
