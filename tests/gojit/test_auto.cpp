// test_auto.cpp — the auto backend through the public API, as a user sees it: the vm
// answers at once, the jit takes over (forced and by the measured policy), the results are
// the same bits before, during and after the switch, from many threads at once, and a
// destroyed expression's build leaves no process and no directory behind.  The tests that
// turn the jit off for their process (a build failing) run in gojit_probe.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exprjit/exprjit.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../api/random_text.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool same_bits(double a, double b) {
  return (a != a && b != b) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// This process's own jit cache (removed at exit) and the jit tests' shared GOCACHE.
struct Env {
  std::string cache;
  Env() {
    std::string tmpl = std::string(GOJIT_TEST_BUILD_DIR) + "/scratch";
    fs::create_directories(tmpl);
    tmpl += "/auto-XXXXXX";
    cache = ::mkdtemp(tmpl.data());
    ::setenv("EXPRJIT_CACHE_DIR", cache.c_str(), 1);
    if (!std::getenv("GOCACHE")) ::setenv("GOCACHE", (std::string(GOJIT_TEST_BUILD_DIR) + "/gocache").c_str(), 1);
  }
  ~Env() {
    std::error_code ec;
    fs::remove_all(cache, ec);
  }
};
const Env& env() {
  static const Env e;
  return e;
}

std::string unique_number() {
  static int n = 0;
  return std::to_string(::getpid()) + "." + std::to_string(++n) + "5";
}

// Polls until pred() or the deadline; returns pred().
template <class F>
bool eventually(F pred, double seconds = 300) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (!pred() && Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return pred();
}

bool on_jit(const exprjit::Expression& e) { return e.how().rfind("auto: jit", 0) == 0; }

// Build directories in the cache's tmp.
int build_dirs() {
  int n = 0;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(env().cache + "/tmp", ec))
    n += d.path().filename().string().rfind("build-", 0) == 0;
  return n;
}

// Live processes (not zombies) whose command line mentions the cache (go build's -o).
int live_builds() {
  int n = 0;
  DIR* d = ::opendir("/proc");
  if (!d) return -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string base = std::string("/proc/") + e->d_name;
    std::ifstream cmd(base + "/cmdline", std::ios::binary);
    std::string args((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    if (args.find(env().cache + "/tmp/build-") == std::string::npos) continue;
    std::ifstream st(base + "/stat");
    std::string line;
    std::getline(st, line);
    const std::size_t close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z') ++n;
  }
  ::closedir(d);
  return n;
}

const std::vector<std::string> kVars = {"a", "b", "c"};

struct Rows {
  std::vector<std::vector<double>> cols;
  std::size_t n = 0;
};
Rows random_rows(std::mt19937_64& rng, std::size_t n) {
  Rows r{std::vector<std::vector<double>>(kVars.size(), std::vector<double>(n)), n};
  for (auto& c : r.cols)
    for (double& v : c) v = exprjit::test::random_value(rng);
  return r;
}

// Every entry point of e over the rows against the vm's bits; the count of differences.
std::size_t differences(const exprjit::Expression& e, const exprjit::Expression& vm, const Rows& rows) {
  std::size_t bad = 0;
  std::vector<std::span<const double>> cols;
  for (const auto& c : rows.cols) cols.emplace_back(c);
  std::vector<double> got(rows.n), want(rows.n);
  e.eval_batch(cols, got);
  vm.eval_batch(cols, want);
  for (std::size_t r = 0; r < rows.n; ++r) {
    bad += !same_bits(got[r], want[r]);
    const double one = e.eval({rows.cols[0][r], rows.cols[1][r], rows.cols[2][r]});
    bad += !same_bits(one, want[r]);
  }
  return bad;
}

const pid_t g_test_process = ::getpid();

}  // namespace

// LeakSanitizer's hook (a build with -fsanitize=address calls it at exit): no leak check in
// the fork test's child, where what the parent's other threads held is referenced only from
// their stacks, which do not exist there.
extern "C" int __lsan_is_turned_off() { return ::getpid() != g_test_process; }

TEST_CASE("auto: answers on the vm at once; with tier wait it is on the jit when compile returns, with the same bits") {
  env();
  std::mt19937_64 rng(14);
  const Rows rows = random_rows(rng, 300);
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back(exprjit::test::random_text(rng, kVars, 5));
  texts.push_back("atan2(a, b) + " + unique_number());
  const auto vm = exprjit::compile_many(texts, kVars, {.backend = "vm"});
  const auto now = exprjit::compile_many(texts, kVars, {.backend = "auto", .tier = "never"});
  const auto waited = exprjit::compile_many(texts, kVars, {.backend = "auto", .tier = "wait"});
  std::size_t bad = 0;
  for (std::size_t k = 0; k < texts.size(); ++k) {
    CAPTURE(texts[k]);
    CHECK(now[k].backend() == "auto");
    CHECK(now[k].how().rfind("auto: vm", 0) == 0);
    CHECK_MESSAGE(on_jit(waited[k]), waited[k].how());
    bad += differences(now[k], vm[k], rows) + differences(waited[k], vm[k], rows);
  }
  CHECK(bad == 0);
  // Compiled again, with the policy that never builds: the cache has the unit now, so it
  // switches; the one built for nothing stays on the vm.
  const auto again = exprjit::compile_many(texts, kVars, {.backend = "auto", .tier = "never"});
  CHECK(eventually([&] { return on_jit(again.back()); }, 60));
  const auto alone = exprjit::compile(texts.back(), kVars, {.backend = "auto", .tier = "never"});
  CHECK(eventually([&] { return alone.how().find("tier policy never") != std::string::npos; }, 60));
}

