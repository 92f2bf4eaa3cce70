// build.cpp — private build directory, go.mod, `go build`, atomic store into the cache.
#include "backends/gojit/build/build.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "backends/cancel.hpp"
#include "backends/gojit/abi.hpp"

namespace exprjit::gojit {
namespace {

void write_file(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  std::string_view rest = text;
  bool ok = true;
  while (ok && !rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 || !ok) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

// Go's error output, cut to a readable size.
std::string tail(const std::string& s, std::size_t max = 4000) {
  std::string t = s.size() > max ? "...\n" + s.substr(s.size() - max) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

// When a build fails on a (nearly) full file system: where go wrote, and how much room is
// left there.  Go's own error can be misleading then (with a full GOCACHE, even "package math
// is not in std"), so this note names the file systems.
std::string space_note(const std::string& output, const std::vector<std::pair<std::string, std::string>>& dirs) {
  constexpr unsigned long long kLow = 64ull << 20;  // a plugin build writes a few MiB; a cold GOCACHE ~100
  const bool enospc = output.find("no space left on device") != std::string::npos ||
                      output.find("No space left on device") != std::string::npos;
  std::string low, all;
  for (const auto& [what, dir] : dirs) {
    struct statvfs v{};
    if (dir.empty() || ::statvfs(dir.c_str(), &v) != 0) continue;
    const unsigned long long avail = static_cast<unsigned long long>(v.f_bavail) * v.f_frsize;
    const bool no_inodes = v.f_files != 0 && v.f_favail == 0;  // some file systems report no inode counts
    char buf[64];
    if (avail < (1 << 20)) std::snprintf(buf, sizeof buf, "%llu KiB", avail >> 10);
    else std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(avail) / (1 << 20));
    const std::string line = "\n(" + what + " " + dir + ": " + buf + " free" + (no_inodes ? ", no free inodes" : "") + ")";
    all += line;
    if (avail < kLow || no_inodes) low += line;
  }
  if (low.empty() && !enospc) return "";
  return "\nthe disk may be full; free space, or set EXPRJIT_CACHE_DIR / GOCACHE to a file system with room:" +
         (low.empty() ? all : low);
}

// The build of one key, one process at a time: an flock on <root>/locks/<key>.lock, waited
// for in 50 ms steps so that a cancel still stops the wait.  A cache where the lock cannot
// be made (read-only, full) builds without one: the store is atomic either way, the lock
// only saves a second process the same build.
class KeyLock {
 public:
  KeyLock(const BuildSettings& s, const BuildJob& job) {
    const std::string dir = s.cache->root() + "/locks";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return;
    const std::string path = dir + "/" + std::string(cache_dir_name(job.kind)) + "-" + job.key.hex() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return;
    bool told = false;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        release();
        return;
      }
      if (!told) {
        s.log->status("jit: waiting for another build of " + job.what + " (" + path + ") ...");
        told = waited_ = true;
      }
      std::vector<pollfd> pfd;
      for (int fd : s.cancel_fds) pfd.push_back({fd, POLLIN, 0});
      if (::poll(pfd.data(), pfd.size(), 50) > 0) {
        release();
        throw Cancelled("the jit build of " + job.what + " was cancelled");
      }
    }
  }
  ~KeyLock() { release(); }
  KeyLock(const KeyLock&) = delete;
  KeyLock& operator=(const KeyLock&) = delete;
  bool waited() const { return waited_; }

