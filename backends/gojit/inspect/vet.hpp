// vet.hpp — the machine-code check that decides which plugin functions may be called
// directly from C++ (docs/design.md, "Go JIT direct calls").
//
// A direct call runs Go code on a C++ thread with a stand-in goroutine descriptor whose
// stack guard is 0.  That is safe only for code that never reaches the Go runtime.  The
// vetter disassembles the plugin (GNU objdump; Go's own objdump mis-decodes VEX
// instructions such as the FMA the math package uses) and follows every call and tail
// jump from each entry point E<k> / B<k>.  Every function reached must
//   - belong to the plugin's own package, to math or to math/bits (by symbol name);
//   - make no indirect call or jump (no function values, no jump tables) — except the one C
//     call of the helpers ejCall<n> (emit/go/helpers.go), recognised exactly: in a function
//     of the plugin's own package named ejCall<digits>, `call *%rax` right after
//     `mov (%rax,%rbx,1),%rdx; mov (%rdx),%rax` (the function value at fp+k, then its code),
//     with RAX and RBX (the arguments fp and k) written by no instruction before them, and no
//     other indirect call in that function; and an ejCall<n> without that exact sequence is
//     refused (its bytes were altered);  The target is then a stub of the host's callee
//     table (runtime/ctable.hpp), which aligns the stack for C and zeroes X15 on return;
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

#include "backends/gojit/inspect/elf.hpp"

namespace exprjit::gojit {

inline constexpr std::uint64_t kMaxDirectStack = 64 * 1024;
inline constexpr int kVetRules = 8;  // part of every stored verdict: bump when a rule changes

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
  bool calls_c = false;     // when ok: it may call a C function (through ejCall<n>)
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
  bool is_call_helper(const ElfFunction& f) const;  // <main_pkg>.ejCall<digits>
  bool is_c_call(const ElfFunction& f, std::vector<Insn>::const_iterator first,
                 std::vector<Insn>::const_iterator call) const;
  std::string display(const std::string& name) const;

  std::vector<ElfFunction> fns_;
  std::vector<Insn> code_;  // sorted by address
  std::string main_pkg_;
  std::map<std::uint64_t, Verdict> memo_;
};

// The verdicts for every entry point of a plugin: E<k> (values), P<k> (pointers), B<k>.
struct PluginVet {
  std::string error;  // vetting could not run (no objdump, unreadable file): nothing is direct
  std::vector<Verdict> values, pointers, batches;
  std::size_t functions = 0;  // distinct functions inspected
};

// Disassembles the plugin with objdump (only the code of main_pkg, math and math/bits; the
// file by path, the symbols through fd, both the same verified file) and vets every entry
// point of its nexprs expressions.
PluginVet vet_plugin(int fd, const std::string& so_path, const std::string& main_pkg, std::size_t nexprs,
                     const std::string& objdump, double timeout_s);

// A PluginVet as a text record (stored beside the cached plugin) and back; nullopt when the
// text is not a record of these rules for nexprs expressions.
std::string vet_to_text(const PluginVet& v);
std::optional<PluginVet> vet_from_text(std::string_view text, std::size_t nexprs);

}  // namespace exprjit::gojit