TEST_CASE("auto: the measured policy builds once the vm time spent reaches a build's cost, and switches mid-batch") {
  env();
  const std::string text = "sin(a) * cos(b) + exp(c / 7) - " + unique_number();
  std::string events;
  std::mutex mu;
  exprjit::CompileOptions o{.backend = "auto"};
  o.on_event = [&](const exprjit::Event& e) {
    std::lock_guard lock(mu);
    if (e.kind == exprjit::Event::Kind::detail) events.append(e.text).append("\n");
  };
  const exprjit::Expression vm = exprjit::compile(text, kVars, {.backend = "vm"});
  const exprjit::Expression e = exprjit::compile(text, kVars, o);
  CHECK(eventually([&] { return e.how().find("once the time spent warrants it") != std::string::npos; }));
  {
    std::lock_guard lock(mu);
    CHECK(events.find("not in the jit's cache") != std::string::npos);
  }
  // Batches until it switches: each is checked against the vm, so rows before, during
  // (a batch that switches between its blocks) and after the switch are all compared.
  std::mt19937_64 rng(3);
  const Rows rows = random_rows(rng, 200000);
  std::vector<std::span<const double>> cols;
  for (const auto& c : rows.cols) cols.emplace_back(c);
  std::vector<double> got(rows.n), want(rows.n);
  vm.eval_batch(cols, want);
  std::size_t bad = 0, batches = 0;
  const auto t0 = Clock::now();
  while (!on_jit(e) && Clock::now() - t0 < std::chrono::seconds(300)) {
    e.eval_batch(cols, got);
    ++batches;
    for (std::size_t r = 0; r < rows.n; ++r) bad += !same_bits(got[r], want[r]);
  }
  CHECK_MESSAGE(on_jit(e), e.how());
  e.eval_batch(cols, got);
  for (std::size_t r = 0; r < rows.n; ++r) bad += !same_bits(got[r], want[r]);
  CHECK(bad == 0);
  CHECK(batches >= 1);
  std::lock_guard lock(mu);
  CHECK(events.find("auto: the vm has spent ") != std::string::npos);  // the decision, with its numbers
  CHECK(events.find(", a build costs ") != std::string::npos);
  CHECK(events.find(": building the jit version") != std::string::npos);
  CHECK(events.find("switching to the jit") != std::string::npos);
  MESSAGE("switched after " << batches << " batches of " << rows.n << " rows");
}

