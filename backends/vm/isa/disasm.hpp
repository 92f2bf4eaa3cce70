// disasm.hpp — the listing --emit=bytecode prints.
#pragma once
#include <span>
#include <string>

#include "backends/vm/isa/bytecode.hpp"

namespace exprjit::vm {

// One line per instruction: index, mnemonic, operands.  Registers print as r0, variables
// as $name (names[slot], or $v<slot> when names is too short), constants as their value
// (shortest round-trip, like results), jump targets as @index, call sites as the callee's
// name and its argument registers.  A superinstruction prints its EXT operand as a fourth
// operand and takes two indices.
std::string disassemble(const Program& p, std::span<const std::string> names);

// Every language function of the module (its programs, parameters named), then nothing
// else: what precedes the expressions' own programs in a listing.
// The language functions' programs, each under a header naming it, its parameters and, as a
// comment, its definition as written (texts[i], when given).
std::string disassemble_functions(const Module& m, const std::vector<std::vector<std::string>>& param_names,
                                  const std::vector<std::string>& texts = {});

}  // namespace exprjit::vm
