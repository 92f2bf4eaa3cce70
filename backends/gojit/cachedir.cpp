// cachedir.cpp — cache location, directory trust, atomic records and verified entries.
#include "backends/gojit/cachedir.hpp"

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

#include "backends/gojit/goinfo.hpp"
#include "backends/gojit/sha256.hpp"

namespace exprjit::gojit {
namespace {

namespace fs = std::filesystem;

std::string mode_text(mode_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

[[noreturn]] void refuse(const std::string& dir, const std::string& what, const std::string& reason) {
  throw std::runtime_error("refusing the jit cache directory " + dir + ": " + what + " " + reason +
                           "; a plugin planted there would run as you. Use a directory of your own (mode 0700) "
                           "or set EXPRJIT_CACHE_DIR");
}

std::string random_suffix() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".tmp.%d.%08x", static_cast<int>(::getpid()), static_cast<unsigned>(rd()));
  return buf;
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads a small regular file that is not a symlink (at most max bytes).
std::optional<std::string> read_small(const std::string& path, std::size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string s;
  bool ok = true;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) break;
    if (n < 0 || s.size() + static_cast<std::size_t>(n) > max) {
      ok = false;
      break;
    }
    s.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return s;
}

bool valid_file_name(std::string_view name) {
  if (name.size() < 4 || name.substr(name.size() - 3) != ".so") return false;
  for (char c : name.substr(0, name.size() - 3))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return false;
  return true;
}

}  // namespace

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
    return "is owned by uid " + std::to_string(st.st_uid) + " (neither you nor root), who could replace the cache";
  if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
    return "is writable by group or others without the sticky bit (mode " + mode_text(st.st_mode) +
           "), so the cache inside could be replaced";
  return std::nullopt;
}

void ensure_private_dir(const std::string& path_in) {
  fs::path path = fs::absolute(path_in).lexically_normal();
  if (path.has_relative_path() && !path.has_filename()) path = path.parent_path();  // trailing '/'
  // Create missing components, each 0700.
  fs::path prefix;
  for (const fs::path& part : path) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create the jit cache directory " + prefix.string() + ": " + std::strerror(errno));
  }
  const uid_t me = ::geteuid();
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error("cannot use the jit cache directory " + path.string() + ": " + std::strerror(errno));
  if (auto why = distrust_reason(st, me, false)) refuse(path.string(), "it", *why);
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) throw std::runtime_error("cannot resolve the jit cache directory " + path.string() + ": " + ec.message());
  for (fs::path up = real.parent_path(); !up.empty(); up = up.parent_path()) {
    if (::stat(up.c_str(), &st) != 0) break;
    if (auto why = distrust_reason(st, me, true)) refuse(path.string(), "its parent " + up.string(), *why);
    if (up == up.root_path()) break;
  }
}

void write_record(const std::string& path, std::string_view content) {
  std::string text = "exprjit-record 1 sha256=" + sha256_hex(content) + "\n" + std::string(content);
  std::string tmp = path + random_suffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = write_all(fd, text);
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(err));
  }
}

std::optional<std::string> read_record(const std::string& path) {
  auto text = read_small(path, 1 << 20);
  if (!text) return std::nullopt;
  std::size_t nl = text->find('\n');
  static constexpr std::string_view kHead = "exprjit-record 1 sha256=";
  if (nl == std::string::npos || text->compare(0, kHead.size(), kHead) != 0) return std::nullopt;
  std::string body = text->substr(nl + 1);
  if (text->substr(kHead.size(), nl - kHead.size()) != sha256_hex(body)) return std::nullopt;
  return body;
}

std::optional<std::string> module_path_for(std::string_view kind, std::string_view key) {
  if (kind == "plugins") return "exprjit/p" + std::string(key.substr(0, 32));
  if (kind == "loader") return "exprjit/l" + std::string(key.substr(0, 32));
  return std::nullopt;
}

Cache::Cache(std::string root) : root_(std::move(root)) { ensure_private_dir(root_); }

