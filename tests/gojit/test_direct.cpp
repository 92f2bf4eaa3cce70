// test_direct.cpp — the direct path (docs/design.md, "Go JIT direct calls") with real
// plugins: unvetted Go code is refused with the reason, probes catch a disagreement, a
// refused verdict sends auto through cgo and makes --jit-call=direct an error, many
// threads call directly at once while the runtime's preemption signal hits them, and the
// exprjit program's --jit-call.  (Conformance and the VM differential run through both
// paths in test_jit.cpp.)
#include <doctest/doctest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "backends/backend.hpp"
#include "backends/gojit/build.hpp"
#include "backends/gojit/direct.hpp"
#include "backends/gojit/gojit.hpp"
#include "backends/gojit/goloader.hpp"
#include "backends/gojit/sha256.hpp"
#include "backends/gojit/vet.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using test::jit;
using test::unique_number;
using test::what_of;
namespace fs = std::filesystem;

namespace {

BackendOptions with_call(const char* mode, std::ostream* verbose = nullptr) {
  BackendOptions o;
  o.jit_call = mode;
  o.verbose = verbose;
  return o;
}

}  // namespace

TEST_CASE("direct: code that can panic, allocate or differ is refused, with the reason") {
  using namespace gojit;
  jit();
  Cache cache(cache_root(Environment::current()));
  Toolchain tc = probe_toolchain("", cache, 120, nullptr);
  REQUIRE_FALSE(direct_unsupported(tc));  // CI runs Go 1.23 on x86-64
  BuildSettings s;
  s.toolchain = &tc;
  s.cache = &cache;
  GoHost& host = GoHost::instance();
  host.ensure_loader(s);
  BuildJob job;
  job.kind = "plugins";
  job.key = sha256_hex("unvetted " + unique_number());
  job.module = "exprjit/punvetted" + job.key.substr(0, 16);
  job.source = R"(package main

import "unsafe"

var EjManifest = "m"

var sink []float64

// E0 reads at a computed index: a bounds check, which can panic.
func E0(_, _, _ uintptr, vp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return v[int(v[0])]
}

// E1 allocates (and stores a pointer: a write barrier).
func E1(_, _, _ uintptr, vp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	sink = make([]float64, int(v[1])&15+1)
	return float64(len(sink))
}

// E2 is plain arithmetic; E3 differs from it by one.
func E2(_, _, _ uintptr, vp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return v[0]*2 + v[1]
}

func E3(_, _, _ uintptr, vp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return v[0]*2 + v[1] + 1
}

func B0(cols, out unsafe.Pointer, n int) { panic("no") }

// B1 calls through a function value.
var fn = E2

func B1(cols, out unsafe.Pointer, n int) {
	for i := 0; i < n; i++ {
		*(*float64)(unsafe.Add(out, i*8)) = fn(0, 0, 0, cols)
	}
}

func B2(cols, out unsafe.Pointer, n int) {
	c0 := *(*unsafe.Pointer)(cols)
	for i := uintptr(0); i < uintptr(n)*8; i += 8 {
		*(*float64)(unsafe.Add(out, i)) = *(*float64)(unsafe.Add(c0, i)) * 2
	}
}

func B3(cols, out unsafe.Pointer, n int) {
	c0 := *(*unsafe.Pointer)(cols)
	for i := uintptr(0); i < uintptr(n)*8; i += 8 {
		*(*float64)(unsafe.Add(out, i)) = *(*float64)(unsafe.Add(c0, i)) * 3
	}
}
)";
  job.buildmode = "plugin";
  job.what = "a plugin with unvetted code";
  BuildResult b = build_or_reuse(s, job);

  const PluginVet v = vet_plugin(b.so_path, job.module, 4, objdump_path(), 120);
  REQUIRE(v.error.empty());
  CHECK_FALSE(v.rows[0].ok);
  CHECK_MESSAGE(v.rows[0].why.find("runtime.panicIndex") != std::string::npos, v.rows[0].why);
  CHECK_FALSE(v.rows[1].ok);
  CHECK_MESSAGE(v.rows[1].why.rfind("E1 → runtime.", 0) == 0, v.rows[1].why);
  CHECK_MESSAGE(v.rows[2].ok, v.rows[2].why);
  CHECK(v.rows[2].stack > 0);
  CHECK(v.rows[2].stack < 256);
  CHECK_FALSE(v.batches[0].ok);  // panic: runtime.gopanic and friends
  CHECK_MESSAGE(v.batches[1].why.find("an indirect call") != std::string::npos, v.batches[1].why);
  CHECK_MESSAGE(v.batches[2].ok, v.batches[2].why);
  MESSAGE("refusals: " << v.rows[0].why << " | " << v.rows[1].why << " | " << v.batches[0].why << " | "
                       << v.batches[1].why);

  // Probes: the same function agrees with itself through both paths; a direct entry that
  // is not the cgo path's function is caught.
  const int id = host.open_plugin(job.key, b.so_path, "m");
  const GoFunction e2 = host.lookup(id, "E2", FnKind::row), e3 = host.lookup(id, "E3", FnKind::row);
  const GoFunction b2 = host.lookup(id, "B2", FnKind::batch), b3 = host.lookup(id, "B3", FnKind::batch);
  CHECK(probe_disagreement_row(host.api(), e2, 2, Trampoline::full).empty());
  REQUIRE(v.rows[2].bare);  // a leaf of arithmetic
  CHECK(probe_disagreement_row(host.api(), e2, 2, Trampoline::bare).empty());
  CHECK(probe_disagreement_row(host.api(), {e2.id, e3.entry}, 2, Trampoline::bare).rfind("probe row 0: ", 0) == 0);
  CHECK(probe_disagreement_batch(host.api(), b2, 2).empty());
  CHECK(probe_disagreement_row(host.api(), {e2.id, e3.entry}, 2, Trampoline::full).rfind("probe row 0: through cgo 0x0p+0", 0) == 0);
  CHECK(probe_disagreement_batch(host.api(), {b2.id, b3.entry}, 2).rfind("batch probe row 1: ", 0) == 0);
}