TEST_CASE("auto: threads evaluating one expression while it switches see the vm's bits throughout") {
  env();
  const std::string text = "a < b ? hypot(a, c) * b - floor(c) : max(a, b, c) % 3 + sqrt(abs(b)) + " + unique_number();
  double a = 0.75, b = -2, c = 7;  // read by operator(), written by nobody while threads run
  exprjit::Symbols syms;
  syms.bind("a", &a).bind("b", &b).bind("c", &c);
  const exprjit::Expression vm = exprjit::compile(text, syms, {.backend = "vm"});
  std::mt19937_64 rng(11);
  const Rows rows = random_rows(rng, 4096);
  std::vector<double> want(rows.n);
  for (std::size_t r = 0; r < rows.n; ++r) want[r] = vm.eval({rows.cols[0][r], rows.cols[1][r], rows.cols[2][r]});
  const double want_bound = vm();

  const exprjit::Expression e = exprjit::compile(text, syms, {.backend = "auto", .tier = "at-once"});
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> wrong{0}, calls{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      std::vector<std::span<const double>> cols;
      for (const auto& col : rows.cols) cols.emplace_back(col);
      std::vector<double> out(rows.n);
      while (!stop.load()) {
        exprjit::Expression copy = e;
        if (t == 0) {
          copy.eval_batch(cols, out);
          for (std::size_t r = 0; r < rows.n; ++r) wrong += !same_bits(out[r], want[r]);
        } else if (t == 1) {
          for (std::size_t r = 0; r < rows.n; r += 7)
            wrong += !same_bits(copy.eval({rows.cols[0][r], rows.cols[1][r], rows.cols[2][r]}), want[r]);
        } else {
          for (int i = 0; i < 1000; ++i) wrong += !same_bits(copy(), want_bound);
        }
        ++calls;
      }
    });
  const bool switched = eventually([&] { return on_jit(e); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // and some time on the jit
  stop = true;
  for (auto& th : pool) th.join();
  CHECK_MESSAGE(switched, e.how());
  CHECK(wrong == 0);
  CHECK(calls > 0);
}

TEST_CASE("auto: destroying an expression while its jit builds kills the build and removes its directory") {
  env();
  CHECK(build_dirs() == 0);
  std::string events;
  std::mutex mu;
  exprjit::CompileOptions o{.backend = "auto", .tier = "at-once"};
  o.on_event = [&](const exprjit::Event& ev) {
    std::lock_guard lock(mu);
    events.append(ev.text).append("\n");
  };
  {
    // Big enough that its build takes a while (most of it in go's compile and link).
    std::string text = "a";
    for (int i = 0; i < 300; ++i) text += " + sin(a * " + std::to_string(i) + ".25)";
    text += " + " + unique_number();
    const exprjit::Expression e = exprjit::compile(text, kVars, o);
    REQUIRE(eventually([&] { return live_builds() > 0; }));
    CHECK(build_dirs() == 1);
    CHECK(e.how().find("the jit is being built") != std::string::npos);
    CHECK(std::isfinite(e.eval({1, 2, 3})));  // the vm answers meanwhile
  }
  CHECK(live_builds() == 0);
  CHECK(build_dirs() == 0);
  std::lock_guard lock(mu);
  CHECK(events.find("was cancelled") != std::string::npos);
}

TEST_CASE("auto: cancel_builds stops a background build; what it was for stays on the vm") {
  env();
  std::string text = "b";
  for (int i = 0; i < 300; ++i) text += " - cos(b * " + std::to_string(i) + ".5)";
  text += " + " + unique_number();
  const exprjit::Expression vm = exprjit::compile(text, kVars, {.backend = "vm"});
  const exprjit::Expression e = exprjit::compile(text, kVars, {.backend = "auto", .tier = "at-once"});
  REQUIRE(eventually([&] { return live_builds() > 0; }));
  exprjit::cancel_builds();
  CHECK(live_builds() == 0);
  CHECK(build_dirs() == 0);
  CHECK(eventually([&] { return e.how().find("cancelled") != std::string::npos; }, 10));
  CHECK(same_bits(e.eval({1, 2, 3}), vm.eval({1, 2, 3})));
}

TEST_CASE("auto: a build that fails leaves the vm answering, with a --verbose note, and is not retried") {
  env();
  // In a second process: a failure turns the jit off for auto in its process.
  const std::string go = std::string(GOJIT_TEST_BUILD_DIR) + "/no-such-go";
  const std::string cmd = std::string(GOJIT_PROBE) + " --backend=auto --tier=wait --verbose --go=" + go +
                          " '--then=a*3 + 1.5' 'a*3 + 0.5' a=2 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_MESSAGE(out.find("6.5\n7.5\n") != std::string::npos, out);  // by the vm
  CHECK_MESSAGE(out.find("auto: the jit failed, the vm runs") != std::string::npos, out);
  CHECK_MESSAGE(out.find("auto: the vm runs it (the jit is off in this process") != std::string::npos, out);
}

TEST_CASE("auto: a child made by fork() while a build runs answers on the vm and exits without waiting") {
  env();
  std::string text = "c";
  for (int i = 0; i < 300; ++i) text += " * 1.0001 + sin(c + " + std::to_string(i) + ".75)";
  text += " - " + unique_number();
  const exprjit::Expression vm = exprjit::compile(text, kVars, {.backend = "vm"});
  auto e = std::make_unique<exprjit::Expression>(exprjit::compile(text, kVars, {.backend = "auto", .tier = "at-once"}));
  REQUIRE(eventually([&] { return live_builds() > 0; }));
  const double want = vm.eval({1, 2, 3});
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only this thread exists here: no builder.  Evaluating, compiling anew, destroying the
    // expression whose build runs in the parent, and exiting must all go on without it.
    int rc = same_bits(e->eval({1, 2, 3}), want) ? 0 : 3;
    const exprjit::Expression f = exprjit::compile("a + b * 2", kVars, {.backend = "auto"});
    if (f.eval({1, 2, 3}) != 5 || f.how().find("fork") == std::string::npos) rc = 4;
    e.reset();
    std::exit(rc);
  }
  int status = 0;
  const auto end = Clock::now() + std::chrono::seconds(60);
  pid_t got = 0;
  while ((got = ::waitpid(child, &status, WNOHANG)) == 0 && Clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (got == 0) ::kill(child, SIGKILL), ::waitpid(child, &status, 0);
  CHECK(got == child);  // it did not hang
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  e.reset();  // the parent's build: cancelled as usual
  CHECK(live_builds() == 0);
  CHECK(build_dirs() == 0);
}
