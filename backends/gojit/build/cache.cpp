// cache.cpp — cache location, directory trust, atomic records and verified entries.
#include "backends/gojit/build/cache.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include "backends/gojit/build/sha256.hpp"
#include "backends/gojit/inspect/goinfo.hpp"

namespace exprjit::gojit {
namespace {

namespace fs = std::filesystem;

std::string mode_text(mode_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

[[noreturn]] void refuse(std::string_view what_dir, const std::string& dir, const std::string& what,
                         const std::string& reason) {
  if (reason == "is not a directory")  // not a trust question: it cannot be used at all
    throw std::runtime_error("cannot use " + std::string(what_dir) + " " + dir + ": " + what + " " + reason);
  throw std::runtime_error("refusing " + std::string(what_dir) + " " + dir + ": " + what + " " + reason +
                           "; code planted there would run as you");
}

std::string random_suffix() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".tmp.%d.%08x", static_cast<int>(::getpid()), static_cast<unsigned>(rd()));
  return buf;
}

bool valid_file_name(std::string_view name) {
  if (name.size() < 4 || name.substr(name.size() - 3) != ".so") return false;
  for (char c : name.substr(0, name.size() - 3))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return false;
  return true;
}

constexpr CacheKind kKinds[] = {CacheKind::plugin, CacheKind::loader, CacheKind::toolchain};

}  // namespace

std::string_view cache_dir_name(CacheKind kind) {
  switch (kind) {
    case CacheKind::plugin: return "plugins";
    case CacheKind::loader: return "loader";
    case CacheKind::toolchain: return "toolchains";
  }
  return "";
}

CacheKey CacheKey::of(std::string_view domain, std::string_view content) {
  Sha256 h;
  h.update(domain);
  h.update("\n", 1);
  h.update(content);
  CacheKey k;
  k.hex_ = h.hex();
  return k;
}

std::optional<CacheKey> CacheKey::from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  CacheKey k;
  k.hex_ = std::string(hex);
  return k;
}

std::string CacheKey::module_path(CacheKind kind) const {
  return std::string(kind == CacheKind::loader ? "exprjit/l" : "exprjit/p") + hex_.substr(0, 32);
}

std::string cache_root(const Environment& env) {
  if (auto d = env.get("EXPRJIT_CACHE_DIR"); d && !d->empty()) return fs::absolute(*d).lexically_normal().string();
  if (auto x = env.get("XDG_CACHE_HOME"); x && !x->empty() && (*x)[0] == '/') return *x + "/exprjit";
  if (auto h = env.get("HOME"); h && !h->empty()) return *h + "/.cache/exprjit";
  std::vector<char> buf(16384);
  passwd pw{}, *res = nullptr;
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &res) == 0 && res && res->pw_dir && res->pw_dir[0] == '/')
    return std::string(res->pw_dir) + "/.cache/exprjit";
  throw std::runtime_error(
      "the jit backend has nowhere to keep its cache: set EXPRJIT_CACHE_DIR (no XDG_CACHE_HOME, no HOME, and no home "
      "directory in the password database)");
}

std::optional<std::string> distrust_reason(const struct stat& st, uid_t me, bool ancestor) {
  if (!S_ISDIR(st.st_mode)) return std::string("is not a directory");
  if (!ancestor) {
    if (st.st_uid != me)
      return "is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " + std::to_string(me) + ")";
    if (st.st_mode & 022) return "is writable by group or others (mode " + mode_text(st.st_mode) + ")";
    return std::nullopt;
  }
  if (st.st_uid != me && st.st_uid != 0)
    return "is owned by uid " + std::to_string(st.st_uid) + " (neither you nor root), who could replace it";
  if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
    return "is writable by group or others without the sticky bit (mode " + mode_text(st.st_mode) +
           "), so what is inside could be replaced";
  return std::nullopt;
}

