// test_direct.cpp — the direct path (docs/design.md, "Go JIT direct calls") with real
// plugins: unvetted Go code is refused with the reason, the C call of ejCall<n> is
// recognised exactly (an altered byte of it is refused), probes catch a disagreement, a
// refused verdict sends auto to the vm and makes --jit-call=direct an error, many threads
// call directly at once while SIGURG hits them, a thread with a small stack runs the
// fallback instead of overflowing, and the exprjit program's --jit-call.  (Conformance and
// the differential run through both paths in test_jit.cpp.)
#include <doctest/doctest.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "backends/backend.hpp"
#include "backends/gojit/inspect/elf.hpp"
#include "backends/gojit/inspect/vet.hpp"
#include "backends/gojit/runtime/direct.hpp"
#include "tests/common/common.hpp"
#include "tests/gojit/jit_test_util.hpp"

using namespace exprjit;
using test::jit;
using test::unique_number;
using test::what_of;
namespace fs = std::filesystem;

namespace {

const char* kUnvetted = R"(package main

import "unsafe"

var EjManifest = "m"

var sink []float64

// E0 reads at a computed index: a bounds check, which can panic.
func E0(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return v[int(v[0])]
}

// E1 allocates (and stores a pointer: a write barrier).
func E1(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	sink = make([]float64, int(v[1])&15+1)
	return float64(len(sink))
}

// E2 is plain arithmetic; E3 calls the C library through the table, as generated code does.
func E2(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return v[0]*2 + v[1]
}

func E3(_, _, _ uintptr, vp unsafe.Pointer, fp unsafe.Pointer) float64 {
	v := (*[2]float64)(vp)
	return ejCall1(fp, 0, v[0]) + 1
}

// B0 panics; B1 calls through a function value of its own.
func B0(cols, out unsafe.Pointer, n int, fp unsafe.Pointer) { panic("no") }

var fn = E2

func B1(cols, out unsafe.Pointer, n int, fp unsafe.Pointer) {
	for i := 0; i < n; i++ {
		*(*float64)(unsafe.Add(out, i*8)) = fn(0, 0, 0, cols, fp)
	}
}
)";

}  // namespace

TEST_CASE("direct: code that can panic, allocate or call anything is refused, with the reason") {
  test::HandPlugin p = test::build_hand_plugin(kUnvetted);
  const gojit::PluginVet v = gojit::vet_plugin(p.so.fd.get(), p.so.path, p.module, 4, gojit::objdump_path(), 120);
  REQUIRE(v.error.empty());
  CHECK_FALSE(v.values[0].ok);
  CHECK_MESSAGE(v.values[0].why.find("runtime.panicIndex") != std::string::npos, v.values[0].why);
  CHECK_FALSE(v.values[1].ok);
  CHECK_MESSAGE(v.values[1].why.rfind("E1 → runtime.", 0) == 0, v.values[1].why);
  CHECK_MESSAGE(v.values[2].ok, v.values[2].why);
  CHECK(v.values[2].bare);  // a leaf of arithmetic: a C function as it is
  CHECK(v.values[2].stack < 256);
  CHECK_MESSAGE(v.values[3].ok, v.values[3].why);  // the C call of ejCall1, recognised
  CHECK(v.values[3].calls_c);
  CHECK_FALSE(v.values[3].bare);
  CHECK_FALSE(v.batches[0].ok);  // panic: runtime.gopanic and friends
  CHECK_MESSAGE(v.batches[1].why.find("an indirect call") != std::string::npos, v.batches[1].why);
  MESSAGE("refusals: " << v.values[0].why << " | " << v.values[1].why << " | " << v.batches[0].why << " | "
                       << v.batches[1].why);
}

