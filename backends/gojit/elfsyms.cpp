// elfsyms.cpp — see elfsyms.hpp.  Reads the headers with bounds checks on every offset:
// the file comes from our own cache (hash-verified), but a parser should not trust sizes.
#include "backends/gojit/elfsyms.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace exprjit::gojit {
namespace {

template <class T>
bool read_at(const std::string& buf, std::uint64_t off, T* out) {
  if (off > buf.size() || buf.size() - off < sizeof(T)) return false;
  std::memcpy(out, buf.data() + off, sizeof(T));
  return true;
}

}  // namespace

std::optional<std::vector<ElfFunction>> elf_functions(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  const std::string buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto fail = [&](const std::string& why) -> std::optional<std::vector<ElfFunction>> {
    *error = path + ": " + why;
    return std::nullopt;
  };
  if (!f && buf.empty()) return fail("cannot read");
  Elf64_Ehdr eh;
  if (!read_at(buf, 0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return fail("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
    return fail("not a little-endian x86-64 ELF64 object");
  if (eh.e_shentsize != sizeof(Elf64_Shdr)) return fail("unexpected section header size");
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (!read_at(buf, eh.e_shoff + i * sizeof(Elf64_Shdr), &sections[i])) return fail("truncated section headers");
  std::vector<ElfFunction> out;
  bool found = false;
  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_type != SHT_DYNSYM) continue;
    found = true;
    if (sh.sh_link >= sections.size() || sh.sh_entsize != sizeof(Elf64_Sym)) return fail("bad .dynsym");
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    if (strtab.sh_offset > buf.size() || buf.size() - strtab.sh_offset < strtab.sh_size) return fail("bad .dynstr");
    for (std::uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      if (!read_at(buf, sh.sh_offset + off, &sym)) return fail("truncated .dynsym");
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
      if (sym.st_name >= strtab.sh_size) return fail("bad symbol name offset");
      const char* name = buf.data() + strtab.sh_offset + sym.st_name;
      const std::size_t len = strnlen(name, strtab.sh_size - sym.st_name);
      out.push_back({std::string(name, len), sym.st_value, sym.st_size});
    }
  }
  if (!found) return fail("no dynamic symbol table");
  std::sort(out.begin(), out.end(), [](const ElfFunction& a, const ElfFunction& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.name < b.name;
  });
  return out;
}

const ElfFunction* function_at(const std::vector<ElfFunction>& fns, std::uint64_t addr) {
  auto it = std::lower_bound(fns.begin(), fns.end(), addr,
                             [](const ElfFunction& f, std::uint64_t a) { return f.addr < a; });
  return it != fns.end() && it->addr == addr ? &*it : nullptr;
}

}  // namespace exprjit::gojit
