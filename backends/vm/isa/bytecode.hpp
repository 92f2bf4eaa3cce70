// bytecode.hpp — the VM's instruction format, expanded from opcodes.def, and the Program
// the compiler produces and both evaluators run.
#pragma once
#include <cmath>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ir/ir.hpp"

namespace exprjit::vm {

// What an operand field names (opcodes.def).  `_`: unused.
enum class Kind : std::uint8_t { _, R, K, V, J, X };

// The operand shapes of a binary operation, in opcode order: NAME_RR is the family's first
// opcode, NAME_KV its last.  X(name, SHAPE, kind of B, kind of C, rest...).
#define VM_SHAPES2(X, name, ...)                                                           \
  X(name, RR, R, R, __VA_ARGS__) X(name, RK, R, K, __VA_ARGS__) X(name, KR, K, R, __VA_ARGS__) \
  X(name, RV, R, V, __VA_ARGS__) X(name, VR, V, R, __VA_ARGS__) X(name, VV, V, V, __VA_ARGS__) \
  X(name, VK, V, K, __VA_ARGS__) X(name, KV, K, V, __VA_ARGS__)
// Unary operations: NAME_R, NAME_V.
#define VM_SHAPES1(X, name, ...) X(name, R, R, __VA_ARGS__) X(name, V, V, __VA_ARGS__)

enum class Shape2 : std::uint32_t { RR, RK, KR, RV, VR, VV, VK, KV };
enum class Shape1 : std::uint32_t { R, V };

enum class Op : std::uint32_t {
#define VM_ENUM2(name, s, kb, kc, ...) name##_##s,
#define VM_ENUM1(name, s, kb, ...) name##_##s,
#define BINARY(name, mn, expr, meaning) VM_SHAPES2(VM_ENUM2, name, _)
#define UNARY(name, mn, expr, meaning) VM_SHAPES1(VM_ENUM1, name, _)
#define TERNARY(name, mn, expr, meaning) name##_R,
#define FUSED(name, mn, ka, kb, kc, kd, expr, meaning) name,
#define OP(name, mn, ka, kb, kc, meaning) name,
#include "backends/vm/isa/opcodes.def"
#undef VM_ENUM2
#undef VM_ENUM1
};

// The operation families (one per BINARY / UNARY / TERNARY line).
enum class Bin : std::uint32_t {
#define BINARY(name, mn, expr, meaning) name,
#include "backends/vm/isa/opcodes.def"
};
enum class Un : std::uint32_t {
#define UNARY(name, mn, expr, meaning) name,
#include "backends/vm/isa/opcodes.def"
};
enum class Tern : std::uint32_t {
#define TERNARY(name, mn, expr, meaning) name,
#include "backends/vm/isa/opcodes.def"
};

inline constexpr Op kBinFirst[] = {
#define BINARY(name, mn, expr, meaning) Op::name##_RR,
#include "backends/vm/isa/opcodes.def"
};
inline constexpr Op kUnFirst[] = {
#define UNARY(name, mn, expr, meaning) Op::name##_R,
#include "backends/vm/isa/opcodes.def"
};
inline constexpr Op kTernOp[] = {
#define TERNARY(name, mn, expr, meaning) Op::name##_R,
#include "backends/vm/isa/opcodes.def"
};

constexpr Op op_of(Bin f, Shape2 s) {
  return static_cast<Op>(static_cast<std::uint32_t>(kBinFirst[static_cast<std::uint32_t>(f)]) +
                         static_cast<std::uint32_t>(s));
}
constexpr Op op_of(Un f, Shape1 s) {
  return static_cast<Op>(static_cast<std::uint32_t>(kUnFirst[static_cast<std::uint32_t>(f)]) +
                         static_cast<std::uint32_t>(s));
}
constexpr Op op_of(Tern f) { return kTernOp[static_cast<std::uint32_t>(f)]; }

inline constexpr std::uint32_t kNumOps = 0
#define VM_COUNT2(name, s, kb, kc, ...) +1
#define VM_COUNT1(name, s, kb, ...) +1
#define BINARY(name, mn, expr, meaning) VM_SHAPES2(VM_COUNT2, name, _)
#define UNARY(name, mn, expr, meaning) VM_SHAPES1(VM_COUNT1, name, _)
#define TERNARY(name, mn, expr, meaning) +1
#define FUSED(name, mn, ka, kb, kc, kd, expr, meaning) +1
#define OP(name, mn, ka, kb, kc, meaning) +1
#include "backends/vm/isa/opcodes.def"
#undef VM_COUNT2
#undef VM_COUNT1
    ;

// What the disassembler and the checks in the tests need to know about an opcode.
struct OpInfo {
  std::string_view name;      // enumerator: "ADD_RK"
  std::string_view mnemonic;  // "add"
  Kind a, b, c, d;            // operand kinds; d lives in the EXT word that follows
  int words;                  // 1, or 2 for a superinstruction
  std::string_view meaning;
};

inline constexpr OpInfo kOpInfo[] = {
#define VM_INFO2(name, s, kb, kc, mn, meaning) \
  {#name "_" #s, mn, Kind::R, Kind::kb, Kind::kc, Kind::_, 1, meaning},
#define VM_INFO1(name, s, kb, mn, meaning) {#name "_" #s, mn, Kind::R, Kind::kb, Kind::_, Kind::_, 1, meaning},
#define BINARY(name, mn, expr, meaning) VM_SHAPES2(VM_INFO2, name, mn, meaning)
#define UNARY(name, mn, expr, meaning) VM_SHAPES1(VM_INFO1, name, mn, meaning)
#define TERNARY(name, mn, expr, meaning) {#name "_R", mn, Kind::R, Kind::R, Kind::_, Kind::_, 1, meaning},
#define FUSED(name, mn, ka, kb, kc, kd, expr, meaning) \
  {#name, mn, Kind::ka, Kind::kb, Kind::kc, Kind::kd, 2, meaning},
#define OP(name, mn, ka, kb, kc, meaning) {#name, mn, Kind::ka, Kind::kb, Kind::kc, Kind::_, 1, meaning},
#include "backends/vm/isa/opcodes.def"
#undef VM_INFO2
#undef VM_INFO1
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kNumOps);

inline const OpInfo& info(Op op) { return kOpInfo[static_cast<std::uint32_t>(op)]; }

// Whether an instruction's handler calls a C function (opcodes.def, "CALLS"): a built-in's
// implementation, a host function, a language function.
inline constexpr bool kCallsOut[] = {
#define VM_NO2(name, s, ...) false,
#define VM_NO1(name, s, ...) false,
#define VM_YES2(name, s, ...) true,
#define VM_YES1(name, s, ...) true,
#define BINARY(name, mn, expr, meaning) VM_SHAPES2(VM_NO2, name, _)
#define UNARY(name, mn, expr, meaning) VM_SHAPES1(VM_NO1, name, _)
#define TERNARY(name, mn, expr, meaning) false,
#define FUSED(name, mn, ka, kb, kc, kd, expr, meaning) false,
#define OP(name, mn, ka, kb, kc, meaning) false,
#define CALLS_BINARY(name, mn, expr, meaning) VM_SHAPES2(VM_YES2, name, _)
#define CALLS_UNARY(name, mn, expr, meaning) VM_SHAPES1(VM_YES1, name, _)
#define CALLS_TERNARY(name, mn, expr, meaning) true,
#define CALLS_OP(name, mn, ka, kb, kc, meaning) true,
#include "backends/vm/isa/opcodes.def"
#undef VM_NO2
#undef VM_NO1
#undef VM_YES2
#undef VM_YES1
};
static_assert(sizeof(kCallsOut) / sizeof(kCallsOut[0]) == kNumOps);
constexpr bool calls_out(Op op) { return kCallsOut[static_cast<std::uint32_t>(op)]; }

// The instruction family of each built-in function, from builtins.def by arity.
struct FnOp {
  enum Arity : std::uint8_t { unary, binary, ternary } arity;
  std::uint32_t family;  // a Un, Bin or Tern value
};
inline constexpr FnOp kFnOp[] = {
#define VM_FN_1_1(id) FnOp{FnOp::unary, static_cast<std::uint32_t>(Un::id)},
#define VM_FN_2_2(id) FnOp{FnOp::binary, static_cast<std::uint32_t>(Bin::id)},
#define VM_FN_1_0(id) FnOp{FnOp::binary, static_cast<std::uint32_t>(Bin::id)},
#define VM_FN_3_3(id) FnOp{FnOp::ternary, static_cast<std::uint32_t>(Tern::id)},
#define BUILTIN(id, name, mn, mx, cpp, go) VM_FN_##mn##_##mx(id)
#include "frontend/lang/builtins.def"
#undef BUILTIN
#undef VM_FN_1_1
#undef VM_FN_2_2
#undef VM_FN_1_0
#undef VM_FN_3_3
};
inline const FnOp& fn_op(Fn id) { return kFnOp[static_cast<std::size_t>(id)]; }

// One instruction: 16 bytes, 32-bit operands (no 8-bit limits to wrap: the compiler
// refuses, with a CompileError, a program whose counts would not fit in 32 bits).
struct Ins {
  Op op;
  std::uint32_t a, b, c;
};
static_assert(sizeof(Ins) == 16);

// A call site (operand X of CALLH and CALLF): the callee's index in the module's hosts or
// functions, and how many arguments it is given (in consecutive registers).
struct CallSite {
  std::uint32_t callee;
  std::uint32_t nargs;
};

struct Module;

struct Program {
  std::vector<Ins> code;
  std::vector<double> consts;   // K
  std::vector<CallSite> calls;  // X
  std::uint32_t nregs = 0;      // frame size in registers
  bool batch = false;           // compiled for batch evaluation: no jumps, SEL instead
  const Module* module = nullptr;  // the callees of CALLH and CALLF
};

// A language function, compiled once per unit: its parameters are the program's variables
// (V operands, read from the caller's argument registers).
struct FunctionCode {
  std::string name;
  Program single, batch;
};

// What the programs of one unit share: the host functions they call and the language
// functions, compiled.  Addresses are stable (a deque), programs point into it.
struct Module {
  std::vector<ir::HostRef> hosts;
  std::deque<FunctionCode> functions;
};

// The operations of opcodes.def as functions: the constant folder calls exactly these,
// and the loops expand the same expressions, so folding is exact by construction.
double apply(Bin f, double x, double y);
double apply(Un f, double x);
double apply(Tern f, double x, double y, double z);

}  // namespace exprjit::vm