 private:
  void release() {
    if (fd_ >= 0) ::close(fd_);  // closing drops the flock
    fd_ = -1;
  }
  int fd_ = -1;
  bool waited_ = false;
};

// Removes the build directory unless asked to keep it.
class TempDir {
 public:
  TempDir(std::string path, bool keep) : path_(std::move(path)), keep_(keep) {}
  ~TempDir() {
    if (!keep_) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

}  // namespace

std::string toolchain_key_part(const Toolchain& tc, const std::vector<std::string>& go_flags) {
  // The flags build_into_cache adds are part of the key too.
  std::string s = "abi " + std::to_string(kAbiVersion) + "\nbuild -ldflags=-s -w unless given\n" + tc.identity.text();
  for (const std::string& f : go_flags) s += "flag " + std::to_string(f.size()) + ":" + f + "\n";
  return s;
}

BuildResult build_or_reuse(const BuildSettings& s, const BuildJob& job) {
  BuildResult res;
  std::string damage;
  if (auto hit = s.cache->lookup(job.kind, job.key, &damage)) {
    res.so = std::move(*hit);
    res.cache_hit = true;
    if (s.log->wants_detail()) s.log->detail("jit: cache hit " + res.so.path);
    return res;
  }
  if (!damage.empty()) s.log->detail("jit: " + damage);
  return build_into_cache(s, job);
}

BuildResult build_into_cache(const BuildSettings& s, const BuildJob& job) {
  BuildResult res;
  const BuildScope scope;  // counted until the directory below is gone
  const KeyLock lock(s, job);
  if (lock.waited()) {  // the other process most likely stored it
    std::string damage;
    if (auto hit = s.cache->lookup(job.kind, job.key, &damage)) {
      res.so = std::move(*hit);
      res.cache_hit = true;
      if (s.log->wants_detail()) s.log->detail("jit: built meanwhile by another process: " + res.so.path);
      return res;
    }
  }
  TempDir dir(s.cache->make_temp_dir(job.kind == CacheKind::loader ? "loader-" : "build-"), s.keep_temps);
  const std::vector<std::pair<std::string, std::string>> places = {
      {"the jit builds in", s.cache->root() + "/tmp"}, {"GOCACHE is", s.toolchain->env.get("GOCACHE").value_or("")}};
  try {
    write_file(dir.path() + "/go.mod", "module " + job.module + "\n\ngo 1.19\n");
    for (const auto& [name, text] : job.files) write_file(dir.path() + "/" + name, text);
    if (::mkdir((dir.path() + "/tmp").c_str(), 0700) != 0)
      throw std::runtime_error("cannot create " + dir.path() + "/tmp: " + std::strerror(errno));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot build " + job.what + ": " + e.what() + space_note(e.what(), places));
  }

  RunRequest req;
  req.argv = {s.toolchain->go, "build"};
  for (const std::string& f : s.go_flags) req.argv.push_back(f);
  // No symbol table or DWARF (a third smaller: less to hash and map; dlsym and plugin.Lookup
  // do not need them), unless the user chose linker flags.
  bool user_ldflags = false;
  for (const std::string& f : s.go_flags)
    user_ldflags = user_ldflags || f.rfind("-ldflags", 0) == 0 || f.rfind("--ldflags", 0) == 0;
  if (!user_ldflags) req.argv.push_back("-ldflags=-s -w");
  // Ours last, so that a flag from the user cannot change the build mode or the output.
  req.argv.insert(req.argv.end(), {"-buildmode=" + job.buildmode, "-o", dir.path() + "/out.so", "."});
  req.env = s.toolchain->env;
  req.env.set("GOTMPDIR", dir.path());  // go's own work files die with the directory
  // So do the linker's and the C compiler's (they use TMPDIR, not GOTMPDIR): the build needs
  // no TMPDIR or /tmp.  A subdirectory, since go ignores a go.mod in TMPDIR itself.
  req.env.set("TMPDIR", dir.path() + "/tmp");
  req.cwd = dir.path();
  req.timeout_s = s.timeout_s;
  req.cancel_fds = s.cancel_fds;
  s.log->status("jit: building " + job.what + " with " + s.toolchain->version() + " ...");
  if (s.log->wants_detail()) s.log->detail("jit: $ " + display_command(req, go_env_names()));

  RunResult r;
  try {
    r = run_process(req);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot build " + job.what + ": " + e.what());
  }
  res.go_build_s = r.seconds;
  if (s.keep_temps && !s.log->wants_detail()) s.log->status("jit: kept the build directory " + dir.path());
  if (s.log->wants_detail()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f ms", r.seconds * 1e3);
    s.log->detail(std::string("jit: go build ") + buf + (s.keep_temps ? " (kept " + dir.path() + ")" : ""));
  }
  s.log->phase("go build", r.seconds);
  if (r.cancelled) throw Cancelled("the jit build of " + job.what + " was cancelled");  // dir goes with it
  if (!r.ok()) {
    std::string out = tail(r.err.empty() ? r.out : r.err);
    throw std::runtime_error("`go build` of " + job.what + " " + describe_outcome(r, s.timeout_s) +
                             (out.empty() ? "" : ":\n" + out) + space_note(r.err + r.out, places) +
                             (s.keep_temps ? "\n(build directory kept: " + dir.path() + ")" : ""));
  }
  try {
    res.so = s.cache->store(job.kind, job.key, dir.path() + "/out.so");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + space_note(e.what(), places));
  }
  return res;
}

}  // namespace exprjit::gojit
