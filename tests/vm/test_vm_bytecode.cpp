// test_vm_bytecode.cpp — the instruction set itself: every opcode compiled from a source
// shape that should select it and checked against the tree backend; sizes past every small
// limit (256 constants, variables, registers; frames beyond the on-stack ones); threads.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <thread>

#include "backends/tree/tree.hpp"
#include "backends/vm/isa/disasm.hpp"
#include "frontend/base/format.hpp"
#include "tests/common/common.hpp"
#include "tests/vm/vm_configs.hpp"

using namespace exprjit;

namespace {

const std::vector<std::string> kVars = {"a", "b", "c"};

// Host functions (both forms) and language functions the call instructions are tested with.
double host_affine(double x, double y) noexcept { return 3 * x - y; }
double host_sum(const double* a, std::size_t n, void*) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * static_cast<double>(i + 1);
  return s;
}
const Functions& functions() {
  static const Functions f = [] {
    Functions fns;
    auto h = std::make_shared<ir::HostFunction>();
    h->name = "affine", h->min_args = h->max_args = 2, h->fn = reinterpret_cast<void*>(&host_affine), h->nothrow = true;
    fns.define("affine", ir::HostRef(h));
    auto g = std::make_shared<ir::HostFunction>();
    g->name = "wsum", g->form = ir::HostFunction::Form::general, g->min_args = 1, g->max_args = 0;
    g->fn = reinterpret_cast<void*>(&host_sum);
    fns.define("wsum", ir::HostRef(g));
    for (const char* def : {"lf(x, y) = x*y - 1", "lg(x) = lf(x, x) > 1 ? x : -x", "lz() = 7"}) {
      std::vector<syntax::Statement> st = parse_line(def);
      fns.define(st[0].name, check_definition(st[0], Names{nullptr, &fns, nullptr, {}}, def));
    }
    return fns;
  }();
  return f;
}

bool uses(const vm::Program& p, vm::Op op) {
  for (const vm::Ins& i : p.code)
    if (i.op == op) return true;
  return false;
}

// Compiles text, checks that the program (single, or batch) contains `op`, and compares
// the VM with the tree backend on 64 random rows in every configuration.  Returns the ops.
std::set<vm::Op> check_shape(const std::string& text, vm::Op op, bool batch = false) {
  CAPTURE(text);
  CAPTURE(vm::info(op).name);
  test::Checked ch = test::front(text, kVars, ParserKind::rd, true, &functions());
  vm::Options o;
  o.batch = batch;
  const test::VmProgram p_vp = test::vm_program(ch, o);
  const vm::Program& p = p_vp.program;
  CHECK_MESSAGE(uses(p, op), vm::disassemble(p, kVars));
  auto reference = test::compile_one(*make_tree_backend({}), ch);
  std::mt19937_64 rng(std::hash<std::string>{}(text));
  for (int r = 0; r < 64; ++r) {
    std::vector<double> row;
    for (std::size_t i = 0; i < kVars.size(); ++i) row.push_back(test::random_value(rng));
    const double want = reference->eval(row.data());
    for (const test::VmConfig& cfg : test::vm_configs()) {
      auto c = test::vm_compile(ch, cfg.options, cfg.dispatch);
      const double got = c->eval(row.data());
      std::vector<const double*> cols;
      for (double& v : row) cols.push_back(&v);
      double out = 0;
      c->eval_batch(cols.data(), 1, &out);
      CHECK_MESSAGE(test::same_bits(got, want), cfg.name << " row a=" << row[0] << " b=" << row[1] << " c=" << row[2]);
      CHECK_MESSAGE(test::same_bits(out, want), cfg.name << " batch");
    }
  }
  std::set<vm::Op> ops;
  for (const vm::Ins& i : p.code) ops.insert(i.op);
  return ops;
}

