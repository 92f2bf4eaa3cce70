// vet.cpp — see vet.hpp for the rules and docs/design.md for why they make a direct call safe.
#include "backends/gojit/inspect/vet.hpp"

#include "backends/gojit/abi.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "backends/gojit/build/process.hpp"

namespace exprjit::gojit {
namespace {

constexpr std::uint64_t kNone = ~std::uint64_t{0};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// The target of a direct call or jump: "b0aa0 <math.sin@@Base>" -> 0xb0aa0.
std::uint64_t branch_target(std::string_view ops) {
  if (ops.empty() || ops.front() == '*') return kNone;
  char* end = nullptr;
  const std::string s(ops.substr(0, ops.find(' ')));
  const unsigned long long v = std::strtoull(s.c_str(), &end, 16);
  return end && *end == '\0' && !s.empty() ? v : kNone;
}

// The last operand (AT&T: the destination), outside parentheses.
std::string_view destination(std::string_view ops) {
  int depth = 0;
  std::size_t cut = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i] == '(') ++depth;
    if (ops[i] == ')') --depth;
    if (ops[i] == ',' && depth == 0) cut = i + 1;
  }
  return trim(ops.substr(cut));
}

bool is_prefix(std::string_view w) {
  static const std::set<std::string_view> prefixes = {"rep",   "repz",  "repe", "repnz",  "repne", "notrack",
                                                       "bnd",   "data16", "addr32", "cs",   "ds",  "es",
                                                       "ss",    "rex",   "rex.W", "lock",   "fs",  "gs"};
  return prefixes.count(w) != 0;
}

// Whether the text of insn writes reg (its AT&T destination, or a push/pop/xchg of it).
bool writes(const std::string& text, std::string_view reg) {
  const std::size_t sp = text.find(' ');
  const std::string_view mn = std::string_view(text).substr(0, sp);
  const std::string_view ops = sp == std::string::npos ? std::string_view() : std::string_view(text).substr(sp + 1);
  if (mn == "cmp" || mn == "test" || mn.substr(0, 4) == "push" || mn[0] == 'j' || mn == "ret") return false;
  if (mn.substr(0, 4) == "xchg" || mn.substr(0, 4) == "cpuid" || mn.substr(0, 3) == "mul" || mn.substr(0, 3) == "div")
    return true;  // implicit or two-way writes: count them
  return destination(ops) == reg;
}

}  // namespace

// The C call of emit/go/helpers.go's ejCall<n>, recognised exactly (vet.hpp).
bool Vetter::is_call_helper(const ElfFunction& f) const {
  const std::string prefix = main_pkg_ + ".ejCall";
  if (!starts_with(f.name, prefix) || f.name.size() == prefix.size()) return false;
  for (char c : std::string_view(f.name).substr(prefix.size()))
    if (c < '0' || c > '9') return false;
  return true;
}

bool Vetter::is_c_call(const ElfFunction& f, std::vector<Insn>::const_iterator first,
                       std::vector<Insn>::const_iterator call) const {
  if (!is_call_helper(f)) return false;
  if (call->text != "call *%rax" || call - first < 2) return false;
  if ((call - 2)->text != "mov (%rax,%rbx,1),%rdx" || (call - 1)->text != "mov (%rdx),%rax") return false;
  for (auto it = first; it != call - 2; ++it)
    if (writes(it->text, "%rax") || writes(it->text, "%eax") || writes(it->text, "%rbx") || writes(it->text, "%ebx"))
      return false;
  return true;
}

std::vector<Insn> parse_objdump(std::string_view text) {
  std::vector<Insn> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    // "   b1280:\tcmp    0x10(%r14),%rsp"
    const std::size_t colon = line.find(":\t");
    if (colon == std::string_view::npos || line.empty() || line.front() != ' ') continue;
    const std::string addr(trim(line.substr(0, colon)));
    char* end = nullptr;
    const unsigned long long a = std::strtoull(addr.c_str(), &end, 16);
    if (addr.empty() || !end || *end != '\0') continue;
    std::string_view insn = line.substr(colon + 2);
    if (const std::size_t hash = insn.find('#'); hash != std::string_view::npos) insn = insn.substr(0, hash);
    insn = trim(insn);
    std::string norm;  // one space between mnemonic and operands
    const std::size_t sp = insn.find_first_of(" \t");
    norm = std::string(insn.substr(0, sp));
    if (sp != std::string_view::npos) norm += " " + std::string(trim(insn.substr(sp)));
    out.push_back({a, norm});
  }
  return out;
}

Vetter::Vetter(std::vector<ElfFunction> fns, std::vector<Insn> code, std::string main_pkg)
    : fns_(std::move(fns)), code_(std::move(code)), main_pkg_(std::move(main_pkg)) {
  std::stable_sort(code_.begin(), code_.end(), [](const Insn& a, const Insn& b) { return a.addr < b.addr; });
}

