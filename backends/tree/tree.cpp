// tree.cpp — the tree-walking interpreter.
#include "backends/tree/tree.hpp"

#include <cmath>

namespace exprjit {

namespace {

double unary(UnOp op, double x) {
  switch (op) {
    case UnOp::Neg: return -x;
    case UnOp::Plus: return x;
    case UnOp::Not: return rt::truth(x) ? 0.0 : 1.0;
  }
  return x;
}

double binary(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::Add: return a + b;
    case BinOp::Sub: return a - b;
    case BinOp::Mul: return a * b;
    case BinOp::Div: return a / b;
    case BinOp::Mod: return std::fmod(a, b);
    case BinOp::Pow: return std::pow(a, b);
    case BinOp::Lt: return a < b ? 1.0 : 0.0;
    case BinOp::Le: return a <= b ? 1.0 : 0.0;
    case BinOp::Gt: return a > b ? 1.0 : 0.0;
    case BinOp::Ge: return a >= b ? 1.0 : 0.0;
    case BinOp::Eq: return a == b ? 1.0 : 0.0;
    case BinOp::Ne: return a != b ? 1.0 : 0.0;
    case BinOp::And: return rt::truth(a) && rt::truth(b) ? 1.0 : 0.0;
    case BinOp::Or: return rt::truth(a) || rt::truth(b) ? 1.0 : 0.0;
  }
  return 0;
}

struct Eval {
  const double* vars;

  double operator()(const Number& n) const { return n.value; }
  double operator()(const Variable& v) const { return vars[v.slot]; }
  double operator()(const Constant& c) const { return c.value; }
  double operator()(const Name&) const { return std::nan(""); }  // unreachable after check()
  double operator()(const Unary& u) const { return unary(u.op, go(*u.operand)); }
  double operator()(const Binary& b) const {
    double x = go(*b.lhs);  // left to right
    return binary(b.op, x, go(*b.rhs));
  }
  double operator()(const Conditional& c) const {
    return rt::truth(go(*c.cond)) ? go(*c.then_expr) : go(*c.else_expr);
  }
  double operator()(const Call& c) const {
    constexpr std::size_t kInline = 8;
    double small[kInline];
    std::unique_ptr<double[]> big;
    double* args = small;
    if (c.args.size() > kInline) {
      big = std::make_unique<double[]>(c.args.size());
      args = big.get();
    }
    for (std::size_t i = 0; i < c.args.size(); ++i) args[i] = go(*c.args[i]);
    return c.fn->apply(args, c.args.size());
  }

  double go(const Expr& e) const { return std::visit(*this, e.node); }
};

class TreeCompiled final : public Compiled {
 public:
  TreeCompiled(ExprPtr e, std::size_t nslots) : Compiled(nslots), expr_(std::move(e)) {}
  double eval_one(const double* vars) const override { return tree_eval(*expr_, vars); }

 private:
  ExprPtr expr_;
};

class TreeBackend final : public Backend {
 public:
  std::string_view name() const override { return "tree"; }
  std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots) override {
    return std::make_unique<TreeCompiled>(clone(checked), nslots);
  }
};

}  // namespace

double tree_eval(const Expr& e, const double* vars) { return Eval{vars}.go(e); }

std::unique_ptr<Backend> make_tree_backend(const BackendOptions&) { return std::make_unique<TreeBackend>(); }

}  // namespace exprjit
