// eval.hpp — the functions a tree node can run (nodes.hpp), as templates over the kinds of
// its operands and the mode of the variables, instantiated once each; compile.cpp picks one
// per node.  Every operation is the language's (frontend/lang/semantics.hpp), in the order
// ir::evaluate performs it.
#pragma once
#include <memory>

#include "backends/tree/nodes.hpp"
#include "frontend/ir/ir.hpp"
#include "frontend/lang/semantics.hpp"

namespace exprjit::tree {

// What an operand is: a number held in the node, a variable slot, or another node.
enum class Kind : std::uint8_t { K, V, N };

template <Mode M>
inline double variable(std::uint32_t slot, Env env) {
  if constexpr (M == Mode::value) return static_cast<const double*>(env)[slot];
  else return *static_cast<const double* const*>(env)[slot];
}
template <Kind K, Mode M>
inline double lhs(const Node* s, Env env) {
  if constexpr (K == Kind::K) return s->k;
  else if constexpr (K == Kind::V) return variable<M>(s->slot, env);
  else return s->a->eval(env);
}
template <Kind K, Mode M>
inline double rhs(const Node* s, Env env) {
  if constexpr (K == Kind::K) return s->k;
  else if constexpr (K == Kind::V) return variable<M>(s->slot2, env);
  else return s->b->eval(env);
}

// ---- leaves ----
inline double number(const Node* s, Env) { return s->k; }
template <Mode M>
double load(const Node* s, Env env) { return variable<M>(s->slot, env); }

// ---- operations ----
template <BinOp Op, Kind L, Kind R, Mode M>
double binary(const Node* s, Env env) {
  const double x = lhs<L, M>(s, env);  // left to right
  return rt::binary(Op, x, rhs<R, M>(s, env));
}
template <UnOp Op, Kind K, Mode M>
double unary(const Node* s, Env env) { return rt::unary(Op, lhs<K, M>(s, env)); }

// A chain too long to nest: kids[0] op[0] kids[1] op[1] ... in a loop.
inline double chain(const Node* s, Env env) {
  double acc = s->kids[0]->eval(env);
  for (int i = 0; i < s->n; ++i) acc = rt::binary(s->ops[i], acc, s->kids[i + 1]->eval(env));
  return acc;
}
template <Kind K, Mode M>
double square(const Node* s, Env env) {  // x^2: pow_int(x, 2) is x*x
  const double x = lhs<K, M>(s, env);
  return x * x;
}
template <Kind K, Mode M>
double pow_int(const Node* s, Env env) { return rt::pow_int(lhs<K, M>(s, env), s->n); }
inline double conditional(const Node* s, Env env) {
  return rt::truth(s->a->eval(env)) ? s->b->eval(env) : s->c->eval(env);
}

// ---- calls ----
template <Kind K, Mode M>
double call1(const Node* s, Env env) { return s->c_fn.f1(lhs<K, M>(s, env)); }
template <Kind L, Kind R, Mode M>
double call2(const Node* s, Env env) {
  const double x = lhs<L, M>(s, env);
  return s->c_fn.f2(x, rhs<R, M>(s, env));
}

// The arguments of a call with many of them, evaluated left to right into a buffer.
template <class F>
double with_args(const Node* s, Env env, F&& use) {
  constexpr int kInline = 8;
  double small[kInline];
  std::unique_ptr<double[]> big;
  double* args = small;
  if (s->n > kInline) {
    big = std::make_unique<double[]>(static_cast<std::size_t>(s->n));
    args = big.get();
  }
  for (int i = 0; i < s->n; ++i) args[i] = s->kids[i]->eval(env);
  return use(args);
}
inline double call3(const Node* s, Env env) {
  return with_args(s, env, [&](const double* a) { return s->c_fn.f3(a[0], a[1], a[2]); });
}
inline double fold_left(const Node* s, Env env) {  // variadic built-ins: min(a, b, c) = min(min(a, b), c)
  double acc = s->kids[0]->eval(env);
  for (int i = 1; i < s->n; ++i) acc = s->c_fn.f2(acc, s->kids[i]->eval(env));
  return acc;
}
inline double host(const Node* s, Env env) {
  return with_args(s, env, [&](const double* a) {
    return static_cast<const ir::HostFunction*>(s->target)->call(a, static_cast<std::size_t>(s->n));
  });
}
inline double function(const Node* s, Env env) {  // the body runs on the arguments
  return with_args(s, env, [&](const double* a) { return static_cast<const Body*>(s->target)->root->eval(a); });
}

}  // namespace exprjit::tree
