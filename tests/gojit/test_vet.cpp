// test_vet.cpp — the direct path's checks that need no Go toolchain: the machine-code
// vetting rules on hand-written disassembly, stored verdicts, which toolchains may call
// directly, --jit-call values, and the math functions generated code may call.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "backends/gojit/codegen.hpp"
#include "backends/gojit/direct.hpp"
#include "backends/gojit/go_helpers.hpp"
#include "backends/gojit/vet.hpp"
#include "tests/common/common.hpp"

using namespace exprjit;
using namespace exprjit::gojit;

namespace {

// A tiny "plugin": functions at fixed addresses and their disassembly as objdump prints it.
struct Fake {
  std::vector<ElfFunction> fns;
  std::string dis;
  void fn(const std::string& name, std::uint64_t addr, std::uint64_t size, const std::string& body) {
    fns.push_back({name, addr, size});
    char head[128];
    std::snprintf(head, sizeof head, "\n%016llx <%s@@Base>:\n", static_cast<unsigned long long>(addr), name.c_str());
    dis += head + body;
  }
  Verdict vet(const std::string& name) {
    std::sort(fns.begin(), fns.end(), [](const ElfFunction& a, const ElfFunction& b) { return a.addr < b.addr; });
    return Vetter(fns, parse_objdump(dis), "exprjit/pX").vet(name);
  }
};

// Go's prologue and stack-growth path for a function at 0x1000 with frame 0x18, calling what.
std::string go_function(const std::string& call_line) {
  return "    1000:\tcmp    0x10(%r14),%rsp\n"
         "    1004:\tjbe    1030 <exprjit/pX.E0@@Base+0x30>\n"
         "    100a:\tpush   %rbp\n"
         "    100b:\tmov    %rsp,%rbp\n"
         "    100e:\tsub    $0x18,%rsp\n"
         "    1012:\tmovsd  (%rax),%xmm0\n" +
         call_line +
         "    1020:\tadd    $0x18,%rsp\n"
         "    1024:\tpop    %rbp\n"
         "    1025:\tret\n"
         "    1030:\tmov    %rax,0x8(%rsp)\n"
         "    1035:\tcall   9000 <runtime.morestack_noctxt.abi0@@Base>\n"
         "    103a:\tjmp    1000 <exprjit/pX.E0@@Base>\n"
         "    103f:\tint3\n";
}

const char* kLeaf =
    "    2000:\tmovsd  0x10(%rip),%xmm1        # 3000 <crosscall1@@Base+0x10>\n"
    "    2008:\tmulsd  %xmm1,%xmm0\n"
    "    200c:\tret\n";

Fake with_call(const std::string& call_line, const std::string& callee, const std::string& callee_body = kLeaf) {
  Fake f;
  f.fn("exprjit/pX.E0", 0x1000, 0x40, go_function(call_line));
  f.fn(callee, 0x2000, 0x0d, callee_body);
  f.fns.push_back({"runtime.morestack_noctxt.abi0", 0x9000, 0x20});
  return f;
}

}  // namespace

TEST_CASE("vet: objdump lines become instructions; comments and headers are dropped") {
  const auto insns = parse_objdump(
      "\nDisassembly of section .text:\n\n00000000000b1280 <exprjit/ptest.B0@@Base>:\n"
      "   b1280:\tcmp    0x10(%r14),%rsp\n"
      "   b12c9:\tcall   b0fa0 <math.archLog.abi0@@Base>\n"
      "   b12d2:\tmov    0x954bf(%rip),%r14        # 146798 <runtime.tlsg@@Base+0x146798>\n");
  REQUIRE(insns.size() == 3);
  CHECK(insns[0].addr == 0xb1280);
  CHECK(insns[0].text == "cmp 0x10(%r14),%rsp");
  CHECK(insns[1].text == "call b0fa0 <math.archLog.abi0@@Base>");
  CHECK(insns[2].text == "mov 0x954bf(%rip),%r14");
}

