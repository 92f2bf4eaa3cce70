// toolchain.cpp — toolchain search, `go env` identity (cached by the binary's stat), and
// the environment the toolchain runs in.
#include "backends/gojit/build/toolchain.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "backends/gojit/build/sha256.hpp"
#include "backends/gojit/files.hpp"

namespace exprjit::gojit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNeed = "the jit backend needs a Go toolchain (>= 1.19): ";


// Why path cannot be run as the toolchain, or "" when it can.
std::string unusable(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return "not found";
  if (!S_ISREG(st.st_mode)) return "not a file";
  if (::access(path.c_str(), X_OK) != 0) return "not executable";
  return "";
}

std::string first_lines(const std::string& text, int n) {
  std::size_t pos = 0;
  for (int i = 0; i < n && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  std::string s = text.substr(0, pos == std::string::npos ? text.size() : pos);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Whether the file at path is an ELF executable (the go binary itself, not a shim script).
bool is_elf(const std::string& path) {
  std::string why;
  UniqueFd fd = open_regular(AT_FDCWD, path, &why);
  char magic[4] = {};
  return fd && pread_exact(fd.get(), magic, 4, 0) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

}  // namespace

std::optional<std::string> find_go(const std::string& opt_go, const Environment& env, std::string* tried,
                                   const std::string& preferred) {
  std::string log;
  auto note = [&](const std::string& what, const std::string& why) { log += (log.empty() ? "" : "; ") + what + " (" + why + ")"; };
  auto absolute = [](const std::string& p) { return fs::absolute(p).lexically_normal().string(); };
  if (!opt_go.empty()) {
    std::string why = unusable(opt_go);
    if (why.empty()) return absolute(opt_go);
    note("--go=" + opt_go, why);
    if (tried) *tried = log;
    return std::nullopt;
  }
  if (auto e = env.get("EXPRJIT_GO"); e && !e->empty()) {
    std::string why = unusable(*e);
    if (why.empty()) return absolute(*e);
    note("EXPRJIT_GO=" + *e, why);
    if (tried) *tried = log;
    return std::nullopt;
  }
  note("EXPRJIT_GO", "not set");
  if (std::string why = unusable(preferred); why.empty()) return preferred;
  else note(preferred, why);
  std::string path = env.get("PATH").value_or("");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty()) {
      std::string cand = dir + "/go";
      if (unusable(cand).empty()) return absolute(cand);
    }
    start = end + 1;
  }
  note("go on PATH", path.empty() ? "PATH is empty" : "not found");
  if (tried) *tried = log;
  return std::nullopt;
}

std::optional<int> go_minor_version(std::string_view v) {
  std::size_t p = v.find("go1.");
  if (p == std::string::npos) return std::nullopt;
  p += 4;
  int minor = 0;
  std::size_t digits = 0;
  while (p < v.size() && v[p] >= '0' && v[p] <= '9' && digits < 6) minor = minor * 10 + (v[p++] - '0'), ++digits;
  if (digits == 0) return std::nullopt;
  return minor;
}

const std::vector<std::string>& go_env_names() {
  static const std::vector<std::string> names = {"GOCACHE", "GOENV", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN",
                                                 "GOWORK", "GO111MODULE", "CGO_ENABLED", "GOTMPDIR", "TMPDIR"};
  return names;
}

