// stack_vm.cpp — stack-machine prototype (see stack_vm.hpp).
//
// Warnings: the dispatch loop uses computed goto, a GNU extension -Wpedantic reports.
#pragma GCC diagnostic ignored "-Wpedantic"
#include "bench/prototypes/stack_vm.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "backends/vm/isa/bytecode.hpp"
#include "frontend/base/visit.hpp"

namespace exprjit::bench {
namespace {

// All binary families first (three opcodes each), then unary, then ternary: sop() below
// computes opcodes from the family numbers.
enum class SOp : std::uint32_t {
#define BINARY(name, mn, expr, meaning) name, name##_K, name##_V,
#include "backends/vm/isa/opcodes.def"
#define UNARY(name, mn, expr, meaning) name,
#include "backends/vm/isa/opcodes.def"
#define TERNARY(name, mn, expr, meaning) name,
#include "backends/vm/isa/opcodes.def"
  PUSHK, PUSHV, POWI, JF, JMP, RET
};

struct SIns {
  SOp op;
  std::uint32_t arg;
};

struct SProgram {
  std::vector<SIns> code;
  std::vector<double> consts;
  std::uint32_t depth = 0;  // deepest stack
};

class SCompiler {
 public:
  explicit SCompiler(bool imm) : imm_(imm) {}
  SProgram run(const ir::Expr& e) {
    gen(e);
    emit(SOp::RET);
    return std::move(p_);
  }

 private:
  bool imm_;
  SProgram p_;
  std::uint32_t sp_ = 0;

  void emit(SOp op, std::uint32_t arg = 0) { p_.code.push_back({op, arg}); }
  void push(SOp op, std::uint32_t arg) {
    emit(op, arg);
    if (++sp_ > p_.depth) p_.depth = sp_;
  }
  std::uint32_t k(double v) {
    p_.consts.push_back(v);
    return static_cast<std::uint32_t>(p_.consts.size() - 1);
  }

  static vm::Bin bin(BinOp op) {
    switch (op) {
      case BinOp::Add: return vm::Bin::ADD;
      case BinOp::Sub: return vm::Bin::SUB;
      case BinOp::Mul: return vm::Bin::MUL;
      case BinOp::Div: return vm::Bin::DIV;
      case BinOp::Mod: return vm::Bin::FMOD;
      case BinOp::Lt: return vm::Bin::LT;
      case BinOp::Le: return vm::Bin::LE;
      case BinOp::Gt: return vm::Bin::GT;
      case BinOp::Ge: return vm::Bin::GE;
      case BinOp::Eq: return vm::Bin::EQ;
      case BinOp::Ne: return vm::Bin::NE;
      case BinOp::And: return vm::Bin::AND;
      case BinOp::Or: return vm::Bin::OR;
    }
    return vm::Bin::ADD;
  }
  static SOp sop(vm::Bin f) {  // three stack opcodes per family: plain, _K, _V
    return static_cast<SOp>(3 * static_cast<std::uint32_t>(f));
  }
  static SOp sop(vm::Un f) { return static_cast<SOp>(3 * std::size(vm::kBinFirst) + static_cast<std::uint32_t>(f)); }
  static SOp sop(vm::Tern f) {
    return static_cast<SOp>(3 * std::size(vm::kBinFirst) + std::size(vm::kUnFirst) + static_cast<std::uint32_t>(f));
  }

  // Applies binary family f to the value on the stack and operand rhs.
  void binop(vm::Bin f, const ir::Expr& rhs) {
    if (imm_) {
      if (const ir::Number* n = ir::as_number(rhs))
        return emit(static_cast<SOp>(static_cast<std::uint32_t>(sop(f)) + 1), k(n->value));
      if (const auto* var = std::get_if<ir::Variable>(&rhs.node))
        return emit(static_cast<SOp>(static_cast<std::uint32_t>(sop(f)) + 2), var->slot);
    }
    gen(rhs);
    emit(sop(f));
    --sp_;
  }

