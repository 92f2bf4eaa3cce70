// vet.hpp — the machine-code check that decides which plugin functions may be called
// directly, without cgo (docs/design.md, "Go JIT direct calls").
//
// A direct call runs Go code on a C++ thread with a stand-in goroutine descriptor whose
// stack guard is 0.  That is safe only for code that never reaches the Go runtime.  The
// vetter disassembles the plugin (GNU objdump; Go's own objdump mis-decodes VEX
// instructions such as the FMA the math package uses) and follows every call and tail
// jump from each entry point E<k> / B<k>.  Every function reached must
//   - belong to the plugin's own package, to math or to math/bits (by symbol name);
//   - make no indirect call or jump (no function values, no jump tables);
//   - use R14 (Go's g register) only in the stack-guard compare of its prologue
//     `cmp 0x10(%r14),%reg` — never load it from thread-local storage, which Go code
//     does after calling assembly (ABI0) — and use no %fs/%gs (thread-local) operand;
//   - call runtime.morestack only on the slow path of that prologue (unreachable: the
//     stand-in's guard is 0), and nothing else of the runtime: no allocation, panic,
//     write barrier, lock, race or checkptr hook can hide there;
//   - have no lock prefix, xchg with memory, syscall, sysenter, int or hlt;
//   - change %rsp only by push/pop, `sub $n` / `add $n` and leave (no enter);
//   - not use cpuid (it writes RBX behind the operands' back);
//   - not recurse (the stack it needs is bounded by the call tree), and need at most
//     kMaxDirectStack bytes of the caller's stack in all.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/gojit/elfsyms.hpp"

namespace exprjit::gojit {

inline constexpr std::uint64_t kMaxDirectStack = 64 * 1024;
inline constexpr int kVetRules = 6;  // part of every stored verdict: bump when a rule changes

struct Insn {
  std::uint64_t addr = 0;
  std::string text;  // "mnemonic operands" as objdump prints it (AT&T), comment removed
};

// The instructions of `objdump -d --no-show-raw-insn` output, in the order printed.
std::vector<Insn> parse_objdump(std::string_view text);

struct Verdict {
  bool ok = false;
  std::string why;          // when !ok: the path to the first violation ("ejSin → math.sin → ...")
  std::uint64_t stack = 0;  // when ok: bytes of stack a call may use, return address included
  // when ok: a leaf that calls nothing, touches no stack memory (no frame, no spill into
  // its caller's frame), names none of R14, X15, RBX, R12, R13, R15, and RBP only to save
  // and restore it: C++ can call it as a C function (direct.hpp, call_row_bare)
  bool bare = false;
};

// Vets functions of one disassembled plugin.  main_pkg is the plugin's package path (its
// functions are "<main_pkg>.E0", ...).  Verdicts are memoized across entries.
class Vetter {
 public:
  Vetter(std::vector<ElfFunction> fns, std::vector<Insn> code, std::string main_pkg);
  Verdict vet(const std::string& name);  // a function of main_pkg, e.g. "E0"
  std::size_t functions_seen() const { return memo_.size(); }

 private:
  Verdict vet_at(const ElfFunction& f, std::vector<std::string>& stack);
  std::string display(const std::string& name) const;

  std::vector<ElfFunction> fns_;
  std::vector<Insn> code_;  // sorted by address
  std::string main_pkg_;
  std::map<std::uint64_t, Verdict> memo_;
};

// The verdicts for every E<k> and B<k> of a plugin.
struct PluginVet {
  std::string error;  // vetting could not run (no objdump, unreadable file): nothing is direct
  std::vector<Verdict> rows, batches;
  std::size_t functions = 0;  // distinct functions inspected
};

// Disassembles the plugin with objdump (only the code of main_pkg, math and math/bits) and
// vets E0..E(n-1), B0..B(n-1).
PluginVet vet_plugin(const std::string& so_path, const std::string& main_pkg, std::size_t nexprs,
                     const std::string& objdump, double timeout_s);

// A PluginVet as a text record (stored beside the cached plugin) and back; nullopt when the
// text is not a record of these rules for nexprs expressions.
std::string vet_to_text(const PluginVet& v);
std::optional<PluginVet> vet_from_text(std::string_view text, std::size_t nexprs);

}  // namespace exprjit::gojit
