// nodes.hpp — the tree backend's compiled form: a table of nodes, each one C function and
// its operands, specialised by operand kind as ExprTk does (a number, a variable, or another
// node), so that `a*b+1` is two nodes whose operands are read in place rather than five
// visits.  A node's function is chosen once, at compile time (compile.cpp); evaluating is
// calling the root's.
//
// The environment a node reads (Env) is what the entry point was given: the variables'
// values (value mode), their addresses (pointer mode), or a function's arguments (the body
// of a language function always runs in value mode, its parameters being its "variables").
#pragma once
#include <cstdint>
#include <vector>

#include "frontend/lang/builtins.hpp"
#include "frontend/lang/operators.hpp"

namespace exprjit::tree {

struct Node;
using Env = const void*;
using NodeFn = double (*)(const Node* self, Env env);

enum class Mode : std::uint8_t { value, pointer };

struct Node {
  NodeFn fn = nullptr;
  // Operands, as the function needs them.
  const Node* a = nullptr;
  const Node* b = nullptr;
  const Node* c = nullptr;
  double k = 0;               // a number operand
  std::uint32_t slot = 0;     // a variable operand (a's when both sides are variables)
  std::uint32_t slot2 = 0;    // the right variable operand
  int n = 0;                  // PowInt's exponent; a call's argument count
  BinOp op = BinOp::Add;      // a long chain's operators are in `ops`
  const Node* const* kids = nullptr;  // a long chain's or a call's operands
  const BinOp* ops = nullptr;         // a long chain's operators (ops[i] joins kids[i+1])
  union {                             // a built-in's C function, by arity
    Fn1 f1;
    Fn2 f2;
    Fn3 f3;
  } c_fn{nullptr};
  const void* target = nullptr;       // the callee object: ir::HostFunction or Body
  double eval(Env env) const { return fn(this, env); }
};

// A language function's compiled body: nodes over its parameters (value mode).
struct Body {
  const Node* root = nullptr;
  int nparams = 0;
};

}  // namespace exprjit::tree
