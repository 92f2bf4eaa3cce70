// process.cpp — posix_spawn with a process group, pipes, poll and a deadline.
#include "backends/gojit/build/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace exprjit::gojit {
namespace {

constexpr std::size_t kMaxCapture = 1 << 20;
constexpr std::size_t kMaxCancel = 4;  // cancel descriptors watched (a build has two: its own, the interrupt)

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// RAII for the posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

Environment Environment::current() {
  Environment e;
  for (char** p = environ; p && *p; ++p) e.entries_.emplace_back(*p);
  return e;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  for (const std::string& s : entries_)
    if (s.size() > name.size() && s[name.size()] == '=' && std::string_view(s).substr(0, name.size()) == name)
      return s.substr(name.size() + 1);
  return std::nullopt;
}

void Environment::set(std::string_view name, std::string_view value) {
  unset(name);
  entries_.push_back(std::string(name) + "=" + std::string(value));
}

void Environment::unset(std::string_view name) {
  std::erase_if(entries_, [&](const std::string& s) {
    return s.size() > name.size() && s[name.size()] == '=' && std::string_view(s).substr(0, name.size()) == name;
  });
}

RunResult run_process(const RunRequest& req) {
  using Clock = std::chrono::steady_clock;
  if (req.argv.empty()) throw std::runtime_error("run_process: empty argument vector");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe"));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe"));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  SpawnSetup s;
  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&s.actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&s.actions, err_w.get(), 2);
  if (!req.cwd.empty()) posix_spawn_file_actions_addchdir_np(&s.actions, req.cwd.c_str());
  // Its own process group (so a timeout kills go and every compiler it started), default
  // signal dispositions and an empty mask whatever this process uses.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&s.attr, 0);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv, envp;
  for (const std::string& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : req.env.entries()) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  RunResult r;
  const auto start = Clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, req.argv[0].c_str(), &s.actions, &s.attr, argv.data(), envp.data());
  if (rc != 0) throw std::runtime_error("cannot run " + req.argv[0] + ": " + std::strerror(rc));
  out_w.reset();
  err_w.reset();

  // No deadline for inf, NaN or anything beyond a year: a count of nanoseconds of such a
  // duration would overflow (and kill the build at once).
  constexpr double kForever = 365.0 * 86400;
  const bool has_deadline = req.timeout_s > 0 && req.timeout_s < kForever;
  const auto deadline =
      has_deadline ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.timeout_s))
                   : Clock::time_point::max();
  // A pidfd becomes readable when the child exits, so one poll() waits for output, exit
  // and the deadline together.  Without one (old kernels) poll in 20 ms slices.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  Fd* fds[2] = {&out_r, &err_r};
  std::string* bufs[2] = {&r.out, &r.err};
  int status = 0;
  bool exited = false;
  for (;;) {
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
    struct pollfd pfd[3 + kMaxCancel];
    int n = 0;
    int which[3];
    for (int i = 0; i < 2; ++i)
      if (fds[i]->get() >= 0) {
        pfd[n] = {fds[i]->get(), POLLIN, 0};
        which[n++] = i;
      }
    if (n == 0 && exited) break;
    int npipes = n;
    if (!exited && pidfd.get() >= 0) pfd[n++] = {pidfd.get(), POLLIN, 0};
    const int first_cancel = n;
    for (std::size_t c = 0; c < req.cancel_fds.size() && c < kMaxCancel; ++c) pfd[n++] = {req.cancel_fds[c], POLLIN, 0};
    auto now = Clock::now();
    if (has_deadline && now >= deadline) {
      r.timed_out = !exited;
      break;
    }
    const long long left =
        has_deadline ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1 : 1LL << 30;
    int wait_ms = exited ? 0 : static_cast<int>(std::min<long long>(left, pidfd.get() >= 0 ? 1 << 30 : 20));
    int pr = ::poll(pfd, static_cast<nfds_t>(n), wait_ms);
    if (pr < 0 && errno != EINTR) break;
    bool cancel = false;
    for (int k = first_cancel; k < n && pr > 0; ++k) cancel = cancel || (pfd[k].revents & POLLIN);
    if (cancel && !exited) {
      r.cancelled = true;
      break;
    }
    bool got = false;
    for (int k = 0; k < npipes && pr > 0; ++k) {
      if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[8192];
      ssize_t m = ::read(pfd[k].fd, chunk, sizeof chunk);
      if (m > 0) {
        got = true;
        std::string& b = *bufs[which[k]];
        const std::size_t cap = req.max_capture ? req.max_capture : kMaxCapture;
        if (b.size() < cap) b.append(chunk, std::min<std::size_t>(static_cast<std::size_t>(m), cap - b.size()));
      } else if (m == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[which[k]]->reset();
      }
    }
    // Exited and nothing more to read right now: a straggler of its group may hold the
    // pipes open; do not wait for it.
    if (exited && !got) break;
  }
  // Whatever is left of the group (everything on a timeout, stragglers otherwise) dies.
  ::kill(-pid, SIGKILL);
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // Again until the group is gone: a process the group was forking while the first kill ran
  // can escape it (seen: a `link` left behind by a cancelled go build, its parent 1).  The
  // group exists while any member does; an orphan's zombie is reaped by init at once.
  for (int i = 0; i < 50 && ::kill(-pid, SIGKILL) == 0; ++i) ::usleep(1000);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (r.timed_out || r.cancelled) r.signal = 0, r.exit_code = -1;
  return r;
}

std::string describe_outcome(const RunResult& r, double timeout_s) {
  if (r.cancelled) return "was cancelled and killed (with every process it started)";
  if (r.timed_out) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", timeout_s);
    return std::string("did not finish within ") + buf + " s and was killed (with every process it started)";
  }
  if (r.signal) return "was killed by signal " + std::to_string(r.signal) + " (" + strsignal(r.signal) + ")";
  return "exited with status " + std::to_string(r.exit_code);
}

std::string shell_quote(std::string_view w) {
  bool plain = !w.empty();
  for (char c : w)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c))) plain = false;
  if (plain) return std::string(w);
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string display_command(const RunRequest& req, const std::vector<std::string>& shown_env) {
  std::string s;
  if (!req.cwd.empty()) s += "cd " + shell_quote(req.cwd) + " && ";
  for (const std::string& name : shown_env)
    if (auto v = req.env.get(name)) s += name + "=" + shell_quote(*v) + " ";
  for (std::size_t i = 0; i < req.argv.size(); ++i) {
    if (i) s += ' ';
    s += shell_quote(req.argv[i]);
  }
  return s;
}

}  // namespace exprjit::gojit
