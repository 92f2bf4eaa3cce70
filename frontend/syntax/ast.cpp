// ast.cpp — the printers of the parsed tree, its height and its free variables.
#include "frontend/syntax/ast.hpp"

#include <algorithm>
#include <unordered_set>

#include "frontend/base/format.hpp"
#include "frontend/lang/builtins.hpp"

namespace exprjit::syntax {

namespace {

void span_suffix(std::string& out, Span s, bool with_spans) {
  if (with_spans) out.append("@").append(std::to_string(s.begin.offset)).append(":").append(std::to_string(s.end));
}

void sexpr(std::string& out, const Expr& e, bool sp) {
  std::visit(Overload{
                 [&](const Number& n) { out += format_hex(n.value); },
                 [&](const Name& n) { out += n.name; },
                 [&](const Unary& u) {
                   out.append("(").append(unop_symbol(u.op)).append(" ");
                   sexpr(out, *u.operand, sp);
                   out += ")";
                 },
                 [&](const Power& p) {
                   out += "(^ ";
                   sexpr(out, *p.base, sp);
                   out += " ";
                   sexpr(out, *p.exponent, sp);
                   out += ")";
                 },
                 [&](const Chain& c) {
                   // As the left-nested operations it stands for: the opening parts first
                   // (last operation outermost), then each operand closes one.
                   for (std::size_t i = c.rest.size(); i-- > 0;) out.append("(").append(binop_symbol(c.rest[i].op)).append(" ");
                   sexpr(out, *c.first, sp);
                   for (std::size_t i = 0; i < c.rest.size(); ++i) {
                     out += " ";
                     sexpr(out, *c.rest[i].rhs, sp);
                     out += ")";
                     if (i + 1 < c.rest.size()) span_suffix(out, Span{c.first->span.begin, c.rest[i].rhs->span.end}, sp);
                   }
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

void tree(std::string& out, const Expr& e, int indent, std::string_view prefix = {}) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ').append(prefix);
  const std::string at = " @" + std::to_string(e.span.begin.line) + ":" + std::to_string(e.span.begin.col);
  std::visit(Overload{
                 [&](const Number& n) { out += "Number " + format_value(n.value) + at + "\n"; },
                 [&](const Name& n) { out += "Name " + n.name + at + "\n"; },
                 [&](const Unary& u) {
                   out.append("Unary ").append(unop_symbol(u.op)).append(at).append("\n");
                   tree(out, *u.operand, indent + 1);
                 },
                 [&](const Power& p) {
                   out += "Power ^" + at + "\n";
                   tree(out, *p.base, indent + 1);
                   tree(out, *p.exponent, indent + 1);
                 },
                 [&](const Chain& c) {
                   out += "Chain" + at + "\n";
                   tree(out, *c.first, indent + 1);
                   for (const Link& l : c.rest) tree(out, *l.rhs, indent + 1, std::string(binop_symbol(l.op)) + " ");
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

std::string to_sexpr(const Expr& e, bool with_spans) {
  std::string out;
  sexpr(out, e, with_spans);
  return out;
}

std::string to_sexpr(const std::vector<Statement>& stmts, bool with_spans) {
  std::string out;
  for (const Statement& s : stmts) {
    if (!out.empty()) out += "; ";
    switch (s.kind) {
      case Statement::Kind::evaluate: sexpr(out, *s.expr, with_spans); continue;
      case Statement::Kind::assign: out += "(= " + s.name; break;
      case Statement::Kind::define:
        out += "(define (" + s.name;
        span_suffix(out, s.name_span, with_spans);
        for (const auto& [p, span] : s.params) {
          out += " " + p;
          span_suffix(out, span, with_spans);
        }
        out += ")";
        break;
    }
    if (s.kind == Statement::Kind::assign) span_suffix(out, s.name_span, with_spans);
    out += " ";
    sexpr(out, *s.expr, with_spans);
    out += ")";
  }
  return out;
}

std::string to_tree(const Expr& e) {
  std::string out;
  tree(out, e, 0);
  return out;
}

std::string to_tree(const std::vector<Statement>& stmts) {
  std::string out;
  for (const Statement& s : stmts) {
    if (s.kind == Statement::Kind::assign) out += "Assign " + s.name + "\n";
    if (s.kind == Statement::Kind::define) {
      out += "Define " + s.name + "(";
      for (std::size_t i = 0; i < s.params.size(); ++i) out += (i ? ", " : "") + s.params[i].first;
      out += ")\n";
    }
    tree(out, *s.expr, s.kind == Statement::Kind::evaluate ? 0 : 1);
  }
  return out;
}

std::size_t height(const Expr& e) {
  std::size_t h = 0;
  for_each_child(e, [&](const Expr& c) { h = std::max(h, height(c)); });
  return h + 1;
}

std::vector<std::string> free_variables(const Expr& root, const std::vector<std::string>& bound) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen(bound.begin(), bound.end());
  auto walk = [&](auto& self, const Expr& e) -> void {
    if (const auto* n = std::get_if<Name>(&e.node)) {
      if (!find_constant(n->name) && seen.insert(n->name).second) out.push_back(n->name);
      return;
    }
    for_each_child(e, [&](const Expr& c) { self(self, c); });
  };
  walk(walk, root);
  return out;
}

}  // namespace exprjit::syntax
