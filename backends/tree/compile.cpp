// compile.cpp — a checked tree into nodes: each node gets the function for its operands'
// kinds (eval.hpp), numbers and variables are read in place, short chains become nested
// operations and long ones a loop, so that no chain length deepens the recursion.
#include "backends/tree/compile.hpp"

#include "backends/tree/eval.hpp"

namespace exprjit::tree {

namespace {

// Chains of up to this many operations nest as binary nodes (each specialised); longer ones
// run in a loop node, so the recursion depth stays within kMaxDepth times this.
constexpr std::size_t kNestedChain = 4;

template <Mode M, Kind L, Kind R>
NodeFn binary_fn(BinOp op) {
  switch (op) {
#define BINOP(id, tok, sym, level, meaning) \
  case BinOp::id:                           \
    return &binary<BinOp::id, L, R, M>;
#include "frontend/lang/operators.def"
  }
  return nullptr;
}
template <Mode M, Kind L>
NodeFn binary_fn(BinOp op, Kind r) {
  return r == Kind::K ? binary_fn<M, L, Kind::K>(op) : r == Kind::V ? binary_fn<M, L, Kind::V>(op) : binary_fn<M, L, Kind::N>(op);
}
template <Mode M>
NodeFn binary_fn(BinOp op, Kind l, Kind r) {
  return l == Kind::K ? binary_fn<M, Kind::K>(op, r) : l == Kind::V ? binary_fn<M, Kind::V>(op, r) : binary_fn<M, Kind::N>(op, r);
}
template <Mode M, Kind K>
NodeFn unary_fn(UnOp op) {
  return op == UnOp::Neg ? &unary<UnOp::Neg, K, M> : op == UnOp::Not ? &unary<UnOp::Not, K, M> : &unary<UnOp::Plus, K, M>;
}
template <Mode M, Kind L>
NodeFn call2_fn(Kind r) {
  return r == Kind::K ? &call2<L, Kind::K, M> : r == Kind::V ? &call2<L, Kind::V, M> : &call2<L, Kind::N, M>;
}

}  // namespace

// Builds nodes in one mode.
struct Builder {
  Program& p;
  Mode mode;
  const ir::Unit& unit;

  const Node* leaf_number(double v) {
    Node* n = p.add();
    n->fn = &number;
    n->k = v;
    return n;
  }

  template <class F>
  NodeFn by_mode(F&& f) {  // f.template operator()<M>() for this builder's mode
    return mode == Mode::value ? f.template operator()<Mode::value>() : f.template operator()<Mode::pointer>();
  }

  // A binary node of lhs (an operand or an already built node) and rhs.
  const Node* bin(BinOp op, const ir::Expr* lhs_expr, const Node* lhs_node, const ir::Expr& rhs_expr) {
    Node* n = p.add();
    n->op = op;
    Kind l;
    if (lhs_node) {
      n->a = lhs_node, l = Kind::N;
    } else if (const ir::Number* k = ir::as_number(*lhs_expr)) {
      n->k = k->value, l = Kind::K;
    } else if (const auto* v = std::get_if<ir::Variable>(&lhs_expr->node)) {
      n->slot = v->slot, l = Kind::V;
    } else {
      n->a = node(*lhs_expr), l = Kind::N;
    }
    Kind r;
    if (const ir::Number* k = ir::as_number(rhs_expr); k && l != Kind::K) {  // K op K: not folded (a design run)
      n->k = k->value;
      r = Kind::K;
    } else if (const auto* v = std::get_if<ir::Variable>(&rhs_expr.node)) {
      n->slot2 = v->slot;
      r = Kind::V;
    } else {
      n->b = node(rhs_expr);
      r = Kind::N;
    }
    n->fn = by_mode([&]<Mode M>() { return binary_fn<M>(op, l, r); });
    return n;
  }

  // One operand read by a unary-shaped node (K is not needed: folded): V or N.
  Kind single(Node* n, const ir::Expr& e) {
    if (const auto* v = std::get_if<ir::Variable>(&e.node)) {
      n->slot = v->slot;
      return Kind::V;
    }
    n->a = node(e);
    return Kind::N;
  }

  const Node* const* kids(const std::vector<ir::ExprPtr>& args) {
    std::vector<const Node*>& k = p.kids_.emplace_back();
    for (const ir::ExprPtr& a : args) k.push_back(node(*a));
    return k.data();
  }

  const Body* body(const ir::Function& f) {
    if (auto it = p.body_of_.find(&f); it != p.body_of_.end()) return it->second;
    Builder inner{p, Mode::value, unit};
    Body& b = p.bodies_.emplace_back();
    b.nparams = static_cast<int>(f.params.size());
    b.root = inner.node(*f.body);
    p.body_of_.emplace(&f, &b);
    return &b;
  }

