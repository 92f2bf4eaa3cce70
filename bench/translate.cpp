// translate.cpp — see translate.hpp.
#include "bench/translate.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace exprjit::bench {
namespace {

enum class Lang { cpp_row, cpp_batch, lua, muparser };

// Concatenation without operator+ chains (which GCC 12 warns about spuriously, -Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

// builtins.def's C++ column, as text.
std::string cpp_function(Fn id) {
  switch (id) {
#define BUILTIN(ID, name, mn, mx, cpp, go, exact) \
  case Fn::ID: return #cpp;
#include "frontend/builtins.def"
#undef BUILTIN
  }
  return "";
}

// Lua: LuaJIT's math library where it computes the same C function, the FFI for C
// functions Lua 5.1's math lacks, and Lua helpers (lua_prelude) for exprjit::rt's.
std::string lua_function(Fn id) {
  switch (id) {
    case Fn::ABS: return "math.abs";
    case Fn::SQRT: return "math.sqrt";
    case Fn::EXP: return "math.exp";
    case Fn::LOG: case Fn::LN: return "math.log";
    case Fn::LOG10: return "math.log10";
    case Fn::SIN: return "math.sin";
    case Fn::COS: return "math.cos";
    case Fn::TAN: return "math.tan";
    case Fn::ASIN: return "math.asin";
    case Fn::ACOS: return "math.acos";
    case Fn::ATAN: return "math.atan";
    case Fn::SINH: return "math.sinh";
    case Fn::COSH: return "math.cosh";
    case Fn::TANH: return "math.tanh";
    case Fn::FLOOR: return "math.floor";
    case Fn::CEIL: return "math.ceil";
    case Fn::POW: return "math.pow";
    case Fn::ATAN2: return "math.atan2";
    case Fn::FMOD: return "math.fmod";
    case Fn::CBRT: return "C.cbrt";
    case Fn::EXP2: return "C.exp2";
    case Fn::LOG2: return "C.log2";
    case Fn::ASINH: return "C.asinh";
    case Fn::ACOSH: return "C.acosh";
    case Fn::ATANH: return "C.atanh";
    case Fn::TRUNC: return "C.trunc";
    case Fn::ROUND: return "C.round";
    case Fn::HYPOT: return "C.hypot";
    case Fn::SIGN: return "ej_sign";
    case Fn::MIN: return "ej_min";
    case Fn::MAX: return "ej_max";
    case Fn::CLAMP: return "ej_clamp";
  }
  return "";
}

// muparser 2.3's built-in functions with the same meaning; "" where it has none.
std::string muparser_function(Fn id) {
  switch (id) {
    case Fn::ABS: return "abs";
    case Fn::SQRT: return "sqrt";
    case Fn::EXP: return "exp";
    case Fn::LOG: case Fn::LN: return "ln";
    case Fn::LOG2: return "log2";
    case Fn::LOG10: return "log10";
    case Fn::SIN: return "sin";
    case Fn::COS: return "cos";
    case Fn::TAN: return "tan";
    case Fn::ASIN: return "asin";
    case Fn::ACOS: return "acos";
    case Fn::ATAN: return "atan";
    case Fn::SINH: return "sinh";
    case Fn::COSH: return "cosh";
    case Fn::TANH: return "tanh";
    case Fn::ASINH: return "asinh";
    case Fn::ACOSH: return "acosh";
    case Fn::ATANH: return "atanh";
    case Fn::SIGN: return "sign";
    case Fn::MIN: return "min";
    case Fn::MAX: return "max";
    default: return "";
  }
}

std::string number(double v, Lang lang) {
  char buf[64];
  if (lang == Lang::cpp_row || lang == Lang::cpp_batch) {
    if (std::isnan(v)) return "__builtin_nan(\"\")";
    if (std::isinf(v)) return v > 0 ? "__builtin_inf()" : "(-__builtin_inf())";
    std::snprintf(buf, sizeof buf, "(%a)", v);
    return buf;
  }
  if (std::isnan(v)) {
    if (lang == Lang::lua) return "(0/0)";
    throw Untranslatable("muparser cannot write nan");
  }
  if (std::isinf(v)) {
    if (lang == Lang::lua) return v > 0 ? "math.huge" : "(-math.huge)";
    throw Untranslatable("muparser cannot write infinity");
  }
  std::snprintf(buf, sizeof buf, std::signbit(v) ? "(%.17g)" : "%.17g", v);
  return buf;
}

class Writer {
 public:
  explicit Writer(Lang lang) : lang_(lang) {}
  std::string operator()(const Expr& e) const {
    return std::visit([&](const auto& n) { return node(n); }, e.node);
  }

 private:
  bool cpp() const { return lang_ == Lang::cpp_row || lang_ == Lang::cpp_batch; }

  // "x is true" (not equal to 0) as a boolean of the target language.
  std::string truth(const std::string& x) const {
    if (cpp()) return cat({"exprjit::rt::truth(", x, ")"});
    return cat({"(", x, lang_ == Lang::lua ? " ~= 0)" : " != 0)"});
  }
  // A boolean of the target language as 1 or 0.
  std::string one_zero(const std::string& b) const {
    if (cpp()) return cat({"(", b, " ? 1.0 : 0.0)"});
    return cat({"(", b, lang_ == Lang::lua ? " and 1 or 0)" : " ? 1 : 0)"});
  }

