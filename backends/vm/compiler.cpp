// compiler.cpp — checked AST -> register bytecode.
//
// Registers are allocated as a stack: an expression compiled when `top_` registers are in
// use leaves its value (if it needs a register at all) in R[top_] and frees everything above.
// Constants and variables are not loaded: they become K and V operands of the instruction
// that uses them.  A subexpression whose operands are all constants is folded by calling
// vm::apply, which expands the same expression as the dispatch loops (opcodes.def).
#include "backends/vm/compiler.hpp"

#include <bit>
#include <limits>
#include <string>
#include <unordered_map>

#include "frontend/diagnostic.hpp"

namespace exprjit::vm {
namespace {

constexpr std::uint32_t kMax = std::numeric_limits<std::uint32_t>::max();

// An operand being compiled: a register, a variable slot, or a constant value (which
// enters the constant pool only when an instruction uses it, so folded intermediates
// leave no dead entries).
struct Operand {
  Kind kind;  // R, K or V
  std::uint32_t index = 0;  // R, V
  double value = 0;         // K
};

// The shape of a binary instruction from its operand kinds; KK has none (it is folded, or
// one side is loaded first).
bool shape_of(Kind b, Kind c, Shape2* s) {
  using enum Kind;
  if (b == R && c == R) *s = Shape2::RR;
  else if (b == R && c == K) *s = Shape2::RK;
  else if (b == K && c == R) *s = Shape2::KR;
  else if (b == R && c == V) *s = Shape2::RV;
  else if (b == V && c == R) *s = Shape2::VR;
  else if (b == V && c == V) *s = Shape2::VV;
  else if (b == V && c == K) *s = Shape2::VK;
  else if (b == K && c == V) *s = Shape2::KV;
  else return false;
  return true;
}

// Superinstructions: `first` writes R[A], `second` reads it as B and overwrites it, so the
// intermediate value is dead and the pair can become one instruction.
struct Fusion {
  Op first, second, fused;
};
constexpr Fusion kFusions[] = {
    {Op::MUL_RV, Op::ADD_RK, Op::MULADD_RVK},
    {Op::MUL_KV, Op::ADD_RK, Op::MULADD_KVK},
};

// The compiler recurses once per AST level (at most kMaxDepth); every function on that path
// is kept out of line so that no frame carries the locals of the others (their sum would
// not fit kMaxDepth levels into the default stack under sanitizers).
#define EXPRJIT_OUTLINE [[gnu::noinline]]

class Compiler {
 public:
  Compiler(const Options& options, Pos where) : opt_(options), where_(where) {}

  Program run(const Expr& e) {
    Operand r = expr(e);
    if (r.kind != Kind::R && !opt_.shapes) r = load(r);
    emit(r.kind == Kind::R ? Op::RET_R : r.kind == Kind::K ? Op::RET_K : Op::RET_V, field(r));
    p_.batch = opt_.batch;
    return std::move(p_);
  }

 private:
  const Options& opt_;
  Pos where_;
  Program p_;
  std::uint32_t top_ = 0;      // registers R[0 .. top_-1] are in use
  std::size_t barrier_ = 0;    // a jump lands on code[barrier_]: no fusion across it
  std::unordered_map<std::uint64_t, std::uint32_t> kindex_;  // constant bits -> K index

  [[noreturn]] void too_large(const char* what) const {
    throw CompileError(std::string("expression too large for the vm backend: more than 4294967295 ") + what,
                       where_);
  }

  std::uint32_t alloc() {
    if (top_ == kMax) too_large("registers");
    std::uint32_t r = top_++;
    if (top_ > p_.nregs) p_.nregs = top_;
    return r;
  }

  static Operand konst(double v) { return {Kind::K, 0, v}; }

  // The operand field of an instruction: a register or slot, or a constant's pool index.
  EXPRJIT_OUTLINE std::uint32_t field(Operand o) {
    if (o.kind != Kind::K) return o.index;
    auto [it, added] = kindex_.try_emplace(std::bit_cast<std::uint64_t>(o.value), 0);
    if (added) {
      if (p_.consts.size() >= kMax) too_large("constants");
      it->second = static_cast<std::uint32_t>(p_.consts.size());
      p_.consts.push_back(o.value);
    }
    return it->second;
  }

  EXPRJIT_OUTLINE std::size_t emit(Op op, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0) {
    if (p_.code.size() >= kMax) too_large("instructions");
    p_.code.push_back(Ins{op, a, b, c});
    return p_.code.size() - 1;
  }
  std::uint32_t label() {  // the next instruction is a jump target
    barrier_ = p_.code.size();
    return static_cast<std::uint32_t>(p_.code.size());
  }