std::string Cache::subdir(std::string_view name) const {
  std::string d = root_ + "/" + std::string(name);
  if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + d + ": " + std::strerror(errno));
  struct stat st{};
  if (::lstat(d.c_str(), &st) != 0) throw std::runtime_error("cannot use " + d + ": " + std::strerror(errno));
  if (S_ISREG(st.st_mode))
    throw std::runtime_error("cannot use the jit cache directory " + root_ + ": " + d +
                             " is a file, not a directory (remove it, or set EXPRJIT_CACHE_DIR to another directory)");
  if (auto why = distrust_reason(st, ::geteuid(), false)) refuse(root_, d, *why);
  return d;
}

std::optional<std::string> Cache::lookup(std::string_view kind, std::string_view key, std::string* damage) const {
  const std::string dir = subdir(kind);
  const std::string entry = dir + "/" + std::string(key) + ".entry";
  struct stat st{};
  if (::lstat(entry.c_str(), &st) != 0) return std::nullopt;  // a plain miss
  auto fail = [&](const std::string& why, const std::string& file) -> std::optional<std::string> {
    if (damage) *damage = "cache entry " + entry + " " + why + "; rebuilding it";
    ::unlink(entry.c_str());
    if (!file.empty()) ::unlink(file.c_str());
    return std::nullopt;
  };
  auto rec = read_record(entry);
  if (!rec) return fail("is damaged (its checksum does not match)", "");
  std::string name, hash;
  unsigned long long size = 0;
  char nbuf[256], hbuf[80];
  if (std::sscanf(rec->c_str(), "file %255s\nsha256 %79s\nsize %llu", nbuf, hbuf, &size) != 3)
    return fail("is malformed", "");
  name = nbuf, hash = hbuf;
  if (!valid_file_name(name)) return fail("names an unexpected file", "");
  const std::string file = dir + "/" + name;
  if (::lstat(file.c_str(), &st) != 0) return fail("names a missing file", "");
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) return fail("names a file that is not yours", "");
  if (static_cast<unsigned long long>(st.st_size) != size)
    return fail("has a truncated or altered file (" + std::to_string(st.st_size) + " bytes, recorded " +
                    std::to_string(size) + ")",
                file);
  if (sha256_file_hex(file) != hash) return fail("has a corrupt file (its SHA-256 differs from the record)", file);
  if (std::optional<std::string> want = module_path_for(kind, key)) {
    std::string why;
    std::optional<GoBinaryInfo> info = read_go_binary_info(file, {*want, "runtime"}, &why);
    if (!info) return fail("names a file that is not a Go build of exprjit (" + why + ")", file);
    if (!info->built_as(*want)) {
      const std::string has = go_exprjit_module(file);
      return fail("holds a build for another key or toolchain (" + (has.empty() ? "no exprjit module" : has) +
                      (info->go_version.empty() ? "" : ", " + info->go_version) + "; want " + *want + ")",
                  file);
    }
  }
  return file;
}

std::string Cache::store(std::string_view kind, std::string_view key, const std::string& built_so) const {
  const std::string dir = subdir(kind);
  std::uint64_t size = 0;
  std::string hash = sha256_file_hex(built_so, &size);
  if (hash.empty()) throw std::runtime_error("cannot read the built file " + built_so);
  const std::string name = std::string(key) + "-" + hash.substr(0, 16) + ".so";
  const std::string file = dir + "/" + name;
  if (::rename(built_so.c_str(), file.c_str()) != 0)
    throw std::runtime_error("cannot move " + built_so + " into the cache: " + std::strerror(errno));
  try {
    write_record(dir + "/" + std::string(key) + ".entry",
                 "file " + name + "\nsha256 " + hash + "\nsize " + std::to_string(size) + "\n");
  } catch (const std::exception& e) {
    // No file without a record: nothing else names this one (its name carries the hash of
    // this build, whose bytes include its private build directory's path).
    ::unlink(file.c_str());
    throw std::runtime_error(std::string("cannot record the build in the jit cache: ") + e.what());
  }
  return file;
}

std::string Cache::make_temp_dir(std::string_view prefix) const {
  std::string tmpl = subdir("tmp") + "/" + std::string(prefix) + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::runtime_error("cannot create a build directory in " + root_ + "/tmp: " + std::strerror(errno) +
                             " (the jit builds inside its cache directory; set EXPRJIT_CACHE_DIR to a writable one)");
  return buf.data();
}

}  // namespace exprjit::gojit