// Every single-bit change of ejCall1's call sequence makes the vetter refuse the entry:
// one that still calls something is not the recognised call, one that calls nothing any
// more (`not %eax`, `push $imm`) is a helper without its call.
TEST_CASE("direct: the C call sequence is recognised exactly: any altered byte of it is refused") {
  test::HandPlugin p = test::build_hand_plugin(kUnvetted);
  // Where ejCall1's three instructions are: mov (%rax,%rbx,1),%rdx; mov (%rdx),%rax; call *%rax.
  std::string why;
  std::optional<gojit::ElfFile> elf = gojit::ElfFile::read(p.so.fd.get(), &why);
  REQUIRE(elf);
  std::optional<std::vector<gojit::ElfFunction>> fns = elf->functions();
  REQUIRE(fns);
  const gojit::ElfFunction* call1 = nullptr;
  for (const gojit::ElfFunction& f : *fns)
    if (f.name == p.module + ".ejCall1") call1 = &f;
  REQUIRE(call1 != nullptr);
  const std::string bytes = test::read_file(p.so.path);
  const gojit::ElfFile::Section* text = elf->section(".text");
  REQUIRE(text != nullptr);
  const std::uint64_t at = call1->addr - text->addr + text->offset;  // the function's first byte in the file
  const std::string code = bytes.substr(at, call1->size);
  const std::string seq("\x48\x8b\x14\x18\x48\x8b\x02\xff\xd0", 9);  // the three instructions' encoding
  const std::size_t off = code.find(seq);
  REQUIRE_MESSAGE(off != std::string::npos, "ejCall1's sequence not found where expected");
  test::ScratchDir dir("mutated-");
  int refused = 0, tried = 0;
  for (std::size_t i = 0; i < seq.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string mutated = bytes;
      mutated[at + off + i] = static_cast<char>(mutated[at + off + i] ^ (1 << bit));
      const std::string path = dir.path() + "/m.so";
      std::ofstream(path, std::ios::binary | std::ios::trunc) << mutated;
      std::string w;
      gojit::UniqueFd fd = gojit::open_regular(AT_FDCWD, path, &w);
      const gojit::PluginVet v = gojit::vet_plugin(fd.get(), path, p.module, 4, gojit::objdump_path(), 120);
      ++tried;
      refused += !v.values[3].ok;
      CHECK_MESSAGE(!v.values[3].ok, "byte " << i << " bit " << bit << " altered, yet E3 was accepted");
    }
  MESSAGE(refused << " of " << tried << " single-bit changes of the call sequence refused");
}

TEST_CASE("direct: a refused verdict sends auto to the vm (the log says why); --jit-call=direct fails") {
  const std::string cache = test::jit_test_env();
  test::Checked c = test::front("a*3 + " + unique_number(), {"a"});
  const double a = 1.5;
  test::CapturedLog first;
  auto compiled = test::compile_one(*jit(test::logged(first)), c);
  CHECK(first.text.find("jit: machine code vetted with objdump") != std::string::npos);
  CHECK(first.text.find("jit: direct calls for 3 of 3 entry points (2 without a trampoline") != std::string::npos);
  const double direct = compiled->eval(&a);
  // A leaf of arithmetic is a plain C function (no trampoline): the entry is the Go code itself.
  CHECK(compiled->how().find("one row direct, no trampoline") != std::string::npos);

  // Plant a refusal in the stored verdicts of that plugin (the newest record).
  fs::path record;
  for (const auto& e : fs::directory_iterator(cache + "/plugins"))
    if (e.path().extension() == ".vet" && (record.empty() || fs::last_write_time(e.path()) > fs::last_write_time(record)))
      record = e.path();
  REQUIRE(!record.empty());
  const std::string name = record.filename().string();
  std::string text = test::test_cache().read_record(gojit::CacheKind::plugin, name).value_or("");
  const std::size_t at = text.find("\nE0 ok ");
  REQUIRE(at != std::string::npos);
  text.replace(at + 1, text.find('\n', at + 1) - at - 1, "E0 no E0: a refusal planted by the test");
  test::test_cache().write_record(gojit::CacheKind::plugin, name, text);

  test::CapturedLog second;
  auto fallback = test::compile_one(*jit(test::logged(second)), c);
  CHECK(second.text.find("jit: machine code verdicts from the cache") != std::string::npos);
  CHECK(second.text.find("jit: direct calls for 2 of 3 entry points") != std::string::npos);
  CHECK(second.text.find("jit: vm instead: E0: E0: a refusal planted by the test") != std::string::npos);
  CHECK(test::same_bits(fallback->eval(&a), direct));
  CHECK(fallback->how().find("one row fallback: E0: a refusal planted by the test") != std::string::npos);
  CHECK(what_of([&] { test::compile_one(*jit({.jit_call = JitCall::direct}), c); }) ==
        "--jit-call=direct: the jit cannot call this code directly: E0: E0: a refusal planted by the test");
  test::CapturedLog none;
  auto fb = test::compile_one(*jit(test::logged(none, JitCall::fallback)), c);
  CHECK(none.text.find("the vm backend runs it: --jit-call=fallback") != std::string::npos);
  CHECK(none.text.find("machine code") == std::string::npos);  // nothing built or vetted
  CHECK(test::same_bits(fb->eval(&a), direct));
}

