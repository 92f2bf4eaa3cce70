// compiler.cpp — checked tree -> register bytecode.
//
// Registers are allocated as a stack: an expression compiled when `top_` registers are in
// use leaves its value (if it needs a register at all) in R[top_] and frees everything above.
// Constants and variables are not loaded: they become K and V operands of the instruction
// that uses them.  Chains compile in a loop, so their length costs no recursion.  The tree
// comes folded (frontend/ir/fold.hpp); what still has only constant operands (a design run
// without folding) is computed with vm::apply, which expands the same expression as the
// dispatch loops (opcodes.def).
#include "backends/vm/compile/compiler.hpp"

#include <bit>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>

#include "frontend/base/diagnostic.hpp"
#include "frontend/lang/semantics.hpp"

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

Bin family_of(BinOp op) {
  switch (op) {
    case BinOp::Add: return Bin::ADD;
    case BinOp::Sub: return Bin::SUB;
    case BinOp::Mul: return Bin::MUL;
    case BinOp::Div: return Bin::DIV;
    case BinOp::Mod: return Bin::FMOD;  // spec: '%' is C fmod
    case BinOp::Lt: return Bin::LT;
    case BinOp::Le: return Bin::LE;
    case BinOp::Gt: return Bin::GT;
    case BinOp::Ge: return Bin::GE;
    case BinOp::Eq: return Bin::EQ;
    case BinOp::Ne: return Bin::NE;
    case BinOp::And: return Bin::AND;
    case BinOp::Or: return Bin::OR;
  }
  return Bin::ADD;
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

// The compiler recurses once per tree level (at most kMaxDepth); every function on that path
// is kept out of line so that no frame carries the locals of the others (their sum would
// not fit kMaxDepth levels into the default stack under sanitizers).
#define EXPRJIT_OUTLINE [[gnu::noinline]]

class Compiler {
 public:
  Compiler(const Options& options, const ir::Unit& unit, const Module& module, Pos where)
      : opt_(options), unit_(unit), where_(where) {
    p_.module = &module;
  }

  Program run(const ir::Expr& e) {
    Operand r = expr(e);
    if (r.kind != Kind::R && !opt_.shapes) r = load(r);
    emit(r.kind == Kind::R ? Op::RET_R : r.kind == Kind::K ? Op::RET_K : Op::RET_V, field(r));
    p_.batch = opt_.batch;
    return std::move(p_);
  }

 private:
  const Options& opt_;
  const ir::Unit& unit_;
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
  EXPRJIT_OUTLINE void expr_to(const ir::Expr& e, std::uint32_t reg) {
    Operand o = expr(e);
    if (o.kind != Kind::R) load(o);
    else if (o.index != reg) emit(Op::MOVE, reg, o.index);
    top_ = reg + 1;
  }

  Operand expr(const ir::Expr& e) {
    return std::visit(Overload{
                          [](const ir::Number& n) { return konst(n.value); },
                          [](const ir::Variable& v) { return Operand{Kind::V, v.slot}; },
                          [](const ir::Param& p) { return Operand{Kind::V, p.index}; },
                          [&](const ir::Unary& u) { return unary(u.op == UnOp::Not ? Un::NOT : Un::NEG, *u.operand); },
                          [&](const ir::Chain& c) { return chain(c); },
                          [&](const ir::PowInt& p) { return pow_int(p); },
                          [&](const ir::Conditional& c) { return conditional(c); },
                          [&](const ir::Call& c) { return call(c); },
                      },
                      e.node);
  }

  EXPRJIT_OUTLINE Operand unary(Un f, const ir::Expr& arg) {
    std::uint32_t t0 = top_;
    Operand x = expr(arg);
    if (x.kind == Kind::K) return konst(apply(f, x.value));
    if (x.kind == Kind::V && !opt_.shapes) x = load(x);
    top_ = t0;
    std::uint32_t d = alloc();
    emit(op_of(f, x.kind == Kind::R ? Shape1::R : Shape1::V), d, field(x));
    return {Kind::R, d};
  }

  // first op1 r1 op2 r2 ...: a loop, each operation on the accumulated value.
  EXPRJIT_OUTLINE Operand chain(const ir::Chain& c) {
    std::uint32_t t0 = top_;
    Operand acc = expr(*c.first);
    for (const ir::Link& l : c.rest) acc = combine(family_of(l.op), acc, expr(*l.rhs), t0);
    return acc;
  }

  // x and y were compiled in that order starting with top_ == t0.
  EXPRJIT_OUTLINE Operand combine(Bin f, Operand x, Operand y, std::uint32_t t0) {
    if (x.kind == Kind::K && y.kind == Kind::K) return konst(apply(f, x.value, y.value));
    if (!opt_.shapes) {
      x = load(x);
      y = load(y);
    }
    Shape2 s{};
    shape_of(x.kind, y.kind, &s);
    top_ = t0;
    std::uint32_t d = alloc();
    emit_fusing(op_of(f, s), d, field(x), field(y));
    return {Kind::R, d};
  }

  // R[d] := x f y without freeing anything (x, y may be any live operands).
  EXPRJIT_OUTLINE Operand emit_into(Bin f, std::uint32_t d, Operand x, Operand y) {
    if (!opt_.shapes) {
      x = load(x);
      y = load(y);
    }
    Shape2 s{};
    shape_of(x.kind, y.kind, &s);
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

  // x ^ n: the spec's multiplication chain (rt::pow_int), with r = 1 left out (1 * y is y).
  // A register is overwritten in place when no other live value is in it.
  EXPRJIT_OUTLINE Operand pow_int(const ir::PowInt& p) {
    const std::uint32_t t0 = top_;
    unsigned m = static_cast<unsigned>(p.n < 0 ? -p.n : p.n);
    if (m == 0) return konst(1.0);  // x^0 = 1 for every x: the base is not computed
    Operand b = expr(*p.base);
    if (b.kind == Kind::K) return konst(rt::pow_int(b.value, p.n));
    std::optional<Operand> r;
    auto same = [](const Operand& x, const Operand& y) { return x.kind == Kind::R && y.kind == Kind::R && x.index == y.index; };
    while (m > 0) {
      if (m & 1) {
        const bool last = (m >> 1) == 0;  // b is dead after this product
        if (!r) r = b;
        else if (r->kind == Kind::R && !same(*r, b)) r = emit_into(Bin::MUL, r->index, *r, b);
        else r = emit_into(Bin::MUL, last && b.kind == Kind::R ? b.index : alloc(), *r, b);
      }
      m >>= 1;
      if (m > 0) b = emit_into(Bin::MUL, b.kind == Kind::R && !(r && same(*r, b)) ? b.index : alloc(), b, b);
    }
    if (p.n < 0) r = emit_into(Bin::DIV, r->kind == Kind::R ? r->index : alloc(), konst(1.0), *r);
    if (r->kind != Kind::R) {  // x^1 of a variable: the variable itself
      top_ = t0;
      return *r;
    }
    if (r->index != t0) emit(Op::MOVE, t0, r->index);
    top_ = t0 + 1;
    if (top_ > p_.nregs) p_.nregs = top_;
    return {Kind::R, t0};
  }

  EXPRJIT_OUTLINE Operand conditional(const ir::Conditional& c) {
    std::uint32_t t0 = top_;
    Operand cond = expr(*c.cond);
    if (cond.kind == Kind::K)  // only the chosen arm is compiled
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
    if (cond.kind == Kind::V && !opt_.shapes) cond = load(cond);
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

  // The arguments in R[t0], R[t0+1], ...  They are compiled as operands first (so that an
  // all-constant call of a built-in folds); register results then sit in increasing
  // registers from t0, argument i at or below t0+i, so placing them from the last down
  // never overwrites a pending one.  Returns whether all were constants (then nothing was
  // placed), with their values in *konsts.
  EXPRJIT_OUTLINE bool arguments(const std::vector<ir::ExprPtr>& args, std::uint32_t t0, std::vector<double>* konsts) {
    std::vector<Operand> a;
    a.reserve(args.size());
    bool all_k = konsts != nullptr;
    for (const ir::ExprPtr& e : args) {
      a.push_back(expr(*e));
      all_k = all_k && a.back().kind == Kind::K;
    }
    if (all_k) {
      for (const Operand& o : a) konsts->push_back(o.value);
      top_ = t0;
      return true;
    }
    top_ = t0;
    for (std::size_t i = 0; i < a.size(); ++i) alloc();
    for (std::size_t i = a.size(); i-- > 0;) {
      const std::uint32_t r = t0 + static_cast<std::uint32_t>(i);
      if (a[i].kind == Kind::R && a[i].index != r) emit(Op::MOVE, r, a[i].index);
      if (a[i].kind != Kind::R) emit(a[i].kind == Kind::K ? Op::LOADK : Op::LOADV, r, field(a[i]));
    }
    return false;
  }

  EXPRJIT_OUTLINE Operand call(const ir::Call& call) {
    const std::uint32_t t0 = top_;
    if (const auto* b = std::get_if<const Builtin*>(&call.callee)) {
      const FnOp& fop = fn_op((*b)->id);
      switch (fop.arity) {
        case FnOp::unary: return unary(static_cast<Un>(fop.family), *call.args[0]);
        case FnOp::binary: {  // two arguments, or variadic folded left to right
          Operand acc = expr(*call.args[0]);
          for (std::size_t i = 1; i < call.args.size(); ++i)
            acc = combine(static_cast<Bin>(fop.family), acc, expr(*call.args[i]), t0);
          return acc;
        }
        case FnOp::ternary: {
          std::vector<double> k;
          if (arguments(call.args, t0, &k)) return konst(apply(static_cast<Tern>(fop.family), k[0], k[1], k[2]));
          top_ = t0;
          std::uint32_t d = alloc();
          emit(op_of(static_cast<Tern>(fop.family)), d, t0);
          return {Kind::R, d};
        }
      }
    }
    // A host or language function: R[t0] := f(R[t0], ..., R[t0+n-1]).
    const bool host = std::holds_alternative<ir::HostRef>(call.callee);
    const std::size_t callee = host ? unit_.host_index(std::get<ir::HostRef>(call.callee).get())
                                    : unit_.function_index(std::get<ir::FunctionRef>(call.callee).get());
    arguments(call.args, t0, nullptr);
    if (call.args.empty()) alloc();  // the result's register
    if (p_.calls.size() >= kMax) too_large("calls");
    p_.calls.push_back(CallSite{static_cast<std::uint32_t>(callee), static_cast<std::uint32_t>(call.args.size())});
    emit(host ? Op::CALLH : Op::CALLF, t0, t0, static_cast<std::uint32_t>(p_.calls.size() - 1));
    top_ = t0 + 1;
    return {Kind::R, t0};
  }
};

#undef EXPRJIT_OUTLINE

}  // namespace

Program compile_program(const ir::Expr& e, const ir::Unit& unit, const Module& module, const Options& options) {
  return Compiler(options, unit, module, e.span.begin).run(e);
}

std::shared_ptr<const Module> compile_module(const ir::Unit& unit, const Options& options) {
  auto m = std::make_shared<Module>();
  m->hosts = unit.hosts;
  for (const ir::FunctionRef& f : unit.functions) {  // callees first: each program refers back only
    FunctionCode& fc = m->functions.emplace_back();
    fc.name = f->name;
    Options o = options;
    o.batch = false;
    fc.single = compile_program(*f->body, unit, *m, o);
    if (ir::has_conditional(*f->body)) {
      o.batch = true;
      fc.batch = compile_program(*f->body, unit, *m, o);
    }
  }
  return m;
}

}  // namespace exprjit::vm
