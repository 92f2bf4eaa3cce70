// test_vet.cpp — the direct path's checks that need no Go toolchain: the machine-code
// vetting rules on hand-written disassembly (the C-call sequence of ejCall<n> included),
// stored verdicts, which toolchains may call directly, and the math functions generated
// code may use.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "backends/gojit/emit/codegen.hpp"
#include "backends/gojit/inspect/vet.hpp"
#include "backends/gojit/runtime/direct.hpp"
#include "frontend/lang/builtins.hpp"
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

TEST_CASE("vet: the C call of ejCall<n> is recognised exactly, and nothing like it") {
  // Go's code for `(*(*func(float64) float64)(unsafe.Add(fp, k)))(a)`: fp in RAX, k in RBX.
  const std::string call_seq =
      "    2000:\tsub    $0x10,%rsp\n"
      "    2004:\tmovsd  %xmm0,0x8(%rsp)\n"
      "    200a:\tmov    (%rax,%rbx,1),%rdx\n"
      "    200e:\tmov    (%rdx),%rax\n"
      "    2011:\tcall   *%rax\n"
      "    2013:\tadd    $0x10,%rsp\n"
      "    2017:\tret\n";
  auto vet_callee = [&](const std::string& name, const std::string& body) {
    Fake f = with_call("    1016:\tcall   2000 <" + name + "@@Base>\n    101b:\tnop\n", name, body);
    f.fns[1].size = 0x18;
    return f.vet("E0");
  };
  const Verdict ok = vet_callee("exprjit/pX.ejCall1", call_seq);
  CHECK_MESSAGE(ok.ok, ok.why);
  CHECK(ok.calls_c);
  CHECK_FALSE(ok.bare);
  CHECK(ok.stack >= 8 + 8 + 0x18 + 8 + 0x10 + 8);  // E0's frame, the helper's, the stub's return address
  // A helper that calls nothing (its sequence altered into other instructions) is refused.
  CHECK(vet_callee("exprjit/pX.ejCall1", "    2000:\tnot    %eax\n    2010:\tret\n").why.find("without its exact call sequence") !=
        std::string::npos);
  // The same sequence anywhere else is an indirect call.
  CHECK(vet_callee("exprjit/pX.ejHelper", call_seq).why.find("an indirect call") != std::string::npos);
  CHECK(vet_callee("exprjit/pX.ejCall", call_seq).why.find("an indirect call") != std::string::npos);
  CHECK(vet_callee("exprjit/pY.ejCall1", call_seq).why.find("outside the vetted packages") != std::string::npos);
  // With RAX or RBX (fp, k) written before the loads, the target is not the table's.
  for (const char* clobber : {"    2004:\tmov    $0x1000,%rax\n", "    2004:\tlea    0x8(%rbx),%rbx\n",
                              "    2004:\tmov    %ecx,%ebx\n"}) {
    std::string body = call_seq;
    body.replace(body.find("    2004:"), body.find("    200a:") - body.find("    2004:"), clobber);
    CAPTURE(clobber);
    CHECK(vet_callee("exprjit/pX.ejCall1", body).why.find("an indirect call") != std::string::npos);
  }
  // Other loads, another register called, or a second call are refused.
  std::string other = call_seq;
  other.replace(other.find("(%rax,%rbx,1)"), 13, "(%rax,%rcx,1)");
  CHECK_FALSE(vet_callee("exprjit/pX.ejCall1", other).ok);
  std::string via_rdx = call_seq;
  via_rdx.replace(via_rdx.find("call   *%rax"), 12, "call   *%rdx");
  CHECK_FALSE(vet_callee("exprjit/pX.ejCall1", via_rdx).ok);
  std::string twice = call_seq;
  twice.replace(twice.find("    2013:"), 0, "    2012:\tmov    (%rax,%rbx,1),%rdx\n    2012:\tmov    (%rdx),%rax\n    2012:\tcall   *%rax\n");
  CHECK_FALSE(vet_callee("exprjit/pX.ejCall1", twice).ok);
}

