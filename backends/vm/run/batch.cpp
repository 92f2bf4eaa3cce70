// batch.cpp — batch evaluation: the program runs over blocks of rows (kBlockRows by
// default), each instruction computing its operation for the whole block in a tight loop,
// so dispatch is paid once per block and the arithmetic loops vectorise.  Each row sees exactly the
// operations single evaluation performs, in the same order, so results are bit-identical
// (the loops are element-wise: vectorising them changes no rounding, and -ffp-contract=off
// keeps multiply and add apart).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "backends/vm/run/run.hpp"

namespace exprjit::vm {
namespace {

// A block operand: a column of rows, or one value for every row.
struct Rows {
  const double* p;
  double operator[](std::size_t i) const { return p[i]; }
};
struct Same {
  double v;
  double operator[](std::size_t) const { return v; }
};

}  // namespace

void run_batch(const Program& p, const double* const* cols, std::size_t n, double* out, std::size_t block) {
  const std::size_t B = std::max<std::size_t>(block, 1);
  const auto regs = std::make_unique_for_overwrite<double[]>(std::max<std::size_t>(p.nregs, 1) * B);
  double* const R = regs.get();
  const double* const K = p.consts.data();
  const Ins* const code = p.code.data();
  // The instruction that computes the result writes its block straight into out, and the
  // RET_R after it copies nothing: one pass less over the block (docs/design.md).
  const Ins* last = nullptr;
  for (std::size_t i = 0, w; i < p.code.size(); i += w) {
    const Ins& ins = p.code[i];
    if (ins.op == Op::RET_R || ins.op == Op::RET_K || ins.op == Op::RET_V) break;
    w = static_cast<std::size_t>(info(ins.op).words);
    if (i + w < p.code.size() && p.code[i + w].op == Op::RET_R && info(ins.op).a == Kind::R &&
        ins.a == p.code[i + w].a)
      last = &ins;
  }

  for (std::size_t base = 0; base < n; base += B) {
    const std::size_t m = std::min(B, n - base);
#define VB_R(i) Rows{R + static_cast<std::size_t>(i) * B}
#define VB_K(i) Same{K[i]}
#define VB_V(i) Rows{cols[i] + base}
#define VB_DST(i) (R + static_cast<std::size_t>(i) * B)
#define VB_OUT(pc) ((pc) == last ? out + base : VB_DST((pc)->a))
    for (const Ins* pc = code;;) {
      switch (pc->op) {
#define VB_X2(name, s, kb, kc, expr)                              \
  case Op::name##_##s: {                                          \
    double* d = VB_OUT(pc);                                       \
    const auto xs = VB_##kb(pc->b);                               \
    const auto ys = VB_##kc(pc->c);                               \
    for (std::size_t i = 0; i < m; ++i) {                         \
      const double x = xs[i], y = ys[i];                          \
      d[i] = (expr);                                              \
    }                                                             \
    ++pc;                                                         \
    break;                                                        \
  }
#define VB_X1(name, s, kb, expr)                                  \
  case Op::name##_##s: {                                          \
    double* d = VB_OUT(pc);                                       \
    const auto xs = VB_##kb(pc->b);                               \
    for (std::size_t i = 0; i < m; ++i) {                         \
      const double x = xs[i];                                     \
      d[i] = (expr);                                              \
    }                                                             \
    ++pc;                                                         \
    break;                                                        \
  }
#define BINARY(name, mn, expr, meaning) VM_SHAPES2(VB_X2, name, expr)
#define UNARY(name, mn, expr, meaning) VM_SHAPES1(VB_X1, name, expr)
#define TERNARY(name, mn, expr, meaning)                          \
  case Op::name##_R: {                                            \
    double* d = VB_OUT(pc);                                       \
    const auto xs = VB_R(pc->b), ys = VB_R(pc->b + 1), zs = VB_R(pc->b + 2); \
    for (std::size_t i = 0; i < m; ++i) {                         \
      const double x = xs[i], y = ys[i], z = zs[i];               \
      d[i] = (expr);                                              \
    }                                                             \
    ++pc;                                                         \
    break;                                                        \
  }
#define FUSED(name, mn, ka, kb, kc, kd, expr, meaning)            \
  case Op::name: {                                                \
    double* d = VB_OUT(pc);                                       \
    const auto xs = VB_##kb(pc->b);                               \
    const auto ys = VB_##kc(pc->c);                               \
    const auto zs = VB_##kd(pc[1].a);                             \
    for (std::size_t i = 0; i < m; ++i) {                         \
      const double x = xs[i], y = ys[i], z = zs[i];               \
      d[i] = (expr);                                              \
    }                                                             \
    pc += 2;                                                      \
    break;                                                        \
  }
#include "backends/vm/isa/opcodes.def"
#undef VB_X2
#undef VB_X1
        case Op::LOADK: std::fill_n(VB_OUT(pc), m, K[pc->b]); ++pc; break;
        case Op::LOADV: std::memcpy(VB_OUT(pc), cols[pc->b] + base, m * sizeof(double)); ++pc; break;
        case Op::MOVE: std::memcpy(VB_OUT(pc), VB_DST(pc->b), m * sizeof(double)); ++pc; break;
        case Op::SEL: {
          double* d = VB_OUT(pc);
          const double* c = VB_DST(pc->b);
          const double* t = VB_DST(pc->c);
          const double* e = VB_DST(pc->c + 1);
          // Both arms are loaded and one is picked by a mask, without a branch: a branch on
          // data-dependent conditions mispredicts on half the rows of random data (docs/
          // design.md, "Batch evaluation").  Bits are moved, never arithmetic: the chosen
          // value is exactly the arm's (-0 and NaN payloads included).
          for (std::size_t i = 0; i < m; ++i) {
            const std::uint64_t keep = rt::truth(c[i]) ? ~std::uint64_t{0} : 0;
            d[i] = std::bit_cast<double>((std::bit_cast<std::uint64_t>(t[i]) & keep) |
                                         (std::bit_cast<std::uint64_t>(e[i]) & ~keep));
          }
          ++pc;
          break;
        }
        case Op::EXT: ++pc; break;  // only ever skipped over by its superinstruction
        case Op::CALLH: {  // row by row: a host function takes one row's arguments
          double* d = VB_OUT(pc);
          const CallSite& cs = p.calls[pc->c];
          const ir::HostFunction& h = *p.module->hosts[cs.callee];
          double small[8];
          std::vector<double> big(cs.nargs > 8 ? cs.nargs : 0);
          double* a = cs.nargs > 8 ? big.data() : small;
          for (std::size_t i = 0; i < m; ++i) {
            for (std::uint32_t j = 0; j < cs.nargs; ++j) a[j] = VB_DST(pc->b + j)[i];
            d[i] = h.call(a, cs.nargs);
          }
          ++pc;
          break;
        }
        case Op::CALLF: {  // the function's batch program over the argument blocks
          const CallSite& cs = p.calls[pc->c];
          const FunctionCode& f = p.module->functions[cs.callee];
          std::vector<const double*> args(cs.nargs + 1);
          for (std::uint32_t j = 0; j < cs.nargs; ++j) args[j] = VB_DST(pc->b + j);
          run_batch(f.batch.code.empty() ? f.single : f.batch, args.data(), m, VB_OUT(pc), B);
          ++pc;
          break;
        }
        case Op::JMP:
        case Op::JF_R:
        case Op::JF_V:
          throw std::logic_error("vm: a jump in a batch program (compile it with Options::batch)");
        case Op::RET_R:
          if (!last) std::memcpy(out + base, VB_DST(pc->a), m * sizeof(double));
          goto next_block;
        case Op::RET_K: std::fill_n(out + base, m, K[pc->a]); goto next_block;
        case Op::RET_V: std::memcpy(out + base, cols[pc->a] + base, m * sizeof(double)); goto next_block;
      }
    }
  next_block:;
#undef VB_R
#undef VB_K
#undef VB_V
#undef VB_DST
#undef VB_OUT
  }
}

}  // namespace exprjit::vm