std::string Vetter::display(const std::string& name) const {
  return starts_with(name, main_pkg_ + ".") ? name.substr(main_pkg_.size() + 1) : name;
}

Verdict Vetter::vet(const std::string& name) {
  const std::string full = main_pkg_ + "." + name;
  for (const ElfFunction& f : fns_)
    if (f.name == full) {
      std::vector<std::string> stack;
      return vet_at(f, stack);
    }
  return {false, name + " is not in the plugin's symbol table", 0, false, false};
}

Verdict Vetter::vet_at(const ElfFunction& f, std::vector<std::string>& path) {
  if (auto it = memo_.find(f.addr); it != memo_.end()) return it->second;
  const std::string me = display(f.name);
  if (std::find(path.begin(), path.end(), me) != path.end()) {
    std::string cycle;
    for (const std::string& p : path) cycle += p + " → ";
    return {false, cycle + me + ": recursion (no bound on the stack it needs)", 0, false, false};
  }
  auto fail = [&](const std::string& why) {
    Verdict v{false, me + ": " + why, 0, false, false};
    memo_[f.addr] = v;
    return v;
  };
  if (!(starts_with(f.name, main_pkg_ + ".") || starts_with(f.name, "math.") || starts_with(f.name, "math/bits.")))
    return fail("outside the vetted packages (the plugin's own, math, math/bits)");

  auto first = std::lower_bound(code_.begin(), code_.end(), f.addr,
                                [](const Insn& i, std::uint64_t a) { return i.addr < a; });
  auto last = std::lower_bound(first, code_.end(), f.addr + f.size,
                               [](const Insn& i, std::uint64_t a) { return i.addr < a; });
  // The disassembly must cover the function: its first instruction at its start, its last
  // within the longest x86 instruction of its end.
  if (first == last || first->addr != f.addr || (last - 1)->addr + 15 < f.addr + f.size - 1)
    return fail("its machine code was not (completely) disassembled");

  std::uint64_t frame = 8;  // the return address
  bool bare = true, morestack = false, calls_c = false;
  std::uint64_t slow_path = kNone;
  std::vector<const ElfFunction*> callees;
  bool after_guard = false;
  for (auto it = first; it != last; ++it) {
    const std::string& t = it->text;
    const std::string at = " at " + hex(it->addr) + " (" + t + ")";
    std::string_view rest = t;
    std::string_view mn = rest.substr(0, rest.find(' '));
    rest = mn.size() < rest.size() ? trim(rest.substr(mn.size())) : std::string_view();
    while (is_prefix(mn)) {
      if (mn == "lock") return fail("an atomic (lock-prefixed) instruction" + at);
      if (mn == "fs" || mn == "gs") return fail("a thread-local (goroutine state) access" + at);
      mn = rest.substr(0, rest.find(' '));
      rest = mn.size() < rest.size() ? trim(rest.substr(mn.size())) : std::string_view();
    }
    const std::string_view ops = rest;
    for (const char* r : {"%rbx", "%ebx", "%bx", "%bl", "%bh", "%r12", "%r13", "%r15"})
      if (ops.find(r) != std::string_view::npos) bare = false;
    if (ops.find("%r14") != std::string_view::npos || ops.find("%xmm15") != std::string_view::npos ||
        ops.find("(%rsp") != std::string_view::npos || (starts_with(mn, "push") && ops != "%rbp") ||
        mn == "leave" || (destination(ops) == "%rsp" && !starts_with(mn, "pop") && mn != "cmp" && mn != "test"))
      bare = false;
    if ((ops.find("%rbp") != std::string_view::npos || ops.find("%ebp") != std::string_view::npos ||
         ops.find("%bp") != std::string_view::npos) &&
        t != "push %rbp" && t != "pop %rbp" && t != "mov %rsp,%rbp")
      bare = false;
    const bool guard_branch = after_guard;
    after_guard = false;
    if (mn == "(bad)" || mn.empty()) return fail("an undecodable instruction" + at);
    if (ops.find("%fs:") != std::string_view::npos || ops.find("%gs:") != std::string_view::npos)
      return fail("a thread-local (goroutine state) access" + at);
    if (ops.find("%r14") != std::string_view::npos) {
      // Only the stack guard: cmp 0x10(%r14),%reg (g.stackguard0).
      if (!(mn == "cmp" && starts_with(ops, "0x10(%r14),%") && ops.find("%r14", 10) == std::string_view::npos))
        return fail("uses the g register (R14) beyond the stack guard" + at);
      after_guard = true;
      continue;
    }
    if (mn == "syscall" || mn == "sysenter" || mn == "int" || mn == "hlt" || mn == "cpuid")
      return fail("a system call, trap or cpuid" + at);
    if (mn == "enter") return fail("an unrecognised change of the stack pointer" + at);
    if (starts_with(mn, "xchg") && ops.find('(') != std::string_view::npos)
      return fail("an atomic exchange with memory" + at);
    if (mn == "call" || mn == "callq") {
      const std::uint64_t target = branch_target(ops);
      if (target == kNone) {
        if (!is_c_call(f, first, it)) return fail("an indirect call" + at);
        if (calls_c) return fail("a second indirect call" + at);
        calls_c = true;
        frame += 8;  // the return address; the host's stub and the C function use the stack after it
        continue;
      }
      const ElfFunction* callee = function_at(fns_, target);
      if (!callee) return fail("a call to " + hex(target) + ", which is not a function's start" + at);
      if (starts_with(callee->name, "runtime.morestack")) {
        if (slow_path == kNone || it->addr < slow_path)
          return fail("calls " + callee->name + " outside the stack-guard slow path" + at);
        morestack = true;
        continue;
      }
      callees.push_back(callee);
      continue;
    }
    if (mn[0] == 'j') {
      const std::uint64_t target = branch_target(ops);
      if (target == kNone) return fail("an indirect jump" + at);
      if (guard_branch && mn == "jbe") slow_path = target;
      if (target >= f.addr && target < f.addr + f.size) continue;
      const ElfFunction* callee = function_at(fns_, target);
      if (!callee) return fail("a jump to " + hex(target) + ", outside the function and not a function's start" + at);
      if (starts_with(callee->name, "runtime.morestack")) return fail("a jump to " + callee->name + at);
      callees.push_back(callee);  // a tail call
      continue;
    }
    if (starts_with(mn, "push")) {  // push, pushq, pushfq
      frame += 8;
      continue;
    }
    if (destination(ops) == "%rsp" && mn != "cmp" && mn != "test" && !starts_with(mn, "pop")) {
      if ((mn == "sub" || mn == "add") && starts_with(ops, "$0x")) {
        // objdump prints the immediate as 64 bits: `add $0xffffffffffffff80,%rsp` is Go's
        // ADDQ $-128, SP (opening a frame: -128 fits in one byte, +128 does not).
        const auto imm = static_cast<std::int64_t>(std::strtoull(std::string(ops.substr(3)).c_str(), nullptr, 16));
        const std::int64_t grow = mn == "sub" ? imm : -imm;
        if (grow > 0) frame += static_cast<std::uint64_t>(grow);
        continue;
      }
      return fail("an unrecognised change of the stack pointer" + at);
    }
  }

  // A C-call helper is its call sequence: one whose sequence was altered into something
  // else (a byte changed) is not the code generated from helpers.go.
  if (is_call_helper(f) && !calls_c) return fail("a C-call helper without its exact call sequence");

  path.push_back(me);
  std::uint64_t deepest = 0;
  bool any_c = calls_c;
  for (const ElfFunction* c : callees) {
    Verdict v = vet_at(*c, path);
    if (!v.ok) {
      path.pop_back();
      Verdict bad{false, me + " → " + v.why, 0, false, false};
      if (v.why.find("recursion") == std::string::npos) memo_[f.addr] = bad;  // a cycle depends on the path
      return bad;
    }
    deepest = std::max(deepest, v.stack);
    any_c = any_c || v.calls_c;
  }
  path.pop_back();
  Verdict ok{true, "", frame + deepest, any_c, bare && !morestack && callees.empty() && !calls_c};
  if (ok.stack > kMaxDirectStack)
    return fail("needs " + std::to_string(ok.stack) + " bytes of stack (the limit is " +
                std::to_string(kMaxDirectStack) + ")");
  memo_[f.addr] = ok;
  return ok;
}

