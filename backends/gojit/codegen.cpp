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
#include <set>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "backends/gojit/go_helpers.hpp"
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

// Writes the body of one function (E or B) for one expression.
class FuncWriter {
 public:
  FuncWriter(std::string& out, Style style, std::size_t nslots, std::set<std::string>& helpers)
      : out_(out), style_(style), nslots_(nslots), helpers_(helpers) {}

  void write(const Expr& e, std::size_t index) {
    collect(e);
    char head[256];
    if (style_ == Style::row) {
      std::snprintf(head, sizeof head,
                    "\n// E%zu evaluates expression %zu for one row: v[slot] holds each variable.\n"
                    "func E%zu(v []float64) float64 {\n",
                    index, index, index);
    } else {
      std::snprintf(head, sizeof head,
                    "\n// B%zu evaluates expression %zu for len(out) rows: cols[slot][row].\n"
                    "func B%zu(cols [][]float64, out []float64) {\n",
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
      if (!slots_.empty()) {  // one bounds check instead of one per access
        line();
        put("_ = v[", slots_.rbegin()->first), out_ += "]\n";
      }
      hoist(e);
      line();
      out_ += "return ";
      expr(e);
      out_ += "\n}\n";
      return;
    }
    for (const auto& [slot, used] : slots_) {
      line();
      put("c", slot), put(" := cols[", slot), out_ += "][:len(out)]\n";
    }
    line();
    out_ += "for i := range out {\n";
    depth_ = 2;
    hoist(e);
    line();
    out_ += "out[i] = ";
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
  void collect(const Expr& e) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, Number> || std::is_same_v<T, Constant>) {
            std::uint64_t b = bits_of(n.value);
            if (const_index_.emplace(b, consts_.size()).second) consts_.push_back(b);
          } else if constexpr (std::is_same_v<T, Variable>) {
            if (n.slot >= nslots_) throw std::invalid_argument("generate_go: variable slot out of range");
            slots_[n.slot] = true;
          } else if constexpr (std::is_same_v<T, Name>) {
            throw std::invalid_argument("generate_go: the expression is not checked (unresolved name)");
          } else if constexpr (std::is_same_v<T, Unary>) {
            collect(*n.operand);
          } else if constexpr (std::is_same_v<T, Binary>) {
            collect(*n.lhs), collect(*n.rhs);
          } else if constexpr (std::is_same_v<T, Conditional>) {
            collect(*n.cond), collect(*n.then_expr), collect(*n.else_expr);
          } else if constexpr (std::is_same_v<T, Call>) {
            if (!n.fn || !n.fn->accepts(n.args.size()))
              throw std::invalid_argument("generate_go: the expression is not checked (unresolved call)");
            for (const ExprPtr& a : n.args) collect(*a);
          }
        },
        e.node);
  }

  // Emits, before the expression, an if/else per conditional it contains (outside the
  // branches of other conditionals, which get their own inside their blocks).
  void hoist(const Expr& e) {
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
      hoist(*b->lhs), hoist(*b->rhs);
    } else if (const auto* call = std::get_if<Call>(&e.node)) {
      for (const ExprPtr& a : call->args) hoist(*a);
    }
  }

  // Appends e as a Go primary expression.
  void expr(const Expr& e) {
    std::visit([&](const auto& n) { node(e, n); }, e.node);
  }

  void literal(double v) { put("k", const_index_.at(bits_of(v))); }
  void node(const Expr&, const Number& n) { literal(n.value); }
  void node(const Expr&, const Constant& c) { literal(c.value); }
  void node(const Expr&, const Name&) { throw std::invalid_argument("generate_go: unresolved name"); }
  void node(const Expr&, const Variable& v) {
    if (style_ == Style::row) put("v[", v.slot), out_ += "]";
    else put("c", v.slot), out_ += "[i]";
  }
  void node(const Expr&, const Unary& u) {
    switch (u.op) {
      case UnOp::Neg: out_ += "(-", expr(*u.operand), out_ += ")"; return;
      case UnOp::Plus: expr(*u.operand); return;
      case UnOp::Not: fn_name("ejNot"), out_ += "(", expr(*u.operand), out_ += ")"; return;
    }
  }
  void node(const Expr&, const Binary& b) {
    const char* infix = nullptr;  // float64(x op y)
    const char* cmp = nullptr;    // ejB(x op y)
    switch (b.op) {
      case BinOp::Add: infix = " + "; break;
      case BinOp::Sub: infix = " - "; break;
      case BinOp::Mul: infix = " * "; break;
      case BinOp::Div: infix = " / "; break;
      case BinOp::Mod: call2(builtin(Fn::FMOD).go, b); return;
      case BinOp::Pow: call2(builtin(Fn::POW).go, b); return;
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
    const std::string_view fn = c.fn->go;
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
      "// Every name here comes from exprjit: variables are slots of v (one row) or of cols\n"
      "// (batch), literals are re-printed from their IEEE-754 bits, functions come from\n"
      "// builtins.def.  float64(...) around each operation forbids fused multiply-adds.\n"
      "\n"
      "package main\n"
      "\n"
      "import \"math\"\n"
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
  out += go_helpers_for(helpers);
  return out;
}

}  // namespace exprjit::gojit