  // Loads a K or V operand into a new register.
  EXPRJIT_OUTLINE Operand load(Operand o) {
    if (o.kind == Kind::R) return o;
    std::uint32_t r = alloc();
    emit(o.kind == Kind::K ? Op::LOADK : Op::LOADV, r, field(o));
    return {Kind::R, r};
  }

  // Compiles e so that its value ends in R[reg]; requires top_ == reg.
  EXPRJIT_OUTLINE void expr_to(const Expr& e, std::uint32_t reg) {
    Operand o = expr(e);
    if (o.kind != Kind::R) load(o);
    top_ = reg + 1;
  }

  Operand expr(const Expr& e) {
    if (auto* n = std::get_if<Number>(&e.node)) return konst(n->value);
    if (auto* c = std::get_if<Constant>(&e.node)) return konst(c->value);
    if (auto* v = std::get_if<Variable>(&e.node)) return {Kind::V, v->slot};
    if (auto* u = std::get_if<Unary>(&e.node)) {
      switch (u->op) {
        case UnOp::Plus: return expr(*u->operand);
        case UnOp::Neg: return unary(Un::NEG, *u->operand);
        case UnOp::Not: return unary(Un::NOT, *u->operand);
      }
    }
    if (auto* b = std::get_if<Binary>(&e.node)) return binary(*b);
    if (auto* c = std::get_if<Conditional>(&e.node)) return conditional(*c);
    if (auto* call = std::get_if<Call>(&e.node)) return this->call(*call);
    throw CompileError("internal error: the vm compiler was given an unchecked name", e.span.begin);
  }

  EXPRJIT_OUTLINE Operand unary(Un f, const Expr& arg) {
    std::uint32_t t0 = top_;
    Operand x = expr(arg);
    if (x.kind == Kind::K && opt_.fold) return konst(apply(f, x.value));
    if (x.kind == Kind::K || (x.kind == Kind::V && !opt_.shapes)) x = load(x);
    top_ = t0;
    std::uint32_t d = alloc();
    emit(op_of(f, x.kind == Kind::R ? Shape1::R : Shape1::V), d, field(x));
    return {Kind::R, d};
  }

  EXPRJIT_OUTLINE Operand binary(const Binary& b) {
    Bin f{};
    switch (b.op) {
      case BinOp::Add: f = Bin::ADD; break;
      case BinOp::Sub: f = Bin::SUB; break;
      case BinOp::Mul: f = Bin::MUL; break;
      case BinOp::Div: f = Bin::DIV; break;
      case BinOp::Mod: f = Bin::FMOD; break;  // spec: '%' is C fmod
      case BinOp::Pow: f = Bin::POW; break;   // spec: '^' is C pow
      case BinOp::Lt: f = Bin::LT; break;
      case BinOp::Le: f = Bin::LE; break;
      case BinOp::Gt: f = Bin::GT; break;
      case BinOp::Ge: f = Bin::GE; break;
      case BinOp::Eq: f = Bin::EQ; break;
      case BinOp::Ne: f = Bin::NE; break;
      case BinOp::And: f = Bin::AND; break;
      case BinOp::Or: f = Bin::OR; break;
    }
    std::uint32_t t0 = top_;
    Operand x = expr(*b.lhs);
    Operand y = expr(*b.rhs);
    return combine(f, x, y, t0);
  }

  // x and y were compiled in that order starting with top_ == t0.
  EXPRJIT_OUTLINE Operand combine(Bin f, Operand x, Operand y, std::uint32_t t0) {
    if (x.kind == Kind::K && y.kind == Kind::K && opt_.fold)
      return konst(apply(f, x.value, y.value));
    if (!opt_.shapes) {
      x = load(x);
      y = load(y);
    }
    Shape2 s{};
    if (!shape_of(x.kind, y.kind, &s)) {  // K op K, folding off
      x = load(x);
      shape_of(x.kind, y.kind, &s);
    }
    top_ = t0;
    std::uint32_t d = alloc();
    emit_fusing(op_of(f, s), d, field(x), field(y));
    return {Kind::R, d};
  }