TEST_CASE("direct: a refused verdict sends auto through cgo (--verbose says why); --jit-call=direct fails") {
  const std::string cache = test::jit_test_env();
  test::Checked c = test::front("a*3 + " + unique_number(), {"a"});
  const double a = 1.5;
  std::ostringstream first;
  auto compiled = jit(with_call("auto", &first))->compile(*c.expr, 1);
  CHECK(first.str().find("jit: machine code vetted with objdump") != std::string::npos);
  CHECK(first.str().find("jit: direct calls for 1 of 1 one-row and 1 of 1 batch functions") != std::string::npos);
  const double direct = compiled->eval(&a);
  // A leaf of arithmetic is a plain C function (no trampoline): plain_function() gives it.
  const Compiled::PlainFunction f = compiled->plain_function();
  REQUIRE(static_cast<bool>(f));
  CHECK(test::same_bits(f(&a), direct));
  CHECK_FALSE(static_cast<bool>(find_backend("vm")->make({})->compile(*c.expr, 1)->plain_function()));

  // Plant a refusal in the stored verdicts of that plugin (the newest record).
  fs::path record;
  for (const auto& e : fs::directory_iterator(cache + "/plugins"))
    if (e.path().extension() == ".vet" &&
        (record.empty() || fs::last_write_time(e.path()) > fs::last_write_time(record)))
      record = e.path();
  REQUIRE(!record.empty());
  std::string text = gojit::read_record(record.string()).value_or("");
  const std::size_t at = text.find("\nE0 ok ");
  REQUIRE(at != std::string::npos);
  text.replace(at + 1, text.find('\n', at + 1) - at - 1, "E0 no E0: a refusal planted by the test");
  gojit::write_record(record.string(), text);

  std::ostringstream second;
  auto fallback = jit(with_call("auto", &second))->compile(*c.expr, 1);
  CHECK(second.str().find("jit: machine code verdicts from the cache") != std::string::npos);
  CHECK(second.str().find("jit: direct calls for 0 of 1 one-row and 1 of 1 batch functions") != std::string::npos);
  CHECK(second.str().find("jit: through cgo: E0: a refusal planted by the test") != std::string::npos);
  CHECK(test::same_bits(fallback->eval(&a), direct));
  CHECK_FALSE(static_cast<bool>(fallback->plain_function()));
  CHECK(what_of([&] { jit(with_call("direct"))->compile(*c.expr, 1); }) ==
        "--jit-call=direct: the jit cannot call this code directly: E0: a refusal planted by the test");
  CHECK(what_of([&] { jit(with_call("fast"))->compile(*c.expr, 1); }) ==
        "--jit-call must be auto, direct or cgo, not 'fast'");
  std::ostringstream cgo;
  jit(with_call("cgo", &cgo))->compile(*c.expr, 1);
  CHECK(cgo.str().find("jit: calls go through cgo (--jit-call=cgo)") != std::string::npos);
  CHECK(cgo.str().find("machine code") == std::string::npos);  // no vetting at all
}