// Source text for an operand of the given kind: R (needs a register), K, V.
std::string operand(vm::Kind k, int which) {
  const char* var = which == 0 ? "a" : "b";
  switch (k) {
    case vm::Kind::R: return std::string("(-") + var + ")";
    case vm::Kind::K: return which == 0 ? "2.5" : "0.75";
    default: return var;
  }
}

// The source spelling of each binary family: an operator, or a call of the built-in.
std::string apply_text(vm::Bin f, const std::string& x, const std::string& y) {
  switch (f) {
    case vm::Bin::ADD: return x + " + " + y;
    case vm::Bin::SUB: return x + " - " + y;
    case vm::Bin::MUL: return x + " * " + y;
    case vm::Bin::DIV: return x + " / " + y;
    case vm::Bin::LT: return x + " < " + y;
    case vm::Bin::LE: return x + " <= " + y;
    case vm::Bin::GT: return x + " > " + y;
    case vm::Bin::GE: return x + " >= " + y;
    case vm::Bin::EQ: return x + " == " + y;
    case vm::Bin::NE: return x + " != " + y;
    case vm::Bin::AND: return x + " && " + y;
    case vm::Bin::OR: return x + " || " + y;
    default: break;
  }
  for (const Builtin& b : builtins())
    if (vm::fn_op(b.id).arity == vm::FnOp::binary && vm::fn_op(b.id).family == static_cast<std::uint32_t>(f))
      return std::string(b.name) + "(" + x + ", " + y + ")";
  FAIL("no spelling for binary family " << static_cast<int>(f));
  return "";
}

}  // namespace

TEST_CASE("every opcode: selected by its source shape and equal to the tree backend") {
  std::set<vm::Op> covered;
  auto add = [&](const std::set<vm::Op>& ops) { covered.insert(ops.begin(), ops.end()); };
  const vm::Kind kinds[] = {vm::Kind::R, vm::Kind::K, vm::Kind::V};
  // Binary families, every shape.
  for (std::uint32_t f = 0; f < std::size(vm::kBinFirst); ++f) {
    for (vm::Kind kb : kinds) {
      for (vm::Kind kc : kinds) {
        if (kb == vm::Kind::K && kc == vm::Kind::K) continue;  // folded: no instruction
        const vm::Op op = [&] {
          for (std::uint32_t s = 0; s < 8; ++s) {
            const vm::Op o = vm::op_of(static_cast<vm::Bin>(f), static_cast<vm::Shape2>(s));
            if (vm::info(o).b == kb && vm::info(o).c == kc) return o;
          }
          return vm::Op::EXT;
        }();
        REQUIRE(op != vm::Op::EXT);
        add(check_shape(apply_text(static_cast<vm::Bin>(f), operand(kb, 0), operand(kc, 1)), op));
      }
    }
  }
  // Unary families (operators and one-argument built-ins), shapes R and V.
  for (const Builtin& b : builtins()) {
    const vm::FnOp& fo = vm::fn_op(b.id);
    if (fo.arity == vm::FnOp::unary) {
      add(check_shape(std::string(b.name) + "(-a)", vm::op_of(static_cast<vm::Un>(fo.family), vm::Shape1::R)));
      add(check_shape(std::string(b.name) + "(a)", vm::op_of(static_cast<vm::Un>(fo.family), vm::Shape1::V)));
    }
    if (fo.arity == vm::FnOp::ternary) {
      // Arguments of every kind, and register arguments that must move into place.
      add(check_shape(std::string(b.name) + "(a, -b, c)", vm::op_of(static_cast<vm::Tern>(fo.family))));
      add(check_shape(std::string(b.name) + "(0.5, b, -a)", vm::Op::MOVE));
      add(check_shape(std::string(b.name) + "(-a, -b, -c)", vm::op_of(static_cast<vm::Tern>(fo.family))));
    }
  }
  add(check_shape("-(-a)", vm::Op::NEG_R));
  add(check_shape("-a", vm::Op::NEG_V));
  add(check_shape("!(-a)", vm::Op::NOT_R));
  add(check_shape("!a", vm::Op::NOT_V));
  // Superinstructions.
  add(check_shape("(-a) * b + 3", vm::Op::MULADD_RVK));
  add(check_shape("1.5 * a + 3", vm::Op::MULADD_KVK));
  // Control flow, loads, returns.
  add(check_shape("a < b ? a : b + 1", vm::Op::JF_R));
  add(check_shape("a ? 2 : b", vm::Op::JF_V));
  add(check_shape("a ? 2 : b", vm::Op::JMP));
  add(check_shape("a ? 2 : b", vm::Op::LOADK));
  add(check_shape("a ? 2 : b", vm::Op::LOADV));
  add(check_shape("a < b ? -a : c", vm::Op::SEL, true));
  add(check_shape("-a", vm::Op::RET_R));
  add(check_shape("2 * 3", vm::Op::RET_K));
  add(check_shape("a", vm::Op::RET_V));
  add(check_shape("1.5 * a + 3", vm::Op::EXT));
  // Calls of host functions (typed, general with any argument count) and language functions
  // (one with a conditional, whose batch program differs; one of no argument).
  add(check_shape("affine(a, b) + 1", vm::Op::CALLH));
  add(check_shape("wsum(a) + wsum(a, b, c, 1, 2, 3, 4, 5, 6, 7)", vm::Op::CALLH, true));
  add(check_shape("lf(a, b + c)", vm::Op::CALLF));
  add(check_shape("lg(a) * lz()", vm::Op::CALLF, true));
  std::string missing;
  for (std::uint32_t i = 0; i < vm::kNumOps; ++i)
    if (!covered.count(static_cast<vm::Op>(i))) missing += " " + std::string(vm::info(static_cast<vm::Op>(i)).name);
  CHECK_MESSAGE(missing.empty(), "opcodes no test compiles:" << missing);
  MESSAGE("opcodes covered: " << covered.size() << " of " << vm::kNumOps);
}

