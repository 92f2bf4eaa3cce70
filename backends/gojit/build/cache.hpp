// cache.hpp — the jit's on-disk cache: where it is, why a directory is refused, and
// entries that are written atomically and verified before use.
//
//   <root>/                       0700, owned by the user
//     loader/<key>-<h>.so         the Go loader (c-shared), one per toolchain identity + flags
//     loader/<key>.entry          record: file name, SHA-256 and size of the .so
//     plugins/<key>-<h>.so        built plugins; <key> hashes source + toolchain + flags
//     plugins/<key>.entry
//     plugins/<key>.vet           the vetter's verdicts on that plugin (inspect/vet.hpp)
//     toolchains/<key>.env        `go env` answers per go binary (toolchain.hpp)
//     go-build/                   GOCACHE when the environment provides none
//     tmp/build-XXXXXX/           private build directories (mkdtemp); env-XXXXXX for `go env`
//     locks/<kind>-<key>.lock     flock(2) held while one process builds that key (build.hpp)
//
// The root is resolved once (its canonical path) and checked with every ancestor; the cache
// is then used only through that path and through descriptors opened from it without
// following symlinks, so no one can redirect it after the check.  A .so entry is verified
// through the descriptor it is later loaded from (owner, size, SHA-256, and that it is the Go
// build of its key: a file built for another key, or by another toolchain, is removed as
// damaged and rebuilt before anything loads it, since a plugin of another Go version makes
// the Go runtime abort the process).
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "backends/gojit/build/process.hpp"
#include "backends/gojit/files.hpp"

namespace exprjit::gojit {

// What a cache directory holds.
enum class CacheKind { plugin, loader, toolchain };
std::string_view cache_dir_name(CacheKind kind);  // "plugins", "loader", "toolchains"

// A cache key: the SHA-256 of what decides an entry, as 64 hex digits.
class CacheKey {
 public:
  // The key of content in a domain ("exprjit-gojit-plugin", ...): SHA-256 of both.
  static CacheKey of(std::string_view domain, std::string_view content);
  // A key as the cache's file names spell it (64 lowercase hex digits), or nullopt.
  static std::optional<CacheKey> from_hex(std::string_view hex);
  const std::string& hex() const { return hex_; }
  // The Go module path a build of this key is made as ("exprjit/p" or "exprjit/l" and the
  // key's first 32 digits); Go's plugin path, unique per key.  Only the kinds that hold Go
  // builds have one.
  std::string module_path(CacheKind kind) const;
  bool operator==(const CacheKey&) const = default;

 private:
  std::string hex_;
};

// $EXPRJIT_CACHE_DIR, else $XDG_CACHE_HOME/exprjit, else ~/.cache/exprjit (HOME, else the
// password database).  Throws std::runtime_error when none can be determined.
std::string cache_root(const Environment& env);

// Why a directory must not be trusted, or nullopt.  `ancestor`: a directory above the cache,
// which may also belong to root and may be world-writable when sticky (like /tmp).
std::optional<std::string> distrust_reason(const struct stat& st, uid_t me, bool ancestor);

// Creates path (and missing parents) with mode 0700 and checks it and every ancestor of its
// canonical path.  Returns the canonical path.  Throws std::runtime_error saying why a
// directory is refused.  `what` names the directory in messages ("the jit cache directory").
std::string ensure_private_dir(const std::string& path, std::string_view what = "the jit cache directory");

// A verified cache file, open.
struct CacheFile {
  UniqueFd fd;
  std::string path;  // canonical, for messages and for code that needs a name
};

class Cache {
 public:
  explicit Cache(const std::string& root);  // resolves and checks root (throws otherwise)
  const std::string& root() const { return root_; }  // canonical

  // The verified .so of kind/key, or nullopt.  A damaged entry (missing file, wrong size or
  // hash, not a Go build of the key) is removed and described in *damage.
  std::optional<CacheFile> lookup(CacheKind kind, const CacheKey& key, std::string* damage) const;
  // Moves built_so (a file under root/tmp) into the cache and records its hash; returns it.
  // Concurrent stores of one key are safe: the last record wins and every record names a
  // complete file.  When the record cannot be written (a full disk) the moved file is
  // removed again and the error says so: no file without a record.
  CacheFile store(CacheKind kind, const CacheKey& key, const std::string& built_so) const;

  // Removes the entry of kind/key and the file it names (a foreign build found only when it
  // is opened); a missing entry is no error.
  void remove(CacheKind kind, const CacheKey& key) const;

  // A small text record beside the entries of kind ("<key>.env", "<key>.vet"), with a
  // checksum line; written to a temporary name and renamed.  Reading gives nullopt for a
  // missing or damaged record (a FIFO or symlink in its place included).
  std::optional<std::string> read_record(CacheKind kind, const std::string& name) const;
  void write_record(CacheKind kind, const std::string& name, std::string_view content) const;

  // A new private directory (mkdtemp, 0700) under root/tmp.
  std::string make_temp_dir(std::string_view prefix) const;
  // root/name, created and checked (for GOCACHE's default).
  std::string subdir_path(std::string_view name) const;

 private:
  int dir(CacheKind kind) const { return dirs_[static_cast<int>(kind)].get(); }
  UniqueFd open_subdir(std::string_view name) const;

  std::string root_;
  UniqueFd root_fd_;
  UniqueFd dirs_[3];  // by CacheKind, opened with the cache
};

}  // namespace exprjit::gojit
