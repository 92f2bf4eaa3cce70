// codegen.cpp — the Go code generator.
//
// Expressions are printed as nested Go expressions in which every operand is a primary
// (a name, an index, a call or a parenthesised unary minus), so Go's own precedence never
// matters, and every arithmetic result is converted with float64(...), which the Go spec
// says rounds and so forbids fusing a multiply and an add.  A conditional becomes a
// temporary assigned in an if/else placed before the expression that uses it ("hoisted"),
// so only the chosen branch runs.  Literals are locals initialised from their bits, never
// untyped constants (Go would fold those exactly, and 1/0 would not compile).
#include "backends/gojit/codegen.hpp"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "backends/gojit/go_helpers.hpp"
#include "backends/tree/tree.hpp"
#include "frontend/format.hpp"

namespace exprjit::gojit {
namespace {


enum class Style { row, batch };

std::uint64_t bits_of(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// A Go function name taken from the builtins table; checked so that a mistake in the
// table cannot produce anything but an identifier or a qualified identifier.
std::string_view go_name(std::string_view name) {
  bool ok = !name.empty();
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) ok = false;
  if (!ok) throw std::logic_error("builtins.def has an invalid Go name");
  return name;
}

// Functions of Go's math package whose amd64 code reaches assembly (after which the caller
// reloads the g register from thread-local storage) or a bounds-check panic: the direct
// path must not run them (docs/design.md, "Go JIT direct calls"), so the generated code
// calls pure-Go equivalents from go_helpers_math.cpp instead.
}  // namespace

std::string_view go_callee(std::string_view go) {
  static constexpr std::pair<std::string_view, std::string_view> kSubstitutes[] = {
      {"math.Floor", "ejFloor"}, {"math.Ceil", "ejCeil"},   {"math.Trunc", "ejTrunc"}, {"math.Hypot", "ejHypot"},
      {"math.Tanh", "ejTanh"},   {"math.Asinh", "ejAsinh"}, {"math.Acosh", "ejAcosh"}, {"math.Exp", "ejExp"},
      {"math.Log", "ejLog"},     {"math.Sin", "ejSin"},     {"math.Cos", "ejCos"},     {"math.Tan", "ejTan"},
      {"math.Pow", "ejPow"},     {"math.Sinh", "ejSinh"},   {"math.Cosh", "ejCosh"},
  };
  for (const auto& [from, to] : kSubstitutes)
    if (go == from) return to;
  return go;
}

namespace {

// Writes the body of one function (E or B) for one expression.
class FuncWriter {
 public:
  FuncWriter(std::string& out, Style style, std::size_t nslots, std::set<std::string>& helpers)
      : out_(out), style_(style), nslots_(nslots), helpers_(helpers) {}

  void write(const Expr& e, std::size_t index) {
    validate(e);
    collect(e);
    char head[512];
    if (style_ == Style::row) {
      std::snprintf(head, sizeof head,
                    "\n// E%zu evaluates expression %zu for one row: vp points at the row's %zu slots (Go's 4th\n"
                    "// integer argument: in RDI, where C passes a first one; see docs/design.md).\n"
                    "func E%zu(_, _, _ uintptr, vp unsafe.Pointer) float64 {\n",
                    index, index, nslots_, index);
    } else {
      std::snprintf(head, sizeof head,
                    "\n// B%zu evaluates expression %zu for n rows: cols points at one column pointer per slot.\n"
                    "func B%zu(cols unsafe.Pointer, out unsafe.Pointer, n int) {\n",
                    index, index, index);
    }
    out_ += head;
    depth_ = 1;
    for (std::size_t k = 0; k < consts_.size(); ++k) {
      line();
      put("k", k), out_ += " := math.Float64frombits(", out_ += hex(consts_[k]), out_ += ") // ";
      out_ += format_value(std::bit_cast<double>(consts_[k])), out_ += "\n";
    }
    if (style_ == Style::row) {
      // A fixed-size array read at constant indices below its length: no bounds checks.
      if (!slots_.empty()) line(), put("v := (*[", nslots_), out_ += "]float64)(vp)\n";
      hoist(e);
      line();
      out_ += "return ";
      expr(e);
      out_ += "\n}\n";
      return;
    }
    // Pointer arithmetic (unsafe.Add) over byte offsets: no bounds checks either.
    for (const auto& [slot, used] : slots_)
      line(), put("c", slot), put(" := *(*unsafe.Pointer)(unsafe.Add(cols, ", slot * 8), out_ += "))\n";
    line();
    out_ += "for i := uintptr(0); i < uintptr(n)*8; i += 8 {\n";
    depth_ = 2;
    for (const auto& [slot, used] : slots_)
      line(), put("x", slot), put(" := *(*float64)(unsafe.Add(c", slot), out_ += ", i))\n";
    hoist(e);
    line();
    out_ += "*(*float64)(unsafe.Add(out, i)) = ";
    expr(e);
    out_ += "\n\t}\n}\n";
  }

