// process.hpp — runs a program (the Go toolchain) without a shell: an argument vector, an
// explicit environment, its own process group, a deadline after which the whole group is
// killed (or as soon as a cancel descriptor is readable), and its output captured for
// error messages.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exprjit::gojit {

// An environment as "NAME=value" strings, built from this process's and then edited.
class Environment {
 public:
  static Environment current();  // a copy of environ
  std::optional<std::string> get(std::string_view name) const;
  void set(std::string_view name, std::string_view value);
  void unset(std::string_view name);
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;
};

struct RunRequest {
  std::vector<std::string> argv;  // argv[0]: the program's path (no PATH search)
  Environment env;
  std::string cwd;                // "" = this process's
  double timeout_s = 120;
  std::size_t max_capture = 0;    // bytes kept of stdout and of stderr each; 0 = 1 MiB
  std::vector<int> cancel_fds;    // readable (a Cancel requested): the group is killed at once
};

struct RunResult {
  bool timed_out = false;  // the deadline passed; the process group was killed
  bool cancelled = false;  // a cancel descriptor became readable; the group was killed
  int exit_code = -1;      // when the process exited
  int signal = 0;          // when a signal ended it
  std::string out, err;    // captured stdout and stderr (each cut at max_capture)
  double seconds = 0;      // wall time
  bool ok() const { return !timed_out && !cancelled && signal == 0 && exit_code == 0; }
};

// Runs req and waits for it.  stdin is /dev/null.  Throws std::runtime_error when the
// program cannot be started at all (not found, not executable).
RunResult run_process(const RunRequest& req);

// "exited with status 1", "was killed by signal 9 (Killed)", "did not finish within 2 s".
std::string describe_outcome(const RunResult& r, double timeout_s);

// The command as a shell would need it typed, for --verbose and error messages only
// (nothing is ever run through a shell): cd DIR && NAME=value ... argv...
std::string shell_quote(std::string_view word);
std::string display_command(const RunRequest& req, const std::vector<std::string>& shown_env);

}  // namespace exprjit::gojit
