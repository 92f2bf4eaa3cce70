// elfsyms.hpp — the function symbols of an ELF64 shared object (a Go plugin), read from
// its dynamic symbol table.  A plugin built with -ldflags=-s has no .symtab, but Go exports
// every Go symbol of a plugin dynamically (sizes included), which is all vet.cpp needs to
// find the machine code of each function.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace exprjit::gojit {

struct ElfFunction {
  std::string name;  // as Go spells it: "math.sin", "exprjit/p<key>.E0", "runtime.morestack_noctxt.abi0"
  std::uint64_t addr = 0;
  std::uint64_t size = 0;
};

// The defined STT_FUNC symbols of the file, sorted by address; nullopt with *error when the
// file cannot be read or is not a little-endian x86-64 ELF64 object with a .dynsym.
std::optional<std::vector<ElfFunction>> elf_functions(const std::string& path, std::string* error);

// The function that starts exactly at addr, or nullptr.
const ElfFunction* function_at(const std::vector<ElfFunction>& fns, std::uint64_t addr);

}  // namespace exprjit::gojit
