// goinfo.cpp — see goinfo.hpp.  Only what is needed is read (elf.hpp, through the file's
// descriptor): the headers, the build information and a few symbols found through .gnu.hash.
#include "backends/gojit/inspect/goinfo.hpp"

#include "backends/gojit/inspect/elf.hpp"


#include <cerrno>
#include <cstdint>
#include <cstring>

namespace exprjit::gojit {
namespace {

constexpr std::string_view kHashPrefixes[] = {"go:link.pkghashbytes.", "go.link.pkghashbytes."};

// Go's length-prefixed string (a uvarint, then the bytes) at *pos of data.
std::optional<std::string> go_string(std::string_view data, std::size_t* pos) {
  std::uint64_t len = 0;
  for (int shift = 0;; shift += 7) {
    if (*pos >= data.size() || shift > 63) return std::nullopt;
    const auto b = static_cast<unsigned char>(data[(*pos)++]);
    len |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  if (len > data.size() - *pos) return std::nullopt;
  std::string s(data.substr(*pos, len));
  *pos += len;
  return s;
}

// The .go.buildinfo section: 14 bytes of magic, pointer size, flags (2: the strings follow
// inline, Go >= 1.18), padding to 32; then the version and the module text, the latter
// between two 16-byte sentinels.
bool parse_build_info(std::string_view data, GoBinaryInfo* info) {
  static constexpr std::string_view kMagic("\xff Go buildinf:", 14);
  if (data.size() < 32 || data.substr(0, kMagic.size()) != kMagic || !(data[15] & 2)) return false;
  std::size_t pos = 32;
  auto version = go_string(data, &pos);
  auto mod = go_string(data, &pos);
  if (!version || !mod) return false;
  info->go_version = *version;
  const std::string text =
      mod->size() >= 33 && (*mod)[mod->size() - 17] == '\n' ? mod->substr(16, mod->size() - 32) : std::string();
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind("path\t", 0) == 0) info->main_path = line.substr(5);
    if (line.rfind("build\t", 0) == 0) {
      std::string kv = line.substr(6);
      std::size_t eq = kv.find('=');
      info->settings.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    }
  }
  return true;
}

std::string hex(std::string_view b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (char c : b) s += kDigits[static_cast<unsigned char>(c) >> 4], s += kDigits[c & 15];
  return s;
}

}  // namespace

std::string GoBinaryInfo::setting(std::string_view name) const {
  for (const auto& [k, v] : settings)
    if (k == name) return v;
  return "";
}

std::optional<GoBinaryInfo> read_go_binary_info(int fd, const std::vector<std::string>& packages, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<GoBinaryInfo> {
    if (error) *error = why;
    return std::nullopt;
  };
  std::string why;
  std::optional<ElfFile> elf = ElfFile::read(fd, &why);
  if (!elf) return fail(why);
  GoBinaryInfo info;
  if (const ElfFile::Section* bi = elf->section(".go.buildinfo")) {
    std::optional<std::string> data = elf->contents(*bi);
    if (!data || !parse_build_info(*data, &info)) return fail("its Go build information is damaged");
  }
  if (!elf->has_dynamic_symbols()) return fail("it has no dynamic symbol table");
  for (const std::string& pkg : packages)
    for (std::string_view prefix : kHashPrefixes)
      if (auto s = elf->find_dynamic(std::string(prefix) + pkg)) {
        std::optional<std::string> b = elf->symbol_bytes(*s, 64);
        if (!b || b->empty()) return fail("its package hash of " + pkg + " lies outside its section");
        info.package_hashes[pkg] = hex(*b);
      }
  if (info.go_version.empty() && info.package_hashes.empty())
    return fail("it has neither Go build information nor the Go package hashes looked for");
  return info;
}

std::string go_exprjit_module(int fd) {
  std::optional<ElfFile> elf = ElfFile::read(fd, nullptr);
  if (!elf) return "";
  GoBinaryInfo info;
  if (const ElfFile::Section* bi = elf->section(".go.buildinfo")) {
    std::optional<std::string> data = elf->contents(*bi);
    if (data && parse_build_info(*data, &info) && info.main_path.rfind("exprjit/", 0) == 0) return info.main_path;
  }
  std::optional<std::vector<ElfFile::Symbol>> syms = elf->dynamic_symbols();
  for (const ElfFile::Symbol& s : syms ? *syms : std::vector<ElfFile::Symbol>{})
    for (std::string_view prefix : kHashPrefixes)
      if (std::string_view n = s.name; n.substr(0, prefix.size()) == prefix && n.substr(prefix.size(), 8) == "exprjit/")
        return std::string(n.substr(prefix.size()));
  return "";
}

}  // namespace exprjit::gojit