Environment go_environment(const Environment& base, const Cache& cache) {
  Environment env = base;
  env.set("GOENV", "off");          // no user-wide `go env -w` settings: builds depend on this env only
  env.unset("GOFLAGS");             // flags come from --go-flag, so they are part of the cache key
  env.set("GOPROXY", "off");        // never the network
  env.set("GOTOOLCHAIN", "local");  // never download or switch toolchains (Go >= 1.21)
  env.set("GOWORK", "off");         // no go.work from a parent directory
  env.set("GO111MODULE", "on");     // each build directory is its own module (go.mod)
  env.set("CGO_ENABLED", "1");      // plugins and the c-shared loader need cgo
  // GOCACHE: the environment's, else Go's default when Go can place it, else ours.  One the
  // user chose must be usable and trusted (it is an error, not a reason to pick another
  // behind the user's back; Go's own error, from `go env`, would read as if the toolchain
  // were missing).
  auto trusted = [](const std::string& dir, bool chosen) {
    if (dir == "off") throw std::runtime_error("the jit backend cannot use GOCACHE=off: Go needs a build cache for plugins");
    if (dir[0] != '/')
      throw std::runtime_error("the jit backend cannot use GOCACHE=" + dir + ": it is not an absolute path");
    try {
      return ensure_private_dir(dir, "the Go build cache (GOCACHE)");
    } catch (const std::exception& e) {
      if (!chosen) return std::string();
      throw std::runtime_error(std::string(e.what()) + "; point GOCACHE at a directory of your own (mode 0700), or unset it");
    }
  };
  if (std::string gc = base.get("GOCACHE").value_or(""); !gc.empty()) {
    env.set("GOCACHE", trusted(gc, true));
    return env;
  }
  std::string home = base.get("HOME").value_or(""), xdg = base.get("XDG_CACHE_HOME").value_or("");
  std::string def = !xdg.empty() && xdg[0] == '/' ? xdg + "/go-build" : !home.empty() ? home + "/.cache/go-build" : "";
  std::string usable = def.empty() ? "" : trusted(def, false);
  if (!usable.empty() && ::access(usable.c_str(), W_OK) == 0) env.set("GOCACHE", usable);
  else env.set("GOCACHE", cache.subdir_path("go-build"));
  return env;
}

const std::vector<std::string_view>& ToolchainIdentity::names() {
  static const std::vector<std::string_view> n = {"GOVERSION",  "GOROOT",       "GOARCH",      "GOOS",
                                                  "GOAMD64",    "GOEXPERIMENT", "CC",          "CGO_ENABLED",
                                                  "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_LDFLAGS", "GOFLAGS"};
  return n;
}

// The identity from one line per name, in names() order, each made a value by `value`
// (nullopt refuses the line); nothing may follow the last line when `whole`.
template <class F>
std::optional<ToolchainIdentity> ToolchainIdentity::read_lines(std::string_view text, bool whole, F value) {
  ToolchainIdentity id;
  std::size_t pos = 0;
  for (std::string_view name : names()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;
    std::optional<std::string_view> v = value(name, text.substr(pos, nl - pos));
    if (!v) return std::nullopt;
    id.vars_.emplace_back(std::string(name), std::string(*v));
    pos = nl + 1;
  }
  if (whole && pos != text.size()) return std::nullopt;
  return id;
}

std::optional<ToolchainIdentity> ToolchainIdentity::from_go_env(std::string_view out) {
  return read_lines(out, false, [](std::string_view, std::string_view line) { return std::optional(line); });
}

std::optional<ToolchainIdentity> ToolchainIdentity::parse(std::string_view text) {  // "NAME=value" lines
  return read_lines(text, true, [](std::string_view name, std::string_view line) -> std::optional<std::string_view> {
    if (line.substr(0, name.size()) != name || line.size() <= name.size() || line[name.size()] != '=') return std::nullopt;
    return line.substr(name.size() + 1);
  });
}

std::string ToolchainIdentity::text() const {
  std::string s;
  for (const auto& [n, v] : vars_) s += n + "=" + v + "\n";
  return s;
}

const std::string& ToolchainIdentity::get(std::string_view name) const {
  static const std::string none;
  for (const auto& [n, v] : vars_)
    if (n == name) return v;
  return none;
}

