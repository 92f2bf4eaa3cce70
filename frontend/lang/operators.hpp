// operators.hpp — the operator enums from operators.def, their names and levels.
#pragma once
#include <cstdint>
#include <string_view>

namespace exprjit {

enum class UnOp : std::uint8_t {
#define UNOP(id, tok, sym, meaning) id,
#include "frontend/lang/operators.def"
};
enum class BinOp : std::uint8_t {
#define BINOP(id, tok, sym, level, meaning) id,
#include "frontend/lang/operators.def"
};

inline constexpr int kBinaryLevels = 5;  // or, and, cmp, add, mul

std::string_view unop_symbol(UnOp op);
std::string_view binop_symbol(BinOp op);
int binop_level(BinOp op);

}  // namespace exprjit