TEST_CASE("vet: verdicts round-trip through their stored text; other texts are refused") {
  PluginVet v;
  v.functions = 7;
  v.values = {{true, "", 448, false, true}, {false, "E1 → ejSin: an indirect call at 0x10 (call *%rax)", 0}};
  v.pointers = {{true, "", 450, true, false}, {true, "", 8, false, true}};
  v.batches = {{true, "", 500}, {true, "", 96, true}};
  const std::string text = vet_to_text(v);
  auto back = vet_from_text(text, 2);
  REQUIRE(back);
  CHECK(back->functions == 7);
  CHECK(back->values[0].ok);
  CHECK(back->values[0].stack == 448);
  CHECK(back->values[0].bare);
  CHECK_FALSE(back->values[0].calls_c);
  CHECK(back->pointers[0].calls_c);
  CHECK(back->pointers[1].bare);
  CHECK_FALSE(back->batches[1].bare);
  CHECK(back->batches[1].calls_c);
  CHECK_FALSE(back->values[1].ok);
  CHECK(back->values[1].why == v.values[1].why);
  CHECK(back->batches[1].stack == 96);
  CHECK(vet_to_text(*back) == text);
  CHECK_FALSE(vet_from_text(text, 3));                     // another number of expressions
  CHECK_FALSE(vet_from_text("exprjit-gojit-vet 0\n", 2));  // other rules
  CHECK_FALSE(vet_from_text(text.substr(0, text.size() / 2), 2));
}

namespace {
Toolchain toolchain(const std::string& version, const std::string& arch, const std::string& experiment) {
  std::string out;
  for (std::string_view name : ToolchainIdentity::names())
    out += (name == "GOVERSION" ? version : name == "GOARCH" ? arch : name == "GOOS" ? "linux"
            : name == "GOEXPERIMENT" ? experiment : "") + "\n";
  Toolchain tc;
  tc.go = "/usr/lib/go-1.23/bin/go";
  tc.identity = ToolchainIdentity::from_go_env(out).value();
  return tc;
}
}  // namespace

TEST_CASE("direct: which toolchains may call directly, and why the others may not") {
  REQUIRE(direct_available());  // the CI machine is x86-64
  CHECK_FALSE(direct_unsupported(toolchain("go1.23.5", "amd64", "")));
  CHECK_FALSE(direct_unsupported(toolchain("go1.19.8", "amd64", "")));
  CHECK(direct_unsupported(toolchain("go1.21.0", "amd64", "")).value_or("") ==
        "go1.21.0 is not among the Go versions the direct path was verified on (go1.19, go1.23)");
  CHECK(direct_unsupported(toolchain("go1.23.5", "arm64", "")).value_or("").find("builds for linux/arm64, not linux/amd64") !=
        std::string::npos);
  CHECK(direct_unsupported(toolchain("go1.23.5", "amd64", "loopvar")).value_or("").rfind("GOEXPERIMENT=loopvar", 0) == 0);
  // The identity's text is what cache keys hash: it round-trips, and names every variable.
  const Toolchain tc = toolchain("go1.23.5", "amd64", "");
  CHECK(ToolchainIdentity::parse(tc.identity.text())->text() == tc.identity.text());
  CHECK(tc.version() == "go1.23.5");
  CHECK(tc.identity.get("NOT_A_NAME").empty());
  CHECK_FALSE(ToolchainIdentity::from_go_env("go1.23.5\n"));  // too few lines
}

TEST_CASE("codegen: generated code and helpers use only the vetted list of math functions") {
  // What the generated code and every helper may use of package math: arithmetic on the
  // representation and functions whose amd64 code is pure Go and exact (the vetter checks
  // each plugin's machine code; this pins the source side).  Everything else is a C call.
  const std::set<std::string> vetted = {"Abs", "Sqrt", "Round", "Trunc", "Floor", "Ceil", "Float64frombits",
                                        "Float64bits", "Copysign", "Signbit", "IsNaN", "IsInf", "NaN", "Inf"};
  std::set<std::string> used;
  const std::string text = std::regex_replace(std::string(kHelpersGo), std::regex("//[^\n]*"), "");  // comments mention others
  const std::regex call(R"(math\.([A-Za-z0-9_]+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), call); it != std::sregex_iterator(); ++it)
    used.insert((*it)[1]);
  for (const Builtin& b : builtins())
    if (std::string_view g = b.go; g.substr(0, 5) == "math.") used.insert(std::string(g.substr(5)));
  for (const std::string& u : used) CHECK_MESSAGE(vetted.count(u), "math." << u << " is not on the vetted list");
  CHECK(used.count("Sqrt"));
  // The functions where Go's math and the C library differ are C calls.
  for (const char* name : {"sin", "cos", "tan", "exp", "log", "atan2", "pow", "fmod", "hypot", "cbrt"})
    if (const Builtin* b = find_builtin(name)) CHECK_MESSAGE(b->go.empty(), name);
}
