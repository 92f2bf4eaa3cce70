// translate.cpp — see translate.hpp.
#include "bench/translate/translate.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>

#include "frontend/base/visit.hpp"
#include "frontend/check/check.hpp"
#include "frontend/syntax/parser.hpp"

namespace exprjit::bench {
namespace {

enum class Lang { cpp_row, cpp_batch, lua, muparser, exprtk };

// Concatenation without operator+ chains (which GCC 12 warns about spuriously, -Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

// builtins.def's C++ column, as text.
std::string cpp_function(Fn id) {
  switch (id) {
#define BUILTIN(ID, name, mn, mx, cpp, go) \
  case Fn::ID: return #cpp;
#include "frontend/lang/builtins.def"
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

// ExprTk's functions with the same meaning (it calls the C library for these); "" where it
// has none or its function differs (its sgn is not exprjit::rt::sign on nan and -0).
std::string exprtk_function(Fn id) {
  switch (id) {
    case Fn::ABS: return "abs";
    case Fn::SQRT: return "sqrt";
    case Fn::CBRT: return "";
    case Fn::EXP: return "exp";
    case Fn::LOG: case Fn::LN: return "log";
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
    case Fn::FLOOR: return "floor";
    case Fn::CEIL: return "ceil";
    case Fn::TRUNC: return "trunc";
    case Fn::ROUND: return "round";
    case Fn::POW: return "pow";
    case Fn::ATAN2: return "atan2";
    case Fn::HYPOT: return "hypot";
    case Fn::FMOD: return "fmod";
    case Fn::MIN: return "min";
    case Fn::MAX: return "max";
    case Fn::CLAMP: return "clamp";
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
    if (lang == Lang::exprtk) return "(0/0)";
    throw Untranslatable("muparser cannot write nan");
  }
  if (std::isinf(v)) {
    if (lang == Lang::lua) return v > 0 ? "math.huge" : "(-math.huge)";
    if (lang == Lang::exprtk) return v > 0 ? "(1/0)" : "(-1/0)";
    throw Untranslatable("muparser cannot write infinity");
  }
  std::snprintf(buf, sizeof buf, std::signbit(v) ? "(%.17g)" : "%.17g", v);
  return buf;
}

class Writer {
 public:
  Writer(Lang lang, const std::vector<std::string>* names) : lang_(lang), names_(names) {}

  std::string operator()(const ir::Expr& e) const {
    return std::visit(Overload{
                          [&](const ir::Number& n) { return number(n.value, lang_); },
                          [&](const ir::Variable& v) { return variable(v.slot); },
                          [&](const ir::Param&) -> std::string { throw Untranslatable("a language function"); },
                          [&](const ir::Unary& u) { return unary(u); },
                          [&](const ir::Chain& c) { return chain(c); },
                          [&](const ir::PowInt& p) { return pow_int(p); },
                          [&](const ir::Conditional& c) { return conditional(c); },
                          [&](const ir::Call& c) { return call(c); },
                      },
                      e.node);
  }

 private:
  bool cpp() const { return lang_ == Lang::cpp_row || lang_ == Lang::cpp_batch; }
  const char* ne() const { return lang_ == Lang::lua ? "~=" : "!="; }

  // "x is true" (not equal to 0) as a boolean of the target language.
  std::string truth(const std::string& x) const {
    if (cpp()) return cat({"exprjit::rt::truth(", x, ")"});
    return cat({"(", x, " ", ne(), " 0)"});
  }
  // A boolean of the target language as 1 or 0.
  std::string one_zero(const std::string& b) const {
    if (cpp()) return cat({"(", b, " ? 1.0 : 0.0)"});
    if (lang_ == Lang::lua) return cat({"(", b, " and 1 or 0)"});
    if (lang_ == Lang::exprtk) return cat({"(if (", b, ") 1; else 0;)"});
    return cat({"(", b, " ? 1 : 0)"});
  }

  std::string variable(std::uint32_t slot) const {
    const std::string s = std::to_string(slot);
    switch (lang_) {
      case Lang::cpp_row: return cat({"v[", s, "]"});
      case Lang::cpp_batch: return cat({"c[", s, "][i]"});
      case Lang::lua: return cat({"v", s});
      case Lang::muparser: case Lang::exprtk: return (*names_)[slot];
    }
    return "";
  }
  std::string unary(const ir::Unary& u) const {
    const std::string x = (*this)(*u.operand);
    if (u.op == UnOp::Neg) return cat({"(-", x, ")"});
    return one_zero(cat({"(", x, " == 0)"}));
  }
  std::string binary(BinOp op, const std::string& l, const std::string& r) const {
    auto infix = [&](std::string_view o) { return cat({"(", l, " ", o, " ", r, ")"}); };
    auto compare = [&](std::string_view o) { return one_zero(infix(o)); };
    switch (op) {
      case BinOp::Add: return infix("+");
      case BinOp::Sub: return infix("-");
      case BinOp::Mul: return infix("*");
      case BinOp::Div: return infix("/");
      case BinOp::Mod:
        if (cpp()) return cat({"std::fmod(", l, ", ", r, ")"});
        if (lang_ == Lang::lua) return cat({"math.fmod(", l, ", ", r, ")"});
        if (lang_ == Lang::exprtk) return infix("%");  // ExprTk's % is fmod
        throw Untranslatable("muparser has no fmod (%)");
      case BinOp::Lt: return compare("<");
      case BinOp::Le: return compare("<=");
      case BinOp::Gt: return compare(">");
      case BinOp::Ge: return compare(">=");
      case BinOp::Eq: return compare("==");
      case BinOp::Ne: return compare(ne());
      case BinOp::And: {
        const char* a = lang_ == Lang::lua ? " and " : lang_ == Lang::exprtk ? " and " : " && ";
        return one_zero(cat({"(", truth(l), a, truth(r), ")"}));
      }
      case BinOp::Or: {
        const char* o = lang_ == Lang::lua ? " or " : lang_ == Lang::exprtk ? " or " : " || ";
        return one_zero(cat({"(", truth(l), o, truth(r), ")"}));
      }
    }
    return "";
  }
  std::string chain(const ir::Chain& c) const {  // iterative: a chain may be long
    std::string acc = (*this)(*c.first);
    for (const ir::Link& l : c.rest) acc = binary(l.op, acc, (*this)(*l.rhs));
    return acc;
  }
  std::string pow(const std::string& x, const std::string& y) const {
    if (cpp()) return cat({"std::pow(", x, ", ", y, ")"});
    return cat({"(", x, " ^ ", y, ")"});
  }
  std::string pow_int(const ir::PowInt& p) const {
    const std::string x = (*this)(*p.base);
    if (cpp()) return cat({"exprjit::rt::pow_int(", x, ", ", std::to_string(p.n), ")"});
    return pow(x, number(p.n, lang_));
  }
  std::string conditional(const ir::Conditional& c) const {
    const std::string cond = truth((*this)(*c.cond)), t = (*this)(*c.then_expr), e = (*this)(*c.else_expr);
    // Lua: `and`/`or` select correctly because a number is never false or nil.
    if (lang_ == Lang::lua) return cat({"(", cond, " and ", t, " or ", e, ")"});
    if (lang_ == Lang::exprtk) return cat({"(if (", cond, ") ", t, "; else ", e, ";)"});
    return cat({"(", cond, " ? ", t, " : ", e, ")"});
  }
  std::string call(const ir::Call& c) const {
    const Builtin* const* bp = std::get_if<const Builtin*>(&c.callee);
    if (!bp) throw Untranslatable("a host or language function");
    const Builtin& b = **bp;
    std::vector<std::string> args;
    for (const ir::ExprPtr& a : c.args) args.push_back((*this)(*a));
    std::string fn;
    if (cpp()) fn = cpp_function(b.id);
    else if (lang_ == Lang::lua) fn = lua_function(b.id);
    else if (b.id == Fn::POW) return pow(args[0], args[1]);
    else if ((fn = lang_ == Lang::muparser ? muparser_function(b.id) : exprtk_function(b.id)).empty())
      throw Untranslatable(cat({lang_ == Lang::muparser ? "muparser" : "ExprTk", " has no ", b.name, "() of the same meaning"}));
    if (b.variadic() && lang_ != Lang::muparser) {  // left fold, as the reference
      std::string acc = args[0];
      for (std::size_t i = 1; i < args.size(); ++i) acc = cat({fn, "(", acc, ", ", args[i], ")"});
      return acc;  // one argument: the argument itself, as Builtin::apply
    }
    std::string s = cat({fn, "("});
    for (std::size_t i = 0; i < args.size(); ++i) s += cat({i ? ", " : "", args[i]});
    return s + ")";
  }

  Lang lang_;
  const std::vector<std::string>* names_;
};

}  // namespace

ir::ExprPtr check_text(std::string_view text, const std::vector<std::string>& names) {
  const Scope scope(names);
  syntax::ExprPtr parsed = parse_expression(text);
  return check(*parsed, Names{&scope, nullptr, nullptr, {}});
}

std::string to_cpp(const ir::Expr& e, bool batch) { return Writer(batch ? Lang::cpp_batch : Lang::cpp_row, nullptr)(e); }
std::string to_lua(const ir::Expr& e) { return Writer(Lang::lua, nullptr)(e); }
std::string to_muparser(const ir::Expr& e, const std::vector<std::string>& names) { return Writer(Lang::muparser, &names)(e); }
std::string to_exprtk(const ir::Expr& e, const std::vector<std::string>& names) { return Writer(Lang::exprtk, &names)(e); }

std::string lua_prelude() {
  // exprjit::rt's semantics (frontend/lang/semantics.hpp), in Lua; 1/x < 0 is the sign bit of a 0.
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