  EXPRJIT_OUTLINE void emit_fusing(Op op, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    if (opt_.fuse && !p_.code.empty() && p_.code.size() - 1 >= barrier_) {
      Ins& prev = p_.code.back();
      for (const Fusion& fu : kFusions) {
        if (prev.op == fu.first && op == fu.second && prev.a == a && b == a) {
          prev.op = fu.fused;
          emit(Op::EXT, c);
          return;
        }
      }
    }
    emit(op, a, b, c);
  }

  EXPRJIT_OUTLINE Operand conditional(const Conditional& c) {
    std::uint32_t t0 = top_;
    Operand cond = expr(*c.cond);
    if (cond.kind == Kind::K && opt_.fold)  // only the chosen arm is compiled
      return expr(rt::truth(cond.value) ? *c.then_expr : *c.else_expr);
    if (opt_.batch) {  // both arms into R[t0+1], R[t0+2], then select
      cond = load(cond);
      std::uint32_t arms = top_;
      expr_to(*c.then_expr, arms);
      expr_to(*c.else_expr, arms + 1);
      top_ = t0;
      std::uint32_t d = alloc();
      emit(Op::SEL, d, cond.index, arms);
      return {Kind::R, d};
    }
    if (cond.kind == Kind::K || (cond.kind == Kind::V && !opt_.shapes)) cond = load(cond);
    top_ = t0;  // JF reads the condition before an arm overwrites its register
    std::size_t jf = emit(cond.kind == Kind::R ? Op::JF_R : Op::JF_V, 0, field(cond));
    expr_to(*c.then_expr, t0);
    std::size_t jmp = emit(Op::JMP);
    p_.code[jf].a = label();
    top_ = t0;
    expr_to(*c.else_expr, t0);
    p_.code[jmp].a = label();
    return {Kind::R, t0};
  }

  EXPRJIT_OUTLINE Operand call(const Call& call) {
    const FnOp& fop = fn_op(call.fn->id);
    switch (fop.arity) {
      case FnOp::unary: return unary(static_cast<Un>(fop.family), *call.args[0]);
      case FnOp::binary: {  // two arguments, or variadic folded left to right
        std::uint32_t t0 = top_;
        Operand acc = expr(*call.args[0]);
        for (std::size_t i = 1; i < call.args.size(); ++i)
          acc = combine(static_cast<Bin>(fop.family), acc, expr(*call.args[i]), t0);
        return acc;
      }
      case FnOp::ternary: return ternary(static_cast<Tern>(fop.family), call);
    }
    throw CompileError("internal error: unknown arity", call.name_span.begin);
  }

  // R[t0] := f(R[t0], R[t0+1], R[t0+2]).  The arguments are compiled as operands first (so
  // an all-constant call folds); register results then sit in increasing registers from t0,
  // arg i at or below t0+i, so placing them from the last down never overwrites a pending one.
  EXPRJIT_OUTLINE Operand ternary(Tern f, const Call& call) {
    std::uint32_t t0 = top_;
    Operand a[3];
    for (int i = 0; i < 3; ++i) a[i] = expr(*call.args[static_cast<std::size_t>(i)]);
    if (opt_.fold && a[0].kind == Kind::K && a[1].kind == Kind::K && a[2].kind == Kind::K)
      return konst(apply(f, a[0].value, a[1].value, a[2].value));
    top_ = t0;
    for (int i = 0; i < 3; ++i) alloc();
    for (int i = 2; i >= 0; --i) {
      std::uint32_t r = t0 + static_cast<std::uint32_t>(i);
      if (a[i].kind == Kind::R && a[i].index != r) emit(Op::MOVE, r, a[i].index);
      if (a[i].kind != Kind::R) emit(a[i].kind == Kind::K ? Op::LOADK : Op::LOADV, r, field(a[i]));
    }
    top_ = t0;
    std::uint32_t d = alloc();
    emit(op_of(f), d, t0);
    return {Kind::R, d};
  }
};

#undef EXPRJIT_OUTLINE

}  // namespace

Program compile_program(const Expr& checked, const Options& options) {
  return Compiler(options, checked.span.begin).run(checked);
}

bool has_conditional(const Expr& e) {
  if (std::holds_alternative<Conditional>(e.node)) return true;
  if (auto* u = std::get_if<Unary>(&e.node)) return has_conditional(*u->operand);
  if (auto* b = std::get_if<Binary>(&e.node)) return has_conditional(*b->lhs) || has_conditional(*b->rhs);
  if (auto* c = std::get_if<Call>(&e.node)) {
    for (const ExprPtr& a : c->args)
      if (has_conditional(*a)) return true;
  }
  return false;
}

}  // namespace exprjit::vm