 private:
  static std::string hex(std::uint64_t b) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64, b);
    return buf;
  }

  void line() { out_.append(static_cast<std::size_t>(std::min(depth_, 24)), '\t'); }
  // Appends prefix and a number (no temporaries: cheaper, and GCC 12's -Wrestrict false
  // positive on `"k" + std::to_string(n)` stays away).
  void put(const char* prefix, std::size_t n) {
    out_ += prefix;
    out_ += std::to_string(n);
  }

  // Numbering of literals (by bits, in order of first appearance) and the slots read.
  // Refuses an unchecked tree or a slot out of range, folded parts included.
  void validate(const Expr& e) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, Variable>) {
            if (n.slot >= nslots_) throw std::invalid_argument("generate_go: variable slot out of range");
          } else if constexpr (std::is_same_v<T, Name>) {
            throw std::invalid_argument("generate_go: the expression is not checked (unresolved name)");
          } else if constexpr (std::is_same_v<T, Unary>) {
            validate(*n.operand);
          } else if constexpr (std::is_same_v<T, Binary>) {
            validate(*n.lhs), validate(*n.rhs);
          } else if constexpr (std::is_same_v<T, Conditional>) {
            validate(*n.cond), validate(*n.then_expr), validate(*n.else_expr);
          } else if constexpr (std::is_same_v<T, Call>) {
            if (!n.fn || !n.fn->accepts(n.args.size()))
              throw std::invalid_argument("generate_go: the expression is not checked (unresolved call)");
            for (const ExprPtr& a : n.args) validate(*a);
          }
        },
        e.node);
  }

  // Constant folding: a subtree without variables is computed here by the tree backend
  // (the reference semantics; the VM folds the same way), and a conditional whose
  // condition is such a subtree is replaced by its chosen branch.
  bool var_free(const Expr& e) {
    if (auto it = var_free_.find(&e); it != var_free_.end()) return it->second;
    const bool v = std::visit(
        [&](const auto& n) -> bool {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, Variable> || std::is_same_v<T, Name>) return false;
          else if constexpr (std::is_same_v<T, Unary>) return var_free(*n.operand);
          else if constexpr (std::is_same_v<T, Binary>) return var_free(*n.lhs) && var_free(*n.rhs);
          else if constexpr (std::is_same_v<T, Conditional>)
            return var_free(*n.cond) && var_free(*n.then_expr) && var_free(*n.else_expr);
          else if constexpr (std::is_same_v<T, Call>) {
            bool all = true;
            for (const ExprPtr& a : n.args) all = var_free(*a) && all;
            return all;
          } else {
            return true;
          }
        },
        e.node);
    var_free_[&e] = v;
    return v;
  }
  const Expr& live(const Expr& e) {
    const Expr* p = &e;
    while (const auto* c = std::get_if<Conditional>(&p->node)) {
      if (!var_free(*c->cond)) break;
      p = rt::truth(tree_eval(*c->cond, nullptr)) ? c->then_expr.get() : c->else_expr.get();
    }
    return *p;
  }
  // x^2 is written x*x: the correctly rounded square, which ejPow also computes.
  bool squares(const Binary& b) {
    if (b.op != BinOp::Pow || !var_free(*b.rhs)) return false;
    const double y = tree_eval(*b.rhs, nullptr);
    return y == 2.0;
  }

  // Numbering of literals (by bits, in order of first appearance) and the slots read.
  void collect(const Expr& whole) {
    const Expr& e = live(whole);
    if (var_free(e)) {
      const double v = tree_eval(e, nullptr);
      folded_[&e] = v;
      const std::uint64_t b = bits_of(v);
      if (const_index_.emplace(b, consts_.size()).second) consts_.push_back(b);
      return;
    }
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, Variable>) {
            slots_[n.slot] = true;
          } else if constexpr (std::is_same_v<T, Unary>) {
            collect(*n.operand);
          } else if constexpr (std::is_same_v<T, Binary>) {
            collect(*n.lhs);
            if (!squares(n)) collect(*n.rhs);
          } else if constexpr (std::is_same_v<T, Conditional>) {
            collect(*n.cond), collect(*n.then_expr), collect(*n.else_expr);
          } else if constexpr (std::is_same_v<T, Call>) {
            for (const ExprPtr& a : n.args) collect(*a);
          }
        },
        e.node);
  }

  // Emits, before the expression, an if/else per conditional it contains (outside the
  // branches of other conditionals, which get their own inside their blocks).
  void hoist(const Expr& whole) {
    const Expr& e = live(whole);
    if (folded_.count(&e)) return;
    if (const auto* c = std::get_if<Conditional>(&e.node)) {
      hoist(*c->cond);
      const int t = ntemps_++;
      line(), put("var t", t), out_ += " float64\n";
      line(), out_ += "if ", fn_name("ejTruth"), out_ += "(", expr(*c->cond), out_ += ") {\n";
      ++depth_;
      hoist(*c->then_expr);
      line(), put("t", t), out_ += " = ", expr(*c->then_expr), out_ += "\n";
      --depth_;
      line(), out_ += "} else {\n";
      ++depth_;
      hoist(*c->else_expr);
      line(), put("t", t), out_ += " = ", expr(*c->else_expr), out_ += "\n";
      --depth_;
      line(), out_ += "}\n";
      temps_[&e] = t;
    } else if (const auto* u = std::get_if<Unary>(&e.node)) {
      hoist(*u->operand);
    } else if (const auto* b = std::get_if<Binary>(&e.node)) {
      hoist(*b->lhs);
      if (!squares(*b)) hoist(*b->rhs);
    } else if (const auto* call = std::get_if<Call>(&e.node)) {
      for (const ExprPtr& a : call->args) hoist(*a);
    }
  }

  // Appends e as a Go primary expression.
  void expr(const Expr& whole) {
    const Expr& e = live(whole);
    if (auto it = folded_.find(&e); it != folded_.end()) return literal(it->second);
    std::visit([&](const auto& n) { node(e, n); }, e.node);
  }

  void literal(double v) { put("k", const_index_.at(bits_of(v))); }
  void node(const Expr&, const Number& n) { literal(n.value); }
  void node(const Expr&, const Constant& c) { literal(c.value); }
  void node(const Expr&, const Name&) { throw std::invalid_argument("generate_go: unresolved name"); }
  void node(const Expr&, const Variable& v) {
    if (style_ == Style::row) put("v[", v.slot), out_ += "]";
    else put("x", v.slot);
  }
  void node(const Expr&, const Unary& u) {
    switch (u.op) {
      case UnOp::Neg: out_ += "(-", expr(*u.operand), out_ += ")"; return;
      case UnOp::Plus: expr(*u.operand); return;
      case UnOp::Not: fn_name("ejNot"), out_ += "(", expr(*u.operand), out_ += ")"; return;
    }
  }
  void node(const Expr&, const Binary& b) {
    if (squares(b)) {
      fn_name("ejSq"), out_ += "(", expr(*b.lhs), out_ += ")";
      return;
    }
    const char* infix = nullptr;  // float64(x op y)
    const char* cmp = nullptr;    // ejB(x op y)
    switch (b.op) {
      case BinOp::Add: infix = " + "; break;
      case BinOp::Sub: infix = " - "; break;
      case BinOp::Mul: infix = " * "; break;
      case BinOp::Div: infix = " / "; break;
      case BinOp::Mod: call2(go_callee(builtin(Fn::FMOD).go), b); return;
      case BinOp::Pow: call2(go_callee(builtin(Fn::POW).go), b); return;
      case BinOp::Lt: cmp = " < "; break;
      case BinOp::Le: cmp = " <= "; break;
      case BinOp::Gt: cmp = " > "; break;
      case BinOp::Ge: cmp = " >= "; break;
      case BinOp::Eq: cmp = " == "; break;
      case BinOp::Ne: cmp = " != "; break;
      case BinOp::And: logic(" && ", b); return;
      case BinOp::Or: logic(" || ", b); return;
    }
    if (infix) out_ += "float64(";
    else fn_name("ejB"), out_ += "(";
    expr(*b.lhs);
    out_ += infix ? infix : cmp;
    expr(*b.rhs);
    out_ += ")";
  }
  void call2(std::string_view fn, const Binary& b) {
    fn_name(fn), out_ += "(", expr(*b.lhs), out_ += ", ", expr(*b.rhs), out_ += ")";
  }
  void logic(const char* op, const Binary& b) {
    fn_name("ejB"), out_ += "(", fn_name("ejTruth"), out_ += "(", expr(*b.lhs), out_ += ")", out_ += op;
    fn_name("ejTruth"), out_ += "(", expr(*b.rhs), out_ += "))";
  }
  void node(const Expr& e, const Conditional&) { put("t", temps_.at(&e)); }
  void node(const Expr&, const Call& c) {
    const std::string_view fn = go_callee(c.fn->go);
    if (c.fn->variadic()) {  // left fold: f(f(a, b), c)
      for (std::size_t i = 1; i < c.args.size(); ++i) fn_name(fn), out_ += "(";
      expr(*c.args[0]);
      for (std::size_t i = 1; i < c.args.size(); ++i) out_ += ", ", expr(*c.args[i]), out_ += ")";
      return;
    }
    fn_name(fn), out_ += "(";
    for (std::size_t i = 0; i < c.args.size(); ++i) {
      if (i) out_ += ", ";
      expr(*c.args[i]);
    }
    out_ += ")";
  }

  // Writes the name of a Go function, noting the helpers (ej...) the file must include.
  void fn_name(std::string_view name) {
    out_ += go_name(name);
    if (name.substr(0, 2) == "ej") helpers_.emplace(name);
  }

  std::string& out_;
  Style style_;
  std::size_t nslots_;
  std::set<std::string>& helpers_;
  int depth_ = 1;
  std::vector<std::uint64_t> consts_;
  std::unordered_map<std::uint64_t, std::size_t> const_index_;
  std::map<std::uint32_t, bool> slots_;  // ordered: deterministic declarations
  std::unordered_map<const Expr*, int> temps_;
  std::unordered_map<const Expr*, bool> var_free_;
  std::unordered_map<const Expr*, double> folded_;
  int ntemps_ = 0;
};

}  // namespace