  std::string node(const Number& n) const { return number(n.value, lang_); }
  std::string node(const Constant& c) const { return number(c.value, lang_); }
  std::string node(const Name& n) const { throw std::invalid_argument("translate: unchecked name " + n.name); }
  std::string node(const Variable& v) const {
    const std::string s = std::to_string(v.slot);
    switch (lang_) {
      case Lang::cpp_row: return cat({"v[", s, "]"});
      case Lang::cpp_batch: return cat({"c[", s, "][i]"});
      case Lang::lua: return cat({"v", s});
      case Lang::muparser: return v.name;
    }
    return "";
  }
  std::string node(const Unary& u) const {
    const std::string x = (*this)(*u.operand);
    switch (u.op) {
      case UnOp::Neg: return cat({"(-", x, ")"});
      case UnOp::Plus: return x;
      case UnOp::Not: return one_zero(cat({"(", x, " == 0)"}));
    }
    return x;
  }
  std::string node(const Binary& b) const {
    const std::string l = (*this)(*b.lhs), r = (*this)(*b.rhs);
    auto infix = [&](std::string_view op) { return cat({"(", l, " ", op, " ", r, ")"}); };
    auto call = [&](std::string_view fn) { return cat({fn, "(", l, ", ", r, ")"}); };
    auto compare = [&](std::string_view op) { return one_zero(infix(op)); };
    switch (b.op) {
      case BinOp::Add: return infix("+");
      case BinOp::Sub: return infix("-");
      case BinOp::Mul: return infix("*");
      case BinOp::Div: return infix("/");
      case BinOp::Mod:
        if (cpp()) return call("std::fmod");
        if (lang_ == Lang::lua) return call("math.fmod");
        throw Untranslatable("muparser has no fmod (%)");
      case BinOp::Pow: return cpp() ? call("std::pow") : infix("^");
      case BinOp::Lt: return compare("<");
      case BinOp::Le: return compare("<=");
      case BinOp::Gt: return compare(">");
      case BinOp::Ge: return compare(">=");
      case BinOp::Eq: return compare("==");
      case BinOp::Ne: return compare(lang_ == Lang::lua ? "~=" : "!=");
      case BinOp::And:
        if (lang_ == Lang::lua) return one_zero(cat({"(", truth(l), " and ", truth(r), ")"}));
        return one_zero(cat({"(", truth(l), " && ", truth(r), ")"}));
      case BinOp::Or:
        if (lang_ == Lang::lua) return one_zero(cat({"(", truth(l), " or ", truth(r), ")"}));
        return one_zero(cat({"(", truth(l), " || ", truth(r), ")"}));
    }
    return "";
  }
  std::string node(const Conditional& c) const {
    const std::string cond = truth((*this)(*c.cond)), t = (*this)(*c.then_expr), e = (*this)(*c.else_expr);
    // Lua: `and`/`or` select correctly because a number is never false or nil.
    if (lang_ == Lang::lua) return cat({"(", cond, " and ", t, " or ", e, ")"});
    return cat({"(", cond, " ? ", t, " : ", e, ")"});
  }
  std::string node(const Call& c) const {
    std::string fn;
    if (cpp()) fn = cpp_function(c.fn->id);
    else if (lang_ == Lang::lua) fn = lua_function(c.fn->id);
    else if (c.fn->id == Fn::POW) return cat({"(", (*this)(*c.args[0]), " ^ ", (*this)(*c.args[1]), ")"});
    else if ((fn = muparser_function(c.fn->id)).empty())
      throw Untranslatable(cat({"muparser has no ", c.fn->name, "()"}));
    if (c.fn->variadic() && lang_ != Lang::muparser) {  // left fold, as the tree backend
      std::string acc = (*this)(*c.args[0]);
      for (std::size_t i = 1; i < c.args.size(); ++i) acc = cat({fn, "(", acc, ", ", (*this)(*c.args[i]), ")"});
      return acc;  // one argument: the argument itself, as Builtin::apply
    }
    std::string s = cat({fn, "("});
    for (std::size_t i = 0; i < c.args.size(); ++i) s += cat({i ? ", " : "", (*this)(*c.args[i])});
    return s + ")";
  }

  Lang lang_;
};

}  // namespace

std::string to_cpp(const Expr& checked, bool batch) { return Writer(batch ? Lang::cpp_batch : Lang::cpp_row)(checked); }

std::string to_lua(const Expr& checked) { return Writer(Lang::lua)(checked); }

std::string to_muparser(const Expr& checked) { return Writer(Lang::muparser)(checked); }

std::string lua_prelude() {
  // exprjit::rt's semantics (frontend/builtins.hpp), in Lua; 1/x < 0 is the sign bit of a 0.
  return R"(local ffi = require("ffi")
ffi.cdef[[
double cbrt(double); double exp2(double); double log2(double); double asinh(double);
double acosh(double); double atanh(double); double trunc(double); double round(double);
double hypot(double, double);
]]
local C = ffi.C
local function ej_sign(x) if x > 0 then return 1 elseif x < 0 then return -1 else return x end end
local function ej_min(a, b)
  if a ~= a or b ~= b then return a + b end
  if a < b then return a elseif b < a then return b end
  if 1 / a < 0 then return a end
  return b
end
local function ej_max(a, b)
  if a ~= a or b ~= b then return a + b end
  if a > b then return a elseif b > a then return b end
  if 1 / a < 0 then return b end
  return a
end
local function ej_clamp(lo, x, hi) return ej_min(ej_max(x, lo), hi) end
)";
}

}  // namespace exprjit::bench