TEST_CASE("vet: a Go function calling a math leaf is direct-safe; its stack is summed") {
  Fake f = with_call("    1016:\tcall   2000 <math.sin@@Base>\n    101b:\tnop\n", "math.sin");
  const Verdict v = f.vet("E0");
  CHECK_MESSAGE(v.ok, v.why);
  CHECK(v.stack == 8 + 8 + 0x18 + 8);  // return address, RBP, frame, the leaf's return address
  Fake rbx = with_call("    1016:\tcall   2000 <math.sin@@Base>\n    101b:\tnop\n", "math.sin",
                       "    2000:\tmov    %rax,%r12\n    2003:\tret\n");
  CHECK(rbx.vet("E0").ok);
  CHECK_FALSE(v.bare);  // not a leaf
  // A leaf that saves RBP is bare; one that reads X15 (Go's zero register) is not.
  Fake leaf;
  leaf.fn("exprjit/pX.E0", 0x1000, 0x10,
          "    1000:\tpush   %rbp\n    1001:\tmov    %rsp,%rbp\n    1004:\tmovsd  (%rax),%xmm0\n"
          "    1008:\tpop    %rbp\n    1009:\tret\n");
  CHECK(leaf.vet("E0").bare);
  Fake zero;
  zero.fn("exprjit/pX.E0", 0x1000, 0x10, "    1000:\tmovups %xmm15,%xmm0\n    1004:\tret\n");
  CHECK(zero.vet("E0").ok);
  CHECK_FALSE(zero.vet("E0").bare);
  Fake r12;
  r12.fn("exprjit/pX.E0", 0x1000, 0x10, "    1000:\tmov    %rax,%r12\n    1003:\tret\n");
  CHECK(r12.vet("E0").ok);
  CHECK_FALSE(r12.vet("E0").bare);  // R12 is the C caller's
  // Go opens a 128-byte frame with ADDQ $-128, SP and closes it with SUBQ $-128, SP.
  Fake neg = with_call("    1016:\tadd    $0xffffffffffffff80,%rsp\n    101b:\tsub    $0xffffffffffffff80,%rsp\n",
                       "math.sin");
  CHECK(neg.vet("E0").stack == 8 + 8 + 0x18 + 128);  // (no call in this one)
  // A tail jump to an allowed function counts as a call.
  Fake t = with_call("    1016:\tjmp    2000 <math.sin@@Base>\n    101b:\tnop\n", "math.sin");
  CHECK(t.vet("E0").ok);
}

TEST_CASE("vet: each rule refuses what it should, naming the function and the instruction") {
  struct Case {
    const char* what;
    std::string call;
    std::string callee = "math.sin";
    std::string body = kLeaf;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"runtime panic", "    1016:\tcall   2000 <runtime.panicIndex@@Base>\n", "runtime.panicIndex", kLeaf,
       "runtime.panicIndex: outside the vetted packages"},
      {"allocation", "    1016:\tcall   2000 <runtime.mallocgc@@Base>\n", "runtime.mallocgc", kLeaf,
       "runtime.mallocgc: outside the vetted packages"},
      {"g reloaded from TLS after assembly", "    1016:\tmov    %fs:(%r14),%r14\n", "math.sin", kLeaf,
       "E0: a thread-local (goroutine state) access at 0x1016"},
      {"g register read", "    1016:\tmov    0x30(%r14),%rax\n", "math.sin", kLeaf,
       "E0: uses the g register (R14) beyond the stack guard at 0x1016"},
      {"indirect call", "    1016:\tcall   *%rdx\n", "math.sin", kLeaf, "E0: an indirect call"},
      {"jump table", "    1016:\tnotrack jmp *%rax\n", "math.sin", kLeaf, "E0: an indirect jump"},
      {"atomic", "    1016:\tlock xadd %eax,(%rbx)\n", "math.sin", kLeaf, "E0: an atomic (lock-prefixed) instruction"},
      {"exchange", "    1016:\txchg   %rax,(%rbx)\n", "math.sin", kLeaf, "E0: an atomic exchange with memory"},
      {"system call", "    1016:\tsyscall\n", "math.sin", kLeaf, "E0: a system call, trap or cpuid"},
      {"stack switch", "    1016:\tmov    %rbx,%rsp\n", "math.sin", kLeaf, "E0: an unrecognised change of the stack pointer"},
      {"enter", "    1016:\tenter  $0x100,$0x0\n", "math.sin", kLeaf, "E0: an unrecognised change of the stack pointer"},
      {"morestack on the fast path", "    1016:\tcall   9000 <runtime.morestack_noctxt.abi0@@Base>\n", "math.sin", kLeaf,
       "calls runtime.morestack_noctxt.abi0 outside the stack-guard slow path"},
      {"call into a function's middle", "    1016:\tcall   2004 <math.sin@@Base+0x4>\n", "math.sin", kLeaf,
       "E0: a call to 0x2004, which is not a function's start"},
      {"bad callee", "    1016:\tcall   2000 <math.sin@@Base>\n", "math.sin",
       "    2000:\tcall   *0x8(%rax)\n    2003:\tret\n", "E0 → math.sin: an indirect call at 0x2000"},
      {"recursion", "    1016:\tcall   2000 <math.modf@@Base>\n", "math.modf",
       "    2000:\tcall   2000 <math.modf@@Base>\n    2005:\tret\n", "math.modf → math.modf: recursion"},
      {"undecodable", "    1016:\t(bad)\n", "math.sin", kLeaf, "E0: an undecodable instruction"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Fake f = with_call(c.call + "    101b:\tnop\n", c.callee, c.body);
    const Verdict v = f.vet("E0");
    CHECK_FALSE(v.ok);
    CHECK_MESSAGE(v.why.find(c.want) != std::string::npos, v.why);
  }
  // Code the disassembly does not cover (a truncated objdump run) is refused too.
  Fake cut = with_call("    1016:\tnop\n", "math.sin");
  cut.fns[0].size = 0x400;
  CHECK(cut.vet("E0").why.find("not (completely) disassembled") != std::string::npos);
  // More than kMaxDirectStack bytes of stack.
  Fake big = with_call("    1016:\tsub    $0x20000,%rsp\n", "math.sin");
  CHECK(big.vet("E0").why.find("bytes of stack (the limit is 65536)") != std::string::npos);
  CHECK(Fake().vet("E9").why == "E9 is not in the plugin's symbol table");
}