TEST_CASE("direct: many threads call directly at once while the preemption signal (SIGURG) hits them") {
  const std::vector<std::string> vars = {"a", "b", "c"};
  std::vector<test::Checked> checked;
  std::vector<const Expr*> exprs;
  for (const char* t : {"sin(2.2*a) + cos(pi/b) * c", "a^2.5 + sqrt(abs(b))*c - log(1+a*a)",
                        "a < b ? max(a, b, c) % 3 : hypot(a, c) - floor(b)", "tanh(a) + asinh(b) + exp(-c*c)"}) {
    checked.push_back(test::front(t, vars));
    exprs.push_back(checked.back().expr.get());
  }
  auto direct = jit(with_call("direct"))->compile_many(exprs, vars.size());
  auto cgo = jit(with_call("cgo"))->compile_many(exprs, vars.size());
  for (const auto& c : cgo) CHECK_FALSE(static_cast<bool>(c->plain_function()));  // through cgo
  constexpr std::size_t kRows = 4000;
  std::mt19937_64 rng(0x5eed'7777);
  std::vector<std::vector<double>> cols(3, std::vector<double>(kRows));
  for (auto& col : cols)
    for (double& x : col) x = test::random_value(rng);
  std::vector<std::vector<double>> want(exprs.size(), std::vector<double>(kRows));
  const double* ptrs[3] = {cols[0].data(), cols[1].data(), cols[2].data()};
  for (std::size_t k = 0; k < exprs.size(); ++k) cgo[k]->eval_batch(ptrs, kRows, want[k].data());

  struct sigaction old {};
  REQUIRE(::sigaction(SIGURG, nullptr, &old) == 0);
  const bool go_handles_sigurg = (old.sa_flags & SA_SIGINFO) && old.sa_sigaction != nullptr;
  std::atomic<long> wrong{0}, calls{0};
  std::atomic<int> running{0};
  auto direct_worker = [&](unsigned seed) {
    ++running;
    std::vector<double> out(kRows);
    for (int pass = 0; pass < 6; ++pass) {
      for (std::size_t r = seed % 7; r < kRows; r += 3) {
        const double row[3] = {cols[0][r], cols[1][r], cols[2][r]};
        const std::size_t k = (r + pass) % exprs.size();
        wrong += !test::same_bits(direct[k]->eval(row), want[k][r]);
        ++calls;
      }
      const std::size_t k = (seed + pass) % exprs.size();
      direct[k]->eval_batch(ptrs, kRows, out.data());
      for (std::size_t r = 0; r < kRows; ++r) wrong += !test::same_bits(out[r], want[k][r]);
    }
    --running;
  };
  auto cgo_worker = [&] {  // keeps Go's own threads busy alongside
    std::vector<double> out(kRows);
    for (int pass = 0; pass < 8; ++pass) {
      cgo[pass % exprs.size()]->eval_batch(ptrs, kRows, out.data());
      for (std::size_t r = 0; r < kRows; ++r) wrong += !test::same_bits(out[r], want[pass % exprs.size()][r]);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 8; ++t) threads.emplace_back(direct_worker, t);
  for (int t = 0; t < 2; ++t) threads.emplace_back(cgo_worker);
  long signals = 0;
  while (running.load() == 0) std::this_thread::yield();
  while (running.load() > 0) {
    for (unsigned t = 0; t < 8; ++t) signals += ::pthread_kill(threads[t].native_handle(), SIGURG) == 0;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  long expected = 0;
  for (unsigned t = 0; t < 8; ++t) expected += 6 * static_cast<long>((kRows - t % 7 + 2) / 3);
  CHECK(calls == expected);
  CHECK(signals > 0);
  MESSAGE(calls.load() << " direct calls and 48 direct batches on 8 threads, 16 cgo batches on 2 more; " << signals
                       << " SIGURG sent to the direct threads (the Go runtime's handler "
                       << std::string(go_handles_sigurg ? "is" : "is not") << " installed for it)");
}

TEST_CASE("direct: exprjit --jit-call") {
  test::jit_test_env();
  auto run = [](std::vector<std::string> args) {
    gojit::RunRequest req;
    req.argv = {GOJIT_EXPRJIT};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env = gojit::Environment::current();
    req.timeout_s = 600;
    return gojit::run_process(req);
  };
  const std::string expr = "a*2 + 1 + 0*" + unique_number();
  gojit::RunResult d = run({"--backend=jit", "--jit-call=direct", "--verbose", expr, "--var", "a=3"});
  CHECK_MESSAGE(d.exit_code == 0, d.err);
  CHECK(d.out == "7\n");
  CHECK(d.err.find("jit: direct calls for 1 of 1 one-row and 1 of 1 batch functions") != std::string::npos);
  gojit::RunResult c = run({"--backend=jit", "--jit-call=cgo", "--verbose", expr, "--var", "a=3"});
  CHECK(c.out == "7\n");
  CHECK(c.err.find("jit: calls go through cgo (--jit-call=cgo)") != std::string::npos);
  gojit::RunResult bad = run({"--backend=jit", "--jit-call=fast", "1"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--jit-call") != std::string::npos);
}