  // The tree is folded before (frontend/ir/fold.hpp), as for the register VM.
  void gen(const ir::Expr& e) {
    std::visit(Overload{
                   [&](const ir::Number& n) { push(SOp::PUSHK, k(n.value)); },
                   [&](const ir::Variable& v) { push(SOp::PUSHV, v.slot); },
                   [&](const ir::Param&) { throw std::invalid_argument("stack vm: no language functions"); },
                   [&](const ir::Unary& u) {
                     gen(*u.operand);
                     emit(sop(u.op == UnOp::Neg ? vm::Un::NEG : vm::Un::NOT));
                   },
                   [&](const ir::Chain& c) {
                     gen(*c.first);
                     for (const ir::Link& l : c.rest) binop(bin(l.op), *l.rhs);
                   },
                   [&](const ir::PowInt& p) {
                     gen(*p.base);
                     emit(SOp::POWI, static_cast<std::uint32_t>(p.n));
                   },
                   [&](const ir::Conditional& c) {
                     gen(*c.cond);
                     --sp_;
                     const std::size_t jf = p_.code.size();
                     emit(SOp::JF);
                     gen(*c.then_expr);
                     --sp_;
                     const std::size_t jmp = p_.code.size();
                     emit(SOp::JMP);
                     p_.code[jf].arg = static_cast<std::uint32_t>(p_.code.size());
                     gen(*c.else_expr);
                     p_.code[jmp].arg = static_cast<std::uint32_t>(p_.code.size());
                   },
                   [&](const ir::Call& call) {
                     const Builtin* const* b = std::get_if<const Builtin*>(&call.callee);
                     if (!b) throw std::invalid_argument("stack vm: built-in functions only");
                     const vm::FnOp& f = vm::fn_op((*b)->id);
                     gen(*call.args[0]);
                     if (f.arity == vm::FnOp::unary) return emit(sop(static_cast<vm::Un>(f.family)));
                     if (f.arity == vm::FnOp::ternary) {
                       gen(*call.args[1]);
                       gen(*call.args[2]);
                       emit(sop(static_cast<vm::Tern>(f.family)));
                       sp_ -= 2;
                       return;
                     }
                     for (std::size_t i = 1; i < call.args.size(); ++i)
                       binop(static_cast<vm::Bin>(f.family), *call.args[i]);
                   },
               },
               e.node);
  }
};

double run(const SProgram& p, const double* V) {
  double local[64];
  std::unique_ptr<double[]> heap;
  double* stack = local;
  if (p.depth + 1 > 64) {
    heap = std::make_unique<double[]>(p.depth + 1);
    stack = heap.get();
  }
  double* sp = stack - 1;  // *sp is the top
  const double* K = p.consts.data();
  const SIns* code = p.code.data();
  const SIns* pc = code;
  static const void* const labels[] = {
#define BINARY(name, mn, expr, meaning) &&L_##name, &&L_##name##_K, &&L_##name##_V,
#include "backends/vm/isa/opcodes.def"
#define UNARY(name, mn, expr, meaning) &&L_##name,
#include "backends/vm/isa/opcodes.def"
#define TERNARY(name, mn, expr, meaning) &&L_##name,
#include "backends/vm/isa/opcodes.def"
      &&L_PUSHK, &&L_PUSHV, &&L_POWI, &&L_JF, &&L_JMP, &&L_RET};
#define NEXT goto* labels[static_cast<std::uint32_t>(pc->op)]
  NEXT;
#define BINARY(name, mn, expr, meaning) \
  L_##name : {                          \
    const double y = *sp--, x = *sp;    \
    *sp = (expr);                       \
    ++pc;                               \
    NEXT;                               \
  }                                     \
  L_##name##_K : {                      \
    const double y = K[pc->arg], x = *sp; \
    *sp = (expr);                       \
    ++pc;                               \
    NEXT;                               \
  }                                     \
  L_##name##_V : {                      \
    const double y = V[pc->arg], x = *sp; \
    *sp = (expr);                       \
    ++pc;                               \
    NEXT;                               \
  }
#define UNARY(name, mn, expr, meaning) \
  L_##name : {                         \
    const double x = *sp;              \
    *sp = (expr);                      \
    ++pc;                              \
    NEXT;                              \
  }
#define TERNARY(name, mn, expr, meaning)              \
  L_##name : {                                        \
    const double z = *sp--, y = *sp--, x = *sp;       \
    *sp = (expr);                                     \
    ++pc;                                             \
    NEXT;                                             \
  }
#include "backends/vm/isa/opcodes.def"
L_PUSHK:
  *++sp = K[pc->arg];
  ++pc;
  NEXT;
L_PUSHV:
  *++sp = V[pc->arg];
  ++pc;
  NEXT;
L_POWI:
  *sp = rt::pow_int(*sp, static_cast<int>(pc->arg));
  ++pc;
  NEXT;
L_JF:
  pc = rt::truth(*sp--) ? pc + 1 : code + pc->arg;
  NEXT;
L_JMP:
  pc = code + pc->arg;
  NEXT;
L_RET:
  return *sp;
#undef NEXT
}

}  // namespace

struct StackCode {
  SProgram program;
};

StackProgram::StackProgram(const ir::Expr& folded, bool immediates)
    : p_(std::make_shared<StackCode>(StackCode{SCompiler(immediates).run(folded)})) {}

double StackProgram::eval(const double* vars) const { return run(p_->program, vars); }

}  // namespace exprjit::bench
