// cachedir.hpp — the jit's on-disk cache: where it is, why a directory is refused, and
// entries that are written atomically and verified before use.
//
//   <root>/                       0700, owned by the user
//     loader/<key>-<h>.so         the Go loader (c-shared), one per toolchain identity + flags
//     loader/<key>.entry          record: file name, SHA-256 and size of the .so
//     plugins/<key>-<h>.so        built plugins; <key> hashes source + toolchain + flags
//     plugins/<key>.entry
//     toolchains/<key>.env        `go env` answers per go binary (keyed by its stat + env)
//     go-build/                   GOCACHE when the environment provides none
//     tmp/build-XXXXXX/           private build directories (mkdtemp); env-XXXXXX for `go env`
//
// A .so of a Go kind ("plugins", "loader") must also be a Go build of its key, as module
// module_path_for(kind, key) (goinfo.hpp: a plugin's package hashes, the loader's build
// information): a file built for another key -- or by another toolchain, whose keys differ
// -- is treated as damaged and rebuilt before anything loads it (a plugin of another Go
// version makes the Go runtime abort the process).
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "backends/gojit/process.hpp"

namespace exprjit::gojit {

// $EXPRJIT_CACHE_DIR, else $XDG_CACHE_HOME/exprjit, else ~/.cache/exprjit (HOME, else the
// password database).  Throws std::runtime_error when none can be determined.
std::string cache_root(const Environment& env);

// Why a directory must not be trusted, or nullopt.  `ancestor`: a directory above the cache,
// which may also belong to root and may be world-writable when sticky (like /tmp).
std::optional<std::string> distrust_reason(const struct stat& st, uid_t me, bool ancestor);

// Creates path (and missing parents) with mode 0700 and checks it and its ancestors.
// Throws std::runtime_error saying why a directory is refused.
void ensure_private_dir(const std::string& path);

// A small text file with a checksum line, written to a temporary name and renamed.
void write_record(const std::string& path, std::string_view content);
std::optional<std::string> read_record(const std::string& path);  // nullopt: missing or damaged

// The Go module path of the build of kind/key ("exprjit/p" or "exprjit/l" and the key's first
// 32 hex digits), or nullopt for a kind that holds no Go builds.  gojit.cpp names plugins so.
std::optional<std::string> module_path_for(std::string_view kind, std::string_view key);

class Cache {
 public:
  explicit Cache(std::string root);  // ensures root is private (throws otherwise)
  const std::string& root() const { return root_; }
  std::string subdir(std::string_view name) const;  // root/name, created and checked

  // The verified .so of kind/key, or nullopt.  A damaged entry (missing file, wrong size or
  // hash, or for a Go kind not a Go build as module_path_for(kind, key)) is removed and
  // described in *damage.
  std::optional<std::string> lookup(std::string_view kind, std::string_view key, std::string* damage) const;
  // Moves built_so (on the cache's file system) into the cache and records its hash;
  // returns the final path.  Concurrent stores of one key are safe: the last record wins
  // and every record names a complete file.  When the record cannot be written (a full
  // disk) the moved file is removed again and the error says so: no file without a record.
  std::string store(std::string_view kind, std::string_view key, const std::string& built_so) const;

  // A new private directory (mkdtemp, 0700) under root/tmp.
  std::string make_temp_dir(std::string_view prefix) const;

 private:
  std::string root_;
};

}  // namespace exprjit::gojit