TEST_CASE("the opcode table is complete") {
  for (std::uint32_t i = 0; i < vm::kNumOps; ++i) {
    const vm::OpInfo& oi = vm::info(static_cast<vm::Op>(i));
    CAPTURE(oi.name);
    CHECK(!oi.mnemonic.empty());
    CHECK(!oi.meaning.empty());
    CHECK((oi.words == 1 || oi.words == 2));
  }
  // Every built-in function has an instruction family of its arity.
  for (const Builtin& b : builtins()) {
    const vm::FnOp& fo = vm::fn_op(b.id);
    const int arity = fo.arity == vm::FnOp::unary ? 1 : fo.arity == vm::FnOp::binary ? 2 : 3;
    CHECK(arity == (b.variadic() ? 2 : b.min_args));
  }
}

namespace {
// Compares the vm with the tree backend on one row.
void agree(const std::string& text, const std::vector<std::string>& names, const std::vector<double>& row) {
  test::Checked ch = test::front(text, names);
  const double want = test::compile_one(*make_tree_backend({}), ch)->eval(row.data());
  for (const test::VmConfig& cfg : test::vm_configs()) {
    CAPTURE(cfg.name);
    auto c = test::vm_compile(ch, cfg.options, cfg.dispatch);
    CHECK(format_hex(c->eval(row.data())) == format_hex(want));
    std::vector<std::vector<double>> cols;
    for (double v : row) cols.push_back(std::vector<double>(300, v));
    std::vector<const double*> ptrs;
    for (auto& col : cols) ptrs.push_back(col.data());
    std::vector<double> out(300);
    c->eval_batch(ptrs.data(), out.size(), out.data());
    CHECK(format_hex(out[0]) == format_hex(want));
    CHECK(format_hex(out[299]) == format_hex(want));
  }
}
}  // namespace