std::string ensure_private_dir(const std::string& path_in, std::string_view what) {
  fs::path path = fs::absolute(path_in).lexically_normal();
  if (path.has_relative_path() && !path.has_filename()) path = path.parent_path();  // trailing '/'
  // Create missing components, each 0700.
  fs::path prefix;
  for (const fs::path& part : path) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create " + std::string(what) + " " + prefix.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) throw std::runtime_error("cannot resolve " + std::string(what) + " " + path.string() + ": " + ec.message());
  // From here on only the canonical path counts: it is what the checks cover and what the
  // cache is used through, so replacing a symlink on the way (path_in) changes nothing.
  const uid_t me = ::geteuid();
  struct stat st{};
  if (::lstat(real.c_str(), &st) != 0)
    throw std::runtime_error("cannot use " + std::string(what) + " " + real.string() + ": " + std::strerror(errno));
  if (auto why = distrust_reason(st, me, false)) refuse(what, real.string(), "it", *why);
  for (fs::path up = real.parent_path(); !up.empty(); up = up.parent_path()) {
    if (::lstat(up.c_str(), &st) != 0) break;
    if (auto why = distrust_reason(st, me, true)) refuse(what, real.string(), "its parent " + up.string(), *why);
    if (up == up.root_path()) break;
  }
  return real.string();
}

namespace {
std::string checked_root(const std::string& root) {
  try {
    return ensure_private_dir(root);
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.rfind("refusing ", 0) != 0) throw;
    throw std::runtime_error(what + "; use a directory of your own (mode 0700), or set EXPRJIT_CACHE_DIR");
  }
}
}  // namespace

Cache::Cache(const std::string& root) : root_(checked_root(root)) {
  root_fd_ = UniqueFd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root_fd_) throw std::runtime_error("cannot open the jit cache directory " + root_ + ": " + std::strerror(errno));
  for (CacheKind k : kKinds) dirs_[static_cast<int>(k)] = open_subdir(cache_dir_name(k));
}