PluginVet vet_plugin(int fd, const std::string& so_path, const std::string& main_pkg, std::size_t nexprs,
                     const std::string& objdump, double timeout_s) {
  PluginVet out;
  auto give_up = [&](const std::string& why) {
    out.error = why;
    out.values.assign(nexprs, Verdict{false, why, 0, false, false});
    out.pointers = out.batches = out.values;
    return out;
  };
  if (objdump.empty()) return give_up("no objdump (GNU binutils) was found when exprjit was built");
  std::string err;
  std::optional<ElfFile> elf = ElfFile::read(fd, &err);
  if (!elf) return give_up(so_path + ": " + err);
  std::optional<std::vector<ElfFunction>> fns = elf->functions();
  if (!fns) return give_up(so_path + ": its dynamic symbol table is damaged");
  // Only the code that may be reached: the plugin's package, math and math/bits.  They
  // sit together in the text; disassemble the clusters they form.
  std::vector<const ElfFunction*> wanted;
  for (const ElfFunction& f : *fns)
    if (starts_with(f.name, main_pkg + ".") || starts_with(f.name, "math.") || starts_with(f.name, "math/bits."))
      wanted.push_back(&f);
  std::vector<Insn> code;
  for (std::size_t i = 0; i < wanted.size();) {
    std::uint64_t lo = wanted[i]->addr, hi = wanted[i]->addr + wanted[i]->size;
    std::size_t j = i + 1;
    while (j < wanted.size() && wanted[j]->addr < hi + (1 << 16)) hi = std::max(hi, wanted[j]->addr + wanted[j]->size), ++j;
    RunRequest req;
    req.argv = {objdump, "-d", "--no-show-raw-insn", "-w", "--start-address=" + hex(lo), "--stop-address=" + hex(hi),
                so_path};
    req.env = Environment::current();
    req.env.set("LC_ALL", "C");
    req.timeout_s = timeout_s;
    req.max_capture = std::size_t{1} << 30;
    RunResult r;
    try {
      r = run_process(req);
    } catch (const std::exception& e) {
      return give_up(std::string("cannot run objdump: ") + e.what());
    }
    if (!r.ok()) return give_up("objdump " + describe_outcome(r, timeout_s) + ": " + r.err.substr(0, 400));
    std::vector<Insn> part = parse_objdump(r.out);
    code.insert(code.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    i = j;
  }
  Vetter vetter(std::move(*fns), std::move(code), main_pkg);
  for (std::size_t k = 0; k < nexprs; ++k) {
    out.values.push_back(vetter.vet(entry_name(EntryKind::values, k)));
    out.pointers.push_back(vetter.vet(entry_name(EntryKind::pointers, k)));
    out.batches.push_back(vetter.vet(entry_name(EntryKind::batch, k)));
  }
  out.functions = vetter.functions_seen();
  return out;
}

namespace {
constexpr char kEntryLetter[] = {'E', 'P', 'B'};
}

std::string vet_to_text(const PluginVet& v) {
  std::ostringstream s;
  s << "exprjit-gojit-vet " << kVetRules << "\nexprs " << v.values.size() << "\nfunctions " << v.functions << "\n";
  auto put = [&](char kind, std::size_t k, const Verdict& d) {
    s << kind << k
      << (d.ok ? " ok " + std::to_string(d.stack) + (d.bare ? " bare" : " full") + (d.calls_c ? " c" : "")
               : " no " + d.why)
      << "\n";
  };
  for (std::size_t k = 0; k < v.values.size(); ++k)
    put('E', k, v.values[k]), put('P', k, v.pointers[k]), put('B', k, v.batches[k]);
  if (!v.error.empty()) s << "error " << v.error << "\n";
  return s.str();
}

std::optional<PluginVet> vet_from_text(std::string_view text, std::size_t nexprs) {
  std::istringstream in{std::string(text)};
  std::string line;
  PluginVet v;
  if (!std::getline(in, line) || line != "exprjit-gojit-vet " + std::to_string(kVetRules)) return std::nullopt;
  if (!std::getline(in, line) || line != "exprs " + std::to_string(nexprs)) return std::nullopt;
  if (!std::getline(in, line) || !starts_with(line, "functions ")) return std::nullopt;
  v.functions = std::strtoull(line.c_str() + 10, nullptr, 10);
  for (std::size_t k = 0; k < nexprs; ++k)
    for (char kind : kEntryLetter) {
      const std::string head = kind + std::to_string(k);
      if (!std::getline(in, line) || !starts_with(line, head + " ")) return std::nullopt;
      Verdict d;
      const std::string_view rest = std::string_view(line).substr(head.size() + 1);
      if (starts_with(rest, "ok ")) {
        char* end = nullptr;
        const std::string num(rest.substr(3));
        d.ok = true;
        d.stack = std::strtoull(num.c_str(), &end, 10);
        std::string_view mode(end);
        d.calls_c = mode.size() >= 2 && mode.substr(mode.size() - 2) == " c";
        if (d.calls_c) mode.remove_suffix(2);
        d.bare = mode == " bare";
        if (!d.bare && mode != " full") return std::nullopt;
      } else if (starts_with(rest, "no ")) {
        d.why = std::string(rest.substr(3));
      } else {
        return std::nullopt;
      }
      (kind == 'E' ? v.values : kind == 'P' ? v.pointers : v.batches).push_back(d);
    }
  if (std::getline(in, line) && starts_with(line, "error ")) v.error = line.substr(6);
  return v;
}

}  // namespace exprjit::gojit
