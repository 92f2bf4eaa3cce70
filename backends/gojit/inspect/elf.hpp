// elf.hpp — the one ELF reader of the jit: an x86-64 ELF64 shared object (a Go plugin or the
// loader) read through an open file descriptor with pread(2), never mapped (files.hpp), every
// offset bounds-checked against the file's size: a planted file may say anything.  What the
// inspect layer needs of it: sections, the dynamic symbols (Go exports every Go symbol of a
// plugin dynamically, sizes included, so -ldflags=-s loses nothing here) and a lookup through
// .gnu.hash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exprjit::gojit {

struct ElfFunction {
  std::string name;  // as Go spells it: "math.sin", "exprjit/p<key>.E0", "runtime.morestack_noctxt.abi0"
  std::uint64_t addr = 0;
  std::uint64_t size = 0;
};

class ElfFile {
 public:
  // Reads the headers; nullopt with *why when the file is not a little-endian x86-64 ELF64
  // object with section headers.  fd must stay open as long as the ElfFile is used.
  static std::optional<ElfFile> read(int fd, std::string* why);

  struct Section {
    std::string name;
    std::uint32_t type = 0, link = 0;
    std::uint64_t addr = 0, offset = 0, size = 0, entsize = 0;
  };
  const Section* section(std::string_view name) const;
  // A section's bytes (empty for SHT_NOBITS); nullopt when they are not all in the file.
  std::optional<std::string> contents(const Section& s) const;

  struct Symbol {
    std::string name;
    std::uint64_t value = 0, size = 0;
    std::uint8_t type = 0;
    std::uint16_t shndx = 0;
  };
  bool has_dynamic_symbols() const { return dynsym_ != nullptr; }
  // The defined symbol name of .dynsym, found through .gnu.hash when there is one.
  std::optional<Symbol> find_dynamic(std::string_view name) const;
  // Every defined dynamic symbol (for a scan); nullopt when the table is damaged.
  std::optional<std::vector<Symbol>> dynamic_symbols() const;
  // The defined STT_FUNC dynamic symbols, sorted by address.
  std::optional<std::vector<ElfFunction>> functions() const;
  // The bytes of a defined data symbol of at most max bytes, from the section it is in.
  std::optional<std::string> symbol_bytes(const Symbol& s, std::size_t max) const;

 private:
  ElfFile() = default;
  std::optional<std::string> bytes(std::uint64_t offset, std::uint64_t n) const;
  bool load_dynamic();
  bool symbol(std::size_t i, Symbol* out) const;

  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  std::vector<Section> sections_;
  const Section* dynsym_ = nullptr;
  std::string dynsym_bytes_, dynstr_, gnu_hash_;
};

// The function that starts exactly at addr, or nullptr.
const ElfFunction* function_at(const std::vector<ElfFunction>& fns, std::uint64_t addr);

}  // namespace exprjit::gojit