Toolchain probe_toolchain(const std::string& opt_go, const Cache& cache, double timeout_s, Log& log) {
  Environment base = Environment::current();
  std::string tried;
  std::optional<std::string> go = find_go(opt_go, base, &tried);
  if (!go) throw std::runtime_error(kNeed + tried);

  Toolchain tc;
  tc.go = *go;
  tc.env = go_environment(base, cache);

  // The identity is remembered per go binary + environment, so a cache hit runs no `go`;
  // not for a shim, which may answer with another version at the same path.
  const bool binary = is_elf(tc.go);
  std::string stat_key = "exprjit-toolchain 2\n";
  std::error_code ec;
  stat_key += "path " + fs::canonical(tc.go, ec).string() + "\n";
  struct stat st{};
  if (::stat(tc.go.c_str(), &st) == 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "stat %ju %ju %jd %jd.%09ld %jd.%09ld\n", static_cast<std::uintmax_t>(st.st_dev),
                  static_cast<std::uintmax_t>(st.st_ino), static_cast<std::intmax_t>(st.st_size),
                  static_cast<std::intmax_t>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec,
                  static_cast<std::intmax_t>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec);
    stat_key += buf;
  }
  for (const std::string& e : tc.env.entries())
    if (e.rfind("GO", 0) == 0 || e.rfind("CGO_", 0) == 0 || e.rfind("CC=", 0) == 0 || e.rfind("CXX=", 0) == 0)
      stat_key += "env " + e + "\n";
  const std::string record = CacheKey::of("exprjit-toolchain", stat_key).hex() + ".env";

  std::optional<ToolchainIdentity> id;
  if (binary)
    if (std::optional<std::string> rec = cache.read_record(CacheKind::toolchain, record)) id = ToolchainIdentity::parse(*rec);
  tc.identity_cached = id.has_value();
  if (!id) {
    RunRequest req;
    req.argv = {tc.go, "env"};
    for (std::string_view v : ToolchainIdentity::names()) req.argv.emplace_back(v);
    req.env = tc.env;
    req.timeout_s = timeout_s;
    // `go env` makes a work directory (in GOTMPDIR, else TMPDIR): give it a private one, as
    // a build gets, so that neither TMPDIR nor /tmp need be usable, and run it there, away
    // from whatever go.mod the current directory has.  Without one, the environment's.
    struct Work {
      std::string dir;
      ~Work() {
        std::error_code e;
        if (!dir.empty()) fs::remove_all(dir, e);
      }
    } work;
    try {
      work.dir = cache.make_temp_dir("env-");
      req.env.set("GOTMPDIR", work.dir);
      req.env.set("TMPDIR", work.dir);
      req.cwd = work.dir;
    } catch (const std::exception&) {
    }
    if (log.wants_detail()) log.detail("jit: $ " + display_command(req, {}));
    RunResult r;
    try {
      r = run_process(req);
    } catch (const std::exception& e) {
      throw std::runtime_error(kNeed + std::string(e.what()));
    }
    if (!r.ok()) {
      std::string detail = first_lines(r.err.empty() ? r.out : r.err, 6);
      throw std::runtime_error(kNeed + tc.go + " " + describe_outcome(r, timeout_s) + " when asked `go env`" +
                               (detail.empty() ? "" : ":\n" + detail));
    }
    id = ToolchainIdentity::from_go_env(r.out);
    if (!id) throw std::runtime_error(kNeed + tc.go + " gave an unexpected answer to `go env`: " + first_lines(r.out, 3));
  }
  tc.identity = *id;
  std::optional<int> minor = go_minor_version(tc.version());
  if (!minor) throw std::runtime_error(kNeed + tc.go + " reports version '" + tc.version() + "', which is not go1.N");
  if (*minor < kMinGoMinor) throw std::runtime_error(kNeed + tc.go + " is " + tc.version());
  if (!tc.identity_cached && binary) {
    try {
      cache.write_record(CacheKind::toolchain, record, tc.identity.text());  // a memo: asked again when it fails
    } catch (const std::exception& e) {
      if (log.wants_detail()) log.detail(std::string("jit: toolchain identity not remembered: ") + e.what());
    }
  }
  return tc;
}

}  // namespace exprjit::gojit
