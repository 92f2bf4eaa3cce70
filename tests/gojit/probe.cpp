// probe.cpp — a second process for the jit cache tests: compiles one expression with the
// jit backend through the public library and prints its value (the CLI's job, without
// depending on the CLI).
//   gojit_probe [--go=PATH] [--backend=NAME] [--tier=POLICY] [--verbose] [--time]
//               [--then=EXPR2] EXPR [NAME=VALUE]...
// (default backend: jit).  --then compiles and prints a second expression after the first.
// --time prints "compile-to-first-result <microseconds>" on stderr: from before compiling
// to the first value (the benchmark's cache-hit figure).  --signals installs a SIGURG
// handler before compiling and reports on stdout, after the value, how often it ran when
// SIGURG was raised three times after the jit had loaded ("sigurg-handled N"), and how many
// of the process's other threads (the Go runtime's) have SIGINT blocked
// ("sigint-blocked T of N").
#include <exprjit/exprjit.hpp>

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// The handler's state: what a signal handler may touch (a C callback forces the globals).
// It counts only what reaches the main thread: the Go runtime sends SIGURG to its own
// threads too (preemption), and those may reach the host's handler as well.
volatile std::sig_atomic_t g_urg = 0;
pid_t g_main_tid = 0;
void on_urg(int) {
  if (::gettid() == g_main_tid) g_urg = g_urg + 1;
}

// Threads of this process other than the main one, and how many have SIGINT blocked.
void report_sigint_mask() {
  int threads = 0, blocked = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.' || std::atoi(e->d_name) == ::getpid()) continue;
      std::string path = std::string("/proc/self/task/") + e->d_name + "/status";
      if (FILE* f = std::fopen(path.c_str(), "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
          if (std::strncmp(line, "SigBlk:", 7) == 0) {
            ++threads;
            const unsigned long long mask = std::strtoull(line + 7, nullptr, 16);
            blocked += (mask >> (SIGINT - 1)) & 1;
          }
        std::fclose(f);
      }
    }
    ::closedir(d);
  }
  std::printf("sigint-blocked %d of %d\n", blocked, threads);
}

}  // namespace

int main(int argc, char** argv) {
  exprjit::CompileOptions opts{.backend = "jit"};
  std::string text;
  std::vector<std::string> names;
  std::vector<double> values;
  bool time = false, signals = false;
  std::string then;  // a second expression, compiled and printed after the first
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--go=", 0) == 0) {
      opts.go = a.substr(5);
    } else if (a.rfind("--backend=", 0) == 0) {
      opts.backend = a.substr(10);
    } else if (a.rfind("--tier=", 0) == 0) {
      opts.tier = a.substr(7);
    } else if (a.rfind("--then=", 0) == 0) {
      then = a.substr(7);
    } else if (a == "--time") {
      time = true;
    } else if (a == "--signals") {
      signals = true;
    } else if (a == "--verbose") {
      opts.on_event = [](const exprjit::Event& e) {
        if (e.kind != exprjit::Event::Kind::phase) std::fprintf(stderr, "%.*s\n", static_cast<int>(e.text.size()), e.text.data());
      };
    } else if (text.empty()) {
      text = a;
    } else if (auto eq = a.find('='); eq != std::string::npos) {
      names.push_back(a.substr(0, eq));
      values.push_back(std::strtod(a.c_str() + eq + 1, nullptr));
    }
  }
  if (signals) {
    g_main_tid = ::gettid();
    struct sigaction sa {};
    sa.sa_handler = on_urg;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGURG, &sa, nullptr);
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    exprjit::Expression e = exprjit::compile(text, names, opts);
    const double v = e.eval(values);
    const auto t1 = std::chrono::steady_clock::now();
    std::printf("%s\n", exprjit::format_number(v).c_str());
    if (!then.empty()) std::printf("%s\n", exprjit::format_number(exprjit::compile(then, names, opts).eval(values)).c_str());
    if (signals) {
      // To this thread: its handler runs before raise returns.
      const int before = static_cast<int>(g_urg);
      for (int i = 0; i < 3; ++i) ::raise(SIGURG);
      std::printf("sigurg-handled %d\n", static_cast<int>(g_urg) - before);
      report_sigint_mask();
    }
    if (time)
      std::fprintf(stderr, "compile-to-first-result %.0f\n", std::chrono::duration<double, std::micro>(t1 - t0).count());
    return 0;
  } catch (const exprjit::ParseError& e) {
    std::fputs(exprjit::format_error(e).c_str(), stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  return 1;
}