  const Node* node(const ir::Expr& e) {
    return std::visit(
        Overload{
            [&](const ir::Number& k) { return leaf_number(k.value); },
            [&](const ir::Variable& v) -> const Node* {
              Node* n = p.add();
              n->slot = v.slot;
              n->fn = by_mode([]<Mode M>() -> NodeFn { return &load<M>; });
              return n;
            },
            [&](const ir::Param& prm) -> const Node* {  // a body runs in value mode over its arguments
              Node* n = p.add();
              n->slot = prm.index;
              n->fn = &load<Mode::value>;
              return n;
            },
            [&](const ir::Unary& u) -> const Node* {
              Node* n = p.add();
              const Kind k = single(n, *u.operand);
              n->fn = by_mode([&]<Mode M>() { return k == Kind::V ? unary_fn<M, Kind::V>(u.op) : unary_fn<M, Kind::N>(u.op); });
              return n;
            },
            [&](const ir::Chain& c) -> const Node* {
              if (c.rest.size() <= kNestedChain) {
                const Node* acc = bin(c.rest[0].op, c.first.get(), nullptr, *c.rest[0].rhs);
                for (std::size_t i = 1; i < c.rest.size(); ++i) acc = bin(c.rest[i].op, nullptr, acc, *c.rest[i].rhs);
                return acc;
              }
              Node* n = p.add();
              std::vector<const Node*>& k = p.kids_.emplace_back();
              std::vector<BinOp>& ops = p.ops_.emplace_back();
              k.push_back(node(*c.first));
              for (const ir::Link& l : c.rest) k.push_back(node(*l.rhs)), ops.push_back(l.op);
              n->kids = k.data();
              n->ops = ops.data();
              n->n = static_cast<int>(ops.size());
              n->fn = &chain;
              return n;
            },
            [&](const ir::PowInt& pw) -> const Node* {
              Node* n = p.add();
              n->n = pw.n;
              const Kind k = single(n, *pw.base);
              n->fn = by_mode([&]<Mode M>() -> NodeFn {
                if (pw.n == 2) return k == Kind::V ? &square<Kind::V, M> : &square<Kind::N, M>;
                return k == Kind::V ? &pow_int<Kind::V, M> : &pow_int<Kind::N, M>;
              });
              return n;
            },
            [&](const ir::Conditional& c) -> const Node* {
              Node* n = p.add();
              n->a = node(*c.cond);
              n->b = node(*c.then_expr);
              n->c = node(*c.else_expr);
              n->fn = &conditional;
              return n;
            },
            [&](const ir::Call& c) { return call(c); },
        },
        e.node);
  }

  const Node* call(const ir::Call& c) {
    Node* n = p.add();
    n->n = static_cast<int>(c.args.size());
    if (const auto* b = std::get_if<const Builtin*>(&c.callee)) {
      const Builtin& fn = **b;
      if (fn.f1) {
        n->c_fn.f1 = fn.f1;
        const Kind k = single(n, *c.args[0]);
        n->fn = by_mode([&]<Mode M>() -> NodeFn { return k == Kind::V ? &call1<Kind::V, M> : &call1<Kind::N, M>; });
      } else if (fn.f2 && c.args.size() == 2) {
        n->c_fn.f2 = fn.f2;
        Kind l = single(n, *c.args[0]);
        Kind r = Kind::N;
        if (const auto* v = std::get_if<ir::Variable>(&c.args[1]->node)) n->slot2 = v->slot, r = Kind::V;
        else n->b = node(*c.args[1]);
        n->fn = by_mode([&]<Mode M>() { return l == Kind::V ? call2_fn<M, Kind::V>(r) : call2_fn<M, Kind::N>(r); });
      } else if (fn.f2) {  // variadic: min(a), min(a, b, c, ...)
        n->c_fn.f2 = fn.f2;
        n->kids = kids(c.args);
        n->fn = &fold_left;
      } else {
        n->c_fn.f3 = fn.f3;
        n->kids = kids(c.args);
        n->fn = &call3;
      }
    } else if (const auto* h = std::get_if<ir::HostRef>(&c.callee)) {
      n->target = h->get();
      n->kids = kids(c.args);
      n->fn = &host;
    } else {
      n->target = body(*std::get<ir::FunctionRef>(c.callee));
      n->kids = kids(c.args);
      n->fn = &function;
    }
    return n;
  }
};

Program::Program(const ir::Unit& unit) {
  for (const auto& e : unit.exprs) {
    std::array<const Node*, 2> r{};
    for (Mode m : {Mode::value, Mode::pointer}) r[static_cast<int>(m)] = Builder{*this, m, unit}.node(*e);
    roots_.push_back(r);
  }
}

}  // namespace exprjit::tree