std::string plugin_manifest(std::size_t nexprs, std::size_t nslots) {
  std::string s = "exprjit-gojit abi=";
  s += std::to_string(kAbiVersion);
  s += " exprs=";
  s += std::to_string(nexprs);
  s += " slots=";
  s += std::to_string(nslots);
  return s;
}

std::string generate_go(std::span<const Expr* const> exprs, std::size_t nslots) {
  std::string out =
      "// Code generated by exprjit's Go JIT backend; DO NOT EDIT.\n"
      "// Every name here comes from exprjit: variables are slots of v (one row) or columns of\n"
      "// cols (batch), literals are re-printed from their IEEE-754 bits, functions come from\n"
      "// builtins.def.  float64(...) around each operation forbids fused multiply-adds.\n"
      "\n"
      "package main\n"
      "\n"
      "import (\n"
      "\t\"math\"\n"
      "@BITS@"
      "\t\"unsafe\"\n"
      ")\n"
      "\n"
      "// EjManifest is checked by the loader before it looks up any function.\n"
      "var EjManifest = \"" +
      plugin_manifest(exprs.size(), nslots) +
      "\"\n"
      "\n"
      "var _ = math.Float64frombits // the import stays used when nothing else needs it\n";
  std::set<std::string> helpers;
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    FuncWriter(out, Style::row, nslots, helpers).write(*exprs[k], k);
    FuncWriter(out, Style::batch, nslots, helpers).write(*exprs[k], k);
  }
  const std::string tail = go_helpers_for(helpers);
  // math/bits only when a copied helper uses it (Payne-Hanek reduction).
  const std::size_t at = out.find("@BITS@");
  out.replace(at, 6, tail.find("bits.") != std::string::npos ? "\t\"math/bits\"\n" : "");
  out += tail;
  return out;
}

}  // namespace exprjit::gojit
