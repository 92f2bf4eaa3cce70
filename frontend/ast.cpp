// ast.cpp — operator names, deep copy, and the two printers of the AST.
#include "ast.hpp"

#include <algorithm>
#include <array>

#include "format.hpp"

namespace exprjit {

namespace {
constexpr std::array kUnSym = {
#define UNOP(id, tok, sym, meaning) std::string_view(sym),
#include "operators.def"
};
constexpr std::array kBinSym = {
#define BINOP(id, tok, sym, exact, meaning) std::string_view(sym),
#include "operators.def"
};

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

void span_suffix(std::string& out, const Span& s, bool with_spans) {
  if (with_spans) out += "@" + std::to_string(s.begin.offset) + ":" + std::to_string(s.end);
}

void sexpr(std::string& out, const Expr& e, bool sp) {
  std::visit(Overload{
                 [&](const Number& n) { out += format_hex(n.value); },
                 [&](const Name& n) { out += n.name; },
                 [&](const Variable& v) { out += v.name + "#" + std::to_string(v.slot); },
                 [&](const Constant& c) { out += c.name; },
                 [&](const Unary& u) {
                   out += "(" + std::string(unop_symbol(u.op)) + " ";
                   sexpr(out, *u.operand, sp);
                   out += ")";
                 },
                 [&](const Binary& b) {
                   out += "(" + std::string(binop_symbol(b.op)) + " ";
                   sexpr(out, *b.lhs, sp);
                   out += " ";
                   sexpr(out, *b.rhs, sp);
                   out += ")";
                 },
                 [&](const Conditional& c) {
                   out += "(? ";
                   sexpr(out, *c.cond, sp);
                   out += " ";
                   sexpr(out, *c.then_expr, sp);
                   out += " ";
                   sexpr(out, *c.else_expr, sp);
                   out += ")";
                 },
                 [&](const Call& c) {
                   out += "(call " + c.name;
                   span_suffix(out, c.name_span, sp);
                   for (const ExprPtr& a : c.args) {
                     out += " ";
                     sexpr(out, *a, sp);
                   }
                   out += ")";
                 },
             },
             e.node);
  span_suffix(out, e.span, sp);
}

void tree(std::string& out, const Expr& e, int indent) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
  std::string at = " @" + std::to_string(e.span.begin.line) + ":" + std::to_string(e.span.begin.col);
  std::visit(Overload{
                 [&](const Number& n) { out += "Number " + format_value(n.value) + at + "\n"; },
                 [&](const Name& n) { out += "Name " + n.name + at + "\n"; },
                 [&](const Variable& v) {
                   out += "Variable " + v.name + " slot " + std::to_string(v.slot) + at + "\n";
                 },
                 [&](const Constant& c) {
                   out += "Constant " + c.name + " = " + format_value(c.value) + at + "\n";
                 },
                 [&](const Unary& u) {
                   out += "Unary " + std::string(unop_symbol(u.op)) + at + "\n";
                   tree(out, *u.operand, indent + 1);
                 },
                 [&](const Binary& b) {
                   out += "Binary " + std::string(binop_symbol(b.op)) + at + "\n";
                   tree(out, *b.lhs, indent + 1);
                   tree(out, *b.rhs, indent + 1);
                 },
                 [&](const Conditional& c) {
                   out += "Conditional" + at + "\n";
                   tree(out, *c.cond, indent + 1);
                   tree(out, *c.then_expr, indent + 1);
                   tree(out, *c.else_expr, indent + 1);
                 },
                 [&](const Call& c) {
                   out += "Call " + c.name + at + "\n";
                   for (const ExprPtr& a : c.args) tree(out, *a, indent + 1);
                 },
             },
             e.node);
}
}  // namespace

std::string_view unop_symbol(UnOp op) { return kUnSym[static_cast<std::size_t>(op)]; }
std::string_view binop_symbol(BinOp op) { return kBinSym[static_cast<std::size_t>(op)]; }

ExprPtr clone(const Expr& e) {
  return std::visit(
      Overload{
          [&](const Unary& u) { return make_expr(e.span, Unary{u.op, clone(*u.operand)}); },
          [&](const Binary& b) { return make_expr(e.span, Binary{b.op, clone(*b.lhs), clone(*b.rhs)}); },
          [&](const Conditional& c) {
            return make_expr(e.span, Conditional{clone(*c.cond), clone(*c.then_expr), clone(*c.else_expr)});
          },
          [&](const Call& c) {
            Call copy{c.name, c.name_span, {}, c.fn};
            for (const ExprPtr& a : c.args) copy.args.push_back(clone(*a));
            return make_expr(e.span, std::move(copy));
          },
          [&](const auto& leaf) { return make_expr(e.span, leaf); },
      },
      e.node);
}

std::string to_sexpr(const Expr& e, bool with_spans) {
  std::string out;
  sexpr(out, e, with_spans);
  return out;
}

std::string to_sexpr(const std::vector<Statement>& stmts, bool with_spans) {
  std::string out;
  for (const Statement& s : stmts) {
    if (!out.empty()) out += "; ";
    if (s.target) {
      out += "(= " + *s.target;
      span_suffix(out, s.target_span, with_spans);
      out += " ";
      sexpr(out, *s.expr, with_spans);
      out += ")";
    } else {
      sexpr(out, *s.expr, with_spans);
    }
  }
  return out;
}

std::string to_tree(const Expr& e) {
  std::string out;
  tree(out, e, 0);
  return out;
}

std::size_t height(const Expr& e) {
  return 1 + std::visit(Overload{
                            [](const Unary& u) { return height(*u.operand); },
                            [](const Binary& b) { return std::max(height(*b.lhs), height(*b.rhs)); },
                            [](const Conditional& c) {
                              return std::max({height(*c.cond), height(*c.then_expr), height(*c.else_expr)});
                            },
                            [](const Call& c) {
                              std::size_t h = 0;
                              for (const ExprPtr& a : c.args) h = std::max(h, height(*a));
                              return h;
                            },
                            [](const auto&) { return std::size_t{0}; },
                        },
                        e.node);
}

}  // namespace exprjit