UniqueFd Cache::open_subdir(std::string_view name) const {
  const std::string n(name), shown = root_ + "/" + n;
  if (::mkdirat(root_fd_.get(), n.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + shown + ": " + std::strerror(errno));
  UniqueFd fd(::openat(root_fd_.get(), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st{};
  if (!fd) {
    const int err = errno;
    if (::fstatat(root_fd_.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
      throw std::runtime_error("cannot use the jit cache directory " + root_ + ": " + shown +
                               (S_ISLNK(st.st_mode) ? " is a symbolic link" : " is a file") +
                               ", not a directory (remove it, or set EXPRJIT_CACHE_DIR to another directory)");
    throw std::runtime_error("cannot use " + shown + ": " + std::strerror(err));
  }
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error("cannot use " + shown + ": " + std::strerror(errno));
  if (auto why = distrust_reason(st, ::geteuid(), false)) refuse("the jit cache directory", root_, shown, *why);
  return fd;
}

std::string Cache::subdir_path(std::string_view name) const {
  (void)open_subdir(name);
  return root_ + "/" + std::string(name);
}

void Cache::write_record(CacheKind kind, const std::string& name, std::string_view content) const {
  const std::string text = "exprjit-record 1 sha256=" + sha256_hex(content) + "\n" + std::string(content);
  const std::string tmp = name + random_suffix();
  const std::string shown = root_ + "/" + std::string(cache_dir_name(kind)) + "/" + name;
  UniqueFd fd(::openat(dir(kind), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw std::runtime_error("cannot write " + shown + ": " + std::strerror(errno));
  bool ok = write_all(fd.get(), text);
  ok = ::close(fd.release()) == 0 && ok;
  if (!ok || ::renameat(dir(kind), tmp.c_str(), dir(kind), name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(dir(kind), tmp.c_str(), 0);
    throw std::runtime_error("cannot write " + shown + ": " + std::strerror(err));
  }
}

std::optional<std::string> Cache::read_record(CacheKind kind, const std::string& name) const {
  std::optional<std::string> text = read_regular(dir(kind), name, 1 << 20);
  if (!text) return std::nullopt;
  const std::size_t nl = text->find('\n');
  static constexpr std::string_view kHead = "exprjit-record 1 sha256=";
  if (nl == std::string::npos || text->compare(0, kHead.size(), kHead) != 0) return std::nullopt;
  std::string body = text->substr(nl + 1);
  if (text->substr(kHead.size(), nl - kHead.size()) != sha256_hex(body)) return std::nullopt;
  return body;
}

std::optional<CacheFile> Cache::lookup(CacheKind kind, const CacheKey& key, std::string* damage) const {
  const int d = dir(kind);
  const std::string dir_path = root_ + "/" + std::string(cache_dir_name(kind));
  const std::string entry = key.hex() + ".entry";
  struct stat st{};
  if (::fstatat(d, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;  // a plain miss
  auto fail = [&](const std::string& why, const std::string& file) -> std::optional<CacheFile> {
    if (damage) *damage = "cache entry " + dir_path + "/" + entry + " " + why + "; rebuilding it";
    ::unlinkat(d, entry.c_str(), 0);
    if (!file.empty()) ::unlinkat(d, file.c_str(), 0);
    return std::nullopt;
  };
  std::optional<std::string> rec = read_record(kind, entry);
  if (!rec) return fail("is damaged (missing checksum, or not a regular file)", "");
  char nbuf[256], hbuf[80];
  unsigned long long size = 0;
  if (std::sscanf(rec->c_str(), "file %255s\nsha256 %79s\nsize %llu", nbuf, hbuf, &size) != 3)
    return fail("is malformed", "");
  const std::string name = nbuf, hash = hbuf;
  if (!valid_file_name(name)) return fail("names an unexpected file", "");
  std::string why;
  CacheFile f{open_regular(d, name, &why), dir_path + "/" + name};
  if (!f.fd) return fail("names a file that cannot be used (" + why + ")", "");
  if (::fstat(f.fd.get(), &st) != 0 || st.st_uid != ::geteuid()) return fail("names a file that is not yours", "");
  if (static_cast<unsigned long long>(st.st_size) != size)
    return fail("has a truncated or altered file (" + std::to_string(st.st_size) + " bytes, recorded " +
                    std::to_string(size) + ")",
                name);
  // Hashed through the descriptor the file will be loaded from: the bytes checked are the
  // bytes loaded.
  if (sha256_fd_hex(f.fd.get()) != hash) return fail("has a corrupt file (its SHA-256 differs from the record)", name);
  if (kind != CacheKind::toolchain) {
    const std::string want = key.module_path(kind);
    std::optional<GoBinaryInfo> info = read_go_binary_info(f.fd.get(), {want, "runtime"}, &why);
    if (!info) return fail("names a file that is not a Go build of exprjit (" + why + ")", name);
    if (!info->built_as(want)) {
      const std::string has = go_exprjit_module(f.fd.get());
      return fail("holds a build for another key or toolchain (" + (has.empty() ? "no exprjit module" : has) +
                      (info->go_version.empty() ? "" : ", " + info->go_version) + "; want " + want + ")",
                  name);
    }
  }
  return f;
}

void Cache::remove(CacheKind kind, const CacheKey& key) const {
  const int d = dir(kind);
  const std::string entry = key.hex() + ".entry";
  if (std::optional<std::string> rec = read_record(kind, entry)) {
    char nbuf[256];
    if (std::sscanf(rec->c_str(), "file %255s", nbuf) == 1 && valid_file_name(nbuf)) ::unlinkat(d, nbuf, 0);
  }
  ::unlinkat(d, entry.c_str(), 0);
}

CacheFile Cache::store(CacheKind kind, const CacheKey& key, const std::string& built_so) const {
  const int d = dir(kind);
  const std::string dir_path = root_ + "/" + std::string(cache_dir_name(kind));
  std::string why;
  UniqueFd built = open_regular(AT_FDCWD, built_so, &why);
  if (!built) throw std::runtime_error("cannot read the built file " + built_so + ": " + why);
  std::uint64_t size = 0;
  const std::string hash = sha256_fd_hex(built.get(), &size);
  if (hash.empty()) throw std::runtime_error("cannot read the built file " + built_so);
  const std::string name = key.hex() + "-" + hash.substr(0, 16) + ".so";
  if (::renameat(AT_FDCWD, built_so.c_str(), d, name.c_str()) != 0)
    throw std::runtime_error("cannot move " + built_so + " into the cache: " + std::strerror(errno));
  try {
    write_record(kind, key.hex() + ".entry", "file " + name + "\nsha256 " + hash + "\nsize " + std::to_string(size) + "\n");
  } catch (const std::exception& e) {
    // No file without a record: nothing else names this one (its name carries the hash of
    // this build, whose bytes include its private build directory's path).
    ::unlinkat(d, name.c_str(), 0);
    throw std::runtime_error(std::string("cannot record the build in the jit cache: ") + e.what());
  }
  return CacheFile{std::move(built), dir_path + "/" + name};  // the same inode, renamed
}

std::string Cache::make_temp_dir(std::string_view prefix) const {
  const std::string tmp = subdir_path("tmp");
  std::string tmpl = tmp + "/" + std::string(prefix) + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::runtime_error("cannot create a build directory in " + tmp + ": " + std::strerror(errno) +
                             " (the jit builds inside its cache directory; set EXPRJIT_CACHE_DIR to a writable one)");
  return buf.data();
}

}  // namespace exprjit::gojit
