// elf.cpp — see elf.hpp.
#include "backends/gojit/inspect/elf.hpp"

#include <elf.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "backends/gojit/files.hpp"

namespace exprjit::gojit {

namespace {

template <class T>
bool get(std::string_view data, std::uint64_t off, T* out) {
  if (off > data.size() || data.size() - off < sizeof(T)) return false;
  std::memcpy(out, data.data() + off, sizeof(T));
  return true;
}

}  // namespace

std::optional<std::string> ElfFile::bytes(std::uint64_t offset, std::uint64_t n) const {
  if (offset > file_size_ || file_size_ - offset < n || n > (std::uint64_t{1} << 31)) return std::nullopt;
  std::string s(static_cast<std::size_t>(n), '\0');
  if (n > 0 && !pread_exact(fd_, s.data(), s.size(), offset)) return std::nullopt;
  return s;
}

std::optional<ElfFile> ElfFile::read(int fd, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<ElfFile> {
    if (why) *why = w;
    return std::nullopt;
  };
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return fail("it is not a regular file");
  ElfFile f;
  f.fd_ = fd;
  f.file_size_ = static_cast<std::uint64_t>(st.st_size);
  Elf64_Ehdr eh{};
  if (!pread_exact(fd, &eh, sizeof eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return fail("it is not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
      eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
    return fail("it is not a little-endian x86-64 ELF64 file with section headers");
  std::optional<std::string> headers = f.bytes(eh.e_shoff, std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr));
  if (!headers) return fail("its section headers are cut off");
  std::vector<Elf64_Shdr> raw(eh.e_shnum);
  std::memcpy(raw.data(), headers->data(), headers->size());
  std::optional<std::string> names;
  if (raw[eh.e_shstrndx].sh_type != SHT_NOBITS) names = f.bytes(raw[eh.e_shstrndx].sh_offset, raw[eh.e_shstrndx].sh_size);
  if (!names) return fail("its section names are cut off");
  for (const Elf64_Shdr& s : raw) {
    Section sec;
    if (s.sh_name < names->size()) sec.name = std::string(names->c_str() + s.sh_name, strnlen(names->c_str() + s.sh_name, names->size() - s.sh_name));
    sec.type = s.sh_type, sec.link = s.sh_link, sec.addr = s.sh_addr, sec.offset = s.sh_offset, sec.size = s.sh_size,
    sec.entsize = s.sh_entsize;
    f.sections_.push_back(std::move(sec));
  }
  if (!f.load_dynamic()) return fail("its dynamic symbol table is damaged");
  return f;
}

bool ElfFile::load_dynamic() {
  for (const Section& s : sections_)
    if (s.type == SHT_DYNSYM) dynsym_ = &s;
  if (!dynsym_) return true;
  if (dynsym_->entsize != sizeof(Elf64_Sym) || dynsym_->link >= sections_.size()) return false;
  std::optional<std::string> syms = contents(*dynsym_), strs = contents(sections_[dynsym_->link]);
  if (!syms || !strs) return false;
  dynsym_bytes_ = std::move(*syms), dynstr_ = std::move(*strs);
  for (const Section& s : sections_)
    if (s.type == SHT_GNU_HASH && s.link < sections_.size() && &sections_[s.link] == dynsym_) {
      std::optional<std::string> h = contents(s);
      if (!h) return false;
      gnu_hash_ = std::move(*h);
    }
  return true;
}

const ElfFile::Section* ElfFile::section(std::string_view name) const {
  for (const Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<std::string> ElfFile::contents(const Section& s) const {
  if (s.type == SHT_NOBITS) return std::string();
  return bytes(s.offset, s.size);
}

bool ElfFile::symbol(std::size_t i, Symbol* out) const {
  Elf64_Sym s{};
  if (!get(dynsym_bytes_, i * sizeof(Elf64_Sym), &s) || s.st_name >= dynstr_.size()) return false;
  const char* p = dynstr_.data() + s.st_name;
  out->name.assign(p, strnlen(p, dynstr_.size() - s.st_name));
  out->value = s.st_value, out->size = s.st_size, out->type = ELF64_ST_TYPE(s.st_info), out->shndx = s.st_shndx;
  return true;
}

std::optional<ElfFile::Symbol> ElfFile::find_dynamic(std::string_view want) const {
  if (!dynsym_) return std::nullopt;
  const std::size_t nsyms = dynsym_bytes_.size() / sizeof(Elf64_Sym);
  Symbol s;
  if (gnu_hash_.empty()) {
    for (std::size_t i = 1; i < nsyms; ++i)
      if (symbol(i, &s) && s.name == want && s.shndx != SHN_UNDEF) return s;
    return std::nullopt;
  }
  std::uint32_t nbuckets = 0, symoffset = 0, bloom = 0;
  if (!get(gnu_hash_, 0, &nbuckets) || !get(gnu_hash_, 4, &symoffset) || !get(gnu_hash_, 8, &bloom) || nbuckets == 0)
    return std::nullopt;
  std::uint32_t h = 5381;
  for (char c : want) h = h * 33 + static_cast<unsigned char>(c);
  const std::uint64_t buckets = 16 + std::uint64_t{bloom} * 8, chains = buckets + std::uint64_t{nbuckets} * 4;
  std::uint32_t i = 0;
  if (!get(gnu_hash_, buckets + std::uint64_t{h % nbuckets} * 4, &i) || i < symoffset) return std::nullopt;
  for (std::size_t steps = 0; steps < nsyms; ++steps, ++i) {
    std::uint32_t ch = 0;
    if (!get(gnu_hash_, chains + std::uint64_t{i - symoffset} * 4, &ch)) return std::nullopt;
    if ((ch | 1) == (h | 1) && symbol(i, &s) && s.name == want && s.shndx != SHN_UNDEF) return s;
    if (ch & 1) break;
  }
  return std::nullopt;
}

std::optional<std::vector<ElfFile::Symbol>> ElfFile::dynamic_symbols() const {
  std::vector<Symbol> out;
  if (!dynsym_) return out;
  for (std::size_t i = 1; i < dynsym_bytes_.size() / sizeof(Elf64_Sym); ++i) {
    Symbol s;
    if (!symbol(i, &s)) return std::nullopt;
    if (s.shndx != SHN_UNDEF) out.push_back(std::move(s));
  }
  return out;
}

std::optional<std::vector<ElfFunction>> ElfFile::functions() const {
  std::optional<std::vector<Symbol>> syms = dynamic_symbols();
  if (!syms) return std::nullopt;
  std::vector<ElfFunction> out;
  for (Symbol& s : *syms)
    if (s.type == STT_FUNC && s.value != 0) out.push_back({std::move(s.name), s.value, s.size});
  std::sort(out.begin(), out.end(), [](const ElfFunction& a, const ElfFunction& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.name < b.name;
  });
  return out;
}

std::optional<std::string> ElfFile::symbol_bytes(const Symbol& s, std::size_t max) const {
  if (s.shndx >= sections_.size() || s.size > max) return std::nullopt;
  const Section& in = sections_[s.shndx];
  if (in.type == SHT_NOBITS || s.value < in.addr || s.value - in.addr > in.size || in.size - (s.value - in.addr) < s.size)
    return std::nullopt;
  return bytes(in.offset + (s.value - in.addr), s.size);
}

const ElfFunction* function_at(const std::vector<ElfFunction>& fns, std::uint64_t addr) {
  auto it = std::lower_bound(fns.begin(), fns.end(), addr, [](const ElfFunction& f, std::uint64_t a) { return f.addr < a; });
  return it != fns.end() && it->addr == addr ? &*it : nullptr;
}

}  // namespace exprjit::gojit