TEST_CASE("direct: many threads call directly at once while SIGURG hits them") {
  const std::vector<std::string> vars = {"a", "b", "c"};
  std::vector<test::Checked> checked;
  for (const char* t : {"sin(2.2*a) + cos(pi/b) * c", "a^2.5 + sqrt(abs(b))*c - log(1+a*a)",
                        "a < b ? max(a, b, c) % 3 : hypot(a, c) - floor(b)", "tanh(a) + asinh(b) + exp(-c*c)"})
    checked.push_back(test::front(t, vars));
  auto direct = jit({.jit_call = JitCall::direct})->compile(test::unit_of(checked));
  auto vm = test::make_backend("vm")->compile(test::unit_of(checked));
  constexpr std::size_t kRows = 4000;
  std::mt19937_64 rng(0x5eed'7777);
  std::vector<std::vector<double>> cols(3, std::vector<double>(kRows));
  for (auto& col : cols)
    for (double& x : col) x = test::random_value(rng);
  std::vector<std::vector<double>> want(checked.size(), std::vector<double>(kRows));
  const double* ptrs[3] = {cols[0].data(), cols[1].data(), cols[2].data()};
  for (std::size_t k = 0; k < checked.size(); ++k) vm[k]->eval_batch(ptrs, kRows, want[k].data());

  // The workers start together and stay alive until the signalling stops, so every
  // pthread_kill finds its thread and at least one round of signals is sent while they run.
  // (Waiting for "some thread is running" raced: on a loaded machine all eight could finish
  // before the main thread looked, and it then waited for ever.)
  constexpr unsigned kThreads = 8;
  std::atomic<long> wrong{0}, calls{0};
  std::atomic<unsigned> started{0}, finished{0};
  std::atomic<bool> go{false}, release{false};
  auto worker = [&](unsigned seed) {
    ++started;
    while (!go.load()) std::this_thread::yield();
    std::vector<double> out(kRows);
    for (int pass = 0; pass < 6; ++pass) {
      for (std::size_t r = seed % 7; r < kRows; r += 3) {
        const double row[3] = {cols[0][r], cols[1][r], cols[2][r]};
        const std::size_t k = (r + pass) % checked.size();
        wrong += !test::same_bits(direct[k]->eval(row), want[k][r]);
        ++calls;
      }
      const std::size_t k = (seed + pass) % checked.size();
      direct[k]->eval_batch(ptrs, kRows, out.data());
      for (std::size_t r = 0; r < kRows; ++r) wrong += !test::same_bits(out[r], want[k][r]);
    }
    ++finished;
    while (!release.load()) std::this_thread::yield();
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  while (started.load() < kThreads) std::this_thread::yield();
  go = true;
  long signals = 0;
  do {
    for (auto& th : threads) signals += ::pthread_kill(th.native_handle(), SIGURG) == 0;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  } while (finished.load() < kThreads);
  release = true;
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  long expected = 0;
  for (unsigned t = 0; t < kThreads; ++t) expected += 6 * static_cast<long>((kRows - t % 7 + 2) / 3);
  CHECK(calls == expected);
  CHECK(signals > 0);
  MESSAGE(calls.load() << " direct calls and 48 direct batches on 8 threads; " << signals << " SIGURG sent to them");
}

namespace {
// Runs f on a new thread with a stack of `bytes`, and waits for it.
void on_small_stack(std::size_t bytes, const std::function<void()>& f) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t t;
  auto* arg = new std::function<void()>(f);
  REQUIRE(pthread_create(
              &t, &attr,
              [](void* p) -> void* {
                auto* fn = static_cast<std::function<void()>*>(p);
                (*fn)();
                delete fn;
                return nullptr;
              },
              arg) == 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}
}  // namespace

TEST_CASE("direct: a thread whose stack is too small for a direct call runs the fallback instead") {
  // A direct call that calls C needs the vetted Go stack plus room for the C function
  // (kCStackAllowance): more than a 16 KiB thread has, so there the vm answers.
  const test::Checked c = test::front("sin(a) * cos(a*2) + " + unique_number(), {"a"});
  auto code = test::compile_one(*jit({.jit_call = JitCall::direct}), c);
  auto vm = test::compile_one(*test::make_backend("vm"), c);
  const double a = 0.3, want = vm->eval(&a);
  REQUIRE(code->how().find("one row direct;") != std::string::npos);  // a trampoline and a stack check
  CHECK(test::same_bits(code->eval(&a), want));
  std::size_t room_small = 0, room_big = 0;
  double small = 0, big = 0;
  on_small_stack(16 * 1024, [&] {
    room_small = gojit::stack_room();
    small = code->eval(&a);
  });
  on_small_stack(4 << 20, [&] {
    room_big = gojit::stack_room();
    big = code->eval(&a);
  });
  CHECK(room_small < 16 * 1024);
  CHECK(room_small > 0);
  CHECK(room_big > (3 << 20));
  CHECK(test::same_bits(small, want));
  CHECK(test::same_bits(big, want));
  // Off the thread's own stack (a coroutine's, a signal stack) the room is unknown: 0.
  std::vector<char> other(256 * 1024);
  ucontext_t main_ctx{}, co{};
  static std::size_t room_co;
  static ucontext_t* back;
  back = &main_ctx;
  getcontext(&co);
  co.uc_stack.ss_sp = other.data();
  co.uc_stack.ss_size = other.size();
  co.uc_link = &main_ctx;
  makecontext(&co, [] { room_co = gojit::stack_room(); }, 0);
  swapcontext(&main_ctx, &co);
  CHECK(room_co == 0);
  (void)back;
  MESSAGE("stack room: 16 KiB thread " << room_small << " bytes, 4 MiB thread " << room_big / 1024 << " KiB");
}

TEST_CASE("direct: exprjit --jit-call") {
  test::jit_test_env();
  auto run = [](const std::vector<std::string>& args) { return test::run_exprjit(args); };
  const std::string expr = "a*2 + 1 + 0*" + unique_number();
  gojit::RunResult d = run({"--backend=jit", "--jit-call=direct", "--verbose", expr, "--var", "a=3"});
  CHECK_MESSAGE(d.exit_code == 0, d.err);
  CHECK(d.out == "7\n");
  CHECK(d.err.find("jit: direct calls for 3 of 3 entry points") != std::string::npos);
  gojit::RunResult f = run({"--backend=jit", "--jit-call=fallback", "--verbose", expr, "--var", "a=3"});
  CHECK(f.out == "7\n");
  CHECK(f.err.find("the vm backend runs it: --jit-call=fallback") != std::string::npos);
  gojit::RunResult bad = run({"--backend=jit", "--jit-call=cgo", "1"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("jit call mode 'cgo'") != std::string::npos);
}
