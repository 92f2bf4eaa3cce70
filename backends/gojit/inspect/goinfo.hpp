// goinfo.hpp — what a Go-built shared object says about itself, read from the file before
// any Go runtime sees it: its build information (what `go version -m` prints) and the
// package hashes Go's plugin loader compares.  A Go runtime aborts the whole process on a
// plugin of another Go version ("runtime: no plugin module data"), so the cache and the
// loader check these first (build/cache.cpp, runtime/goloader.cpp).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exprjit::gojit {

struct GoBinaryInfo {
  // From the .go.buildinfo section; Go 1.19 writes none into plugins (c-shared has it).
  std::string go_version;  // "go1.23.5", or ""
  std::string main_path;   // the main package's path: "exprjit/p<key>" for a plugin, or ""
  std::vector<std::pair<std::string, std::string>> settings;  // "build" lines: -buildmode=plugin, GOARCH=amd64, ...
  // From the dynamic symbol table, every Go version: package -> hex of its link-time hash
  // (go:link.pkghashbytes.<package>; "go." before Go 1.21), for the packages asked for that
  // the file has.  A plugin has one for its own package (its plugin path) and for each
  // package it links; Go requires a plugin's to match its host's.
  std::map<std::string, std::string> package_hashes;

  std::string setting(std::string_view name) const;  // "" when absent
  // Whether the file was built as module (its main path, or a package asked for).
  bool built_as(const std::string& module) const { return main_path == module || package_hashes.count(module) != 0; }
};

// Reads an open ELF64 shared object (inspect/elf.hpp), looking the packages up through its
// symbol hash table; nullopt with *error saying why when it is not one, or has no Go in it.
std::optional<GoBinaryInfo> read_go_binary_info(int fd, const std::vector<std::string>& packages, std::string* error);

// The exprjit module the file was built as (its main path, else the first package named
// exprjit/...: a scan of all its dynamic symbols), for messages; "" when none.
std::string go_exprjit_module(int fd);

}  // namespace exprjit::gojit