TEST_CASE("no small limits: 300 constants, 1000 variables, 600 registers") {
  SUBCASE("more than 256 distinct constants") {
    std::string text = "a";
    for (int i = 1; i <= 300; ++i) text += (i % 2 ? " + a*" : " - ") + std::to_string(i) + ".25";
    test::Checked ch = test::front(text, {"a"});
    const test::VmProgram p_vp = test::vm_program(ch);
  const vm::Program& p = p_vp.program;
    CHECK(p.consts.size() == 300);
    agree(text, {"a"}, {1.5});
  }
  SUBCASE("more than 256 variables") {
    std::vector<std::string> names;
    std::vector<double> row;
    std::string text;
    for (int i = 0; i < 1000; ++i) {
      names.push_back("v" + std::to_string(i));
      row.push_back(i * 0.5 - 100);
      text += (i ? " + " : "") + names.back();
    }
    agree(text, names, row);
    test::Checked ch = test::front(text, names);
    CHECK(test::vm_listing(ch).find("$v999") != std::string::npos);
  }
  SUBCASE("more than 256 registers (and a frame too big for the C stack buffer)") {
    std::string text;
    for (int i = 0; i < 600; ++i) text += "(a+" + std::to_string(i) + ")*(";
    text += "a";
    text += std::string(600, ')');
    test::Checked ch = test::front(text, {"a"});
    CHECK(test::vm_program(ch).program.nregs >= 600);
    agree(text, {"a"}, {1.0000001});
  }
  SUBCASE("deep conditionals") {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "a > " + std::to_string(i) + " ? -a*" + std::to_string(i) + " : (";
    text += "b" + std::string(300, ')');
    agree(text, {"a", "b"}, {150.5, 7});
    agree(text, {"a", "b"}, {-1, 7});
  }
  SUBCASE("many-argument min and max") {
    std::string text = "min(a";
    for (int i = 0; i < 400; ++i) text += ", a*" + std::to_string(i % 7) + "-" + std::to_string(i);
    text += ") + max(b, 3, -b, 0/0)";
    agree(text, {"a", "b"}, {2, 3});
  }
}

TEST_CASE("a compiled expression may be evaluated from several threads at once") {
  test::Checked ch = test::front("sin(a)*b + (a < b ? a : b) + clamp(0, a, 1)", {"a", "b"});
  auto c = test::compile_one(*make_vm_backend({}), ch);
  auto t = test::compile_one(*make_tree_backend({}), ch);
  std::vector<int> bad(2, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      for (int i = 0; i < 20000; ++i) {
        const double row[] = {i * 0.001 * (k + 1), 3.0 - i * 0.0001};
        if (!test::same_bits(c->eval(row), t->eval(row))) ++bad[static_cast<std::size_t>(k)];
      }
    });
  for (auto& th : threads) th.join();
  CHECK(bad[0] == 0);
  CHECK(bad[1] == 0);
}

TEST_CASE("switch and goto dispatch are both available as the build promises") {
  test::Checked ch = test::front("a + 1", {"a"});
  const test::VmProgram p_vp = test::vm_program(ch);
  const vm::Program& p = p_vp.program;
  const double row[] = {2};
  CHECK(vm::run(p, row, vm::Dispatch::switch_loop) == 3.0);
  if (vm::have_computed_goto()) {
    CHECK(vm::run(p, row, vm::Dispatch::computed_goto) == 3.0);
    CHECK(vm::default_dispatch() == vm::Dispatch::computed_goto);
  } else {
    CHECK_THROWS_AS(vm::run(p, row, vm::Dispatch::computed_goto), std::invalid_argument);
    CHECK(vm::default_dispatch() == vm::Dispatch::switch_loop);
  }
}

TEST_CASE("a jump in a batch program is an error, not a crash") {
  test::Checked ch = test::front("a ? 1 : 2", {"a"});
  const test::VmProgram p_vp = test::vm_program(ch);
  const vm::Program& p = p_vp.program;  // single-evaluation program
  const double col[] = {1};
  const double* cols[] = {col};
  double out = 0;
  CHECK_THROWS_AS(vm::run_batch(p, cols, 1, &out), std::logic_error);
}