TEST_CASE("vet: verdicts round-trip through their stored text; other texts are refused") {
  PluginVet v;
  v.functions = 7;
  v.rows = {{true, "", 448, true}, {false, "E1 → ejSin: an indirect call at 0x10 (call *%rax)", 0}};
  v.batches = {{true, "", 500}, {true, "", 96}};
  const std::string text = vet_to_text(v);
  auto back = vet_from_text(text, 2);
  REQUIRE(back);
  CHECK(back->functions == 7);
  CHECK(back->rows[0].ok);
  CHECK(back->rows[0].stack == 448);
  CHECK(back->rows[0].bare);
  CHECK_FALSE(back->batches[1].bare);
  CHECK_FALSE(back->rows[1].ok);
  CHECK(back->rows[1].why == v.rows[1].why);
  CHECK(back->batches[1].stack == 96);
  CHECK_FALSE(vet_from_text(text, 3));                     // another number of expressions
  CHECK_FALSE(vet_from_text("exprjit-gojit-vet 0\n", 2));  // other rules
  CHECK_FALSE(vet_from_text(text.substr(0, text.size() / 2), 2));
}

TEST_CASE("direct: which toolchains may call directly, and why the others may not") {
  Toolchain tc;
  tc.go = "/usr/lib/go-1.23/bin/go";
  tc.version = "go1.23.5";
  tc.identity = "GOVERSION=go1.23.5\nGOARCH=amd64\nGOOS=linux\nGOEXPERIMENT=\n";
  REQUIRE(direct_available());  // the CI machine is x86-64
  CHECK_FALSE(direct_unsupported(tc));
  Toolchain v19 = tc;
  v19.version = "go1.19.8";
  CHECK_FALSE(direct_unsupported(v19));
  Toolchain v21 = tc;
  v21.version = "go1.21.0";
  CHECK(direct_unsupported(v21).value_or("") ==
        "go1.21.0 is not among the Go versions the direct path was verified on (go1.19, go1.23)");
  Toolchain arm = tc;
  arm.identity = "GOARCH=arm64\nGOOS=linux\n";
  CHECK(direct_unsupported(arm).value_or("").find("builds for linux/arm64, not linux/amd64") != std::string::npos);
  Toolchain exp = tc;
  exp.identity += "GOEXPERIMENT=loopvar\n";
  exp.identity = "GOARCH=amd64\nGOOS=linux\nGOEXPERIMENT=loopvar\n";
  CHECK(direct_unsupported(exp).value_or("").rfind("GOEXPERIMENT=loopvar", 0) == 0);
  CHECK(parse_call_mode("auto") == CallMode::automatic);
  CHECK(parse_call_mode("direct") == CallMode::direct);
  CHECK(parse_call_mode("cgo") == CallMode::cgo);
  CHECK_FALSE(parse_call_mode("fast"));
}

TEST_CASE("codegen: generated code calls only the vetted list of math functions") {
  // What the generated code and every helper may call in package math: arithmetic on the
  // representation, and functions whose amd64 code is pure Go (vet.cpp checks the machine
  // code of each plugin; this pins the source side).
  const std::set<std::string> vetted = {
      "Abs",  "Acos", "Sqrt", "Cbrt",  "Exp2", "Atan", "Atan2", "Atanh", "Asin",   "Round",   "Mod",   "FMA",
      "Log1p", "Frexp", "Ldexp", "Float64frombits", "Float64bits", "Copysign", "Signbit", "IsNaN", "IsInf",
      "NaN",  "Inf",  "Pi",    "Sqrt2", "Ln2"};
  std::set<std::string> used;
  const std::string text =  // comments removed: they mention math.Sin and others
      std::regex_replace(std::string(kGoHelpers) + kGoTrigHelpers + kGoMathHelpers, std::regex("//[^\n]*"), "");
  const std::regex call(R"(math\.([A-Za-z0-9_]+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), call); it != std::sregex_iterator(); ++it)
    used.insert((*it)[1]);
  for (const Builtin& b : builtins())
    if (std::string_view g = go_callee(b.go); g.substr(0, 5) == "math.") used.insert(std::string(g.substr(5)));
  for (const std::string& u : used) CHECK_MESSAGE(vetted.count(u), "math." << u << " is not on the vetted list");
}
