// session.cpp — see session.hpp.
#include "driver/session.hpp"

#include <stdexcept>

#include "driver/front.hpp"
#include "frontend/ir/fold.hpp"

namespace exprjit::driver {

Session::Session(Settings settings) : settings_(std::move(settings)), engines_(settings_.backend_options) {}

std::vector<Session::Statement> Session::check_line(std::vector<syntax::Statement>& stmts, std::string_view text) {
  const std::size_t scope_mark = scope_.mark(), fn_mark = functions_.mark();
  std::vector<Statement> out;
  try {
    Phase phase(*settings_.backend_options.log, "check");
    for (syntax::Statement& s : stmts) {
      Statement c{s.kind, nullptr, 0, nullptr};
      switch (s.kind) {
        case syntax::Statement::Kind::evaluate:
        case syntax::Statement::Kind::assign: {
          if (s.kind == syntax::Statement::Kind::assign) check_assignable(s.name, s.name_span.begin, names());
          ir::ExprPtr e = check(*s.expr, names());
          if (settings_.fold) ir::fold(e);
          c.expr = std::move(e);
          if (s.kind == syntax::Statement::Kind::assign) c.slot = scope_.define(s.name);  // after its value: x = x+1
          break;
        }
        case syntax::Statement::Kind::define:
          c.fn = check_definition(s, names(), text, settings_.fold);
          functions_.define(s.name, c.fn);
          break;
      }
      out.push_back(std::move(c));
    }
  } catch (...) {
    scope_.rollback(scope_mark);
    functions_.rollback(fn_mark);
    throw;
  }
  return out;
}

std::vector<Session::Outcome> Session::run(std::span<const Line> lines) {
  std::vector<Outcome> out(lines.size());
  std::vector<std::vector<Statement>> checked(lines.size());
  const std::size_t scope_mark = scope_.mark(), fn_mark = functions_.mark();
  Log& log = *settings_.backend_options.log;
  // 1. Check each line against what the lines before it defined.
  std::vector<std::shared_ptr<const ir::Expr>> exprs;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    try {
      std::vector<syntax::Statement> stmts;
      {
        Phase p(log, "parse");
        stmts = parse_line(lines[i].text, settings_.parser);
      }
      checked[i] = check_line(stmts, lines[i].text);
      for (const Statement& s : checked[i])
        if (s.expr) exprs.push_back(s.expr);
    } catch (const CompileError& e) {
      out[i].ok = false;
      out[i].error = e;
    }
  }
  // 2. Compile the chunk's expressions together.
  std::vector<std::unique_ptr<Compiled>> code;
  if (!exprs.empty()) {
    try {
      code = compile(engines_.get(*settings_.backend), make_unit(exprs, scope_), log);
    } catch (const std::exception& e) {
      // Nothing of the chunk runs, so nothing of it is defined either.
      scope_.rollback(scope_mark);
      functions_.rollback(fn_mark);
      const CompileError* ce = dynamic_cast<const CompileError*>(&e);
      for (Outcome& o : out)
        if (o.ok) o.ok = false, o.message = ce ? ce->message() : e.what();
      return out;
    }
  }
  // 3. Evaluate in order.  code[first[i]] is line i's first expression.
  std::vector<std::size_t> first(lines.size() + 1, 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    first[i + 1] = first[i];
    for (const Statement& s : checked[i]) first[i + 1] += s.expr != nullptr;
  }
  values_.resize(scope_.size(), 0.0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!out[i].ok) continue;
    std::vector<std::pair<std::uint32_t, double>> undo;  // a line that throws assigns nothing
    std::size_t next = first[i];
    try {
      for (const Statement& s : checked[i]) {
        if (s.fn) {
          out[i].has_value = false;
          out[i].defined = s.fn->text.substr(0, s.fn->text.find('='));
          while (!out[i].defined.empty() && out[i].defined.back() == ' ') out[i].defined.pop_back();
          continue;
        }
        const double v = code[next++]->eval(values_.data());
        out[i].has_value = true, out[i].value = v, out[i].defined.clear();
        if (s.kind == syntax::Statement::Kind::assign) undo.emplace_back(s.slot, values_[s.slot]), values_[s.slot] = v;
      }
    } catch (const std::exception& e) {  // a host function threw
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) values_[it->first] = it->second;
      out[i] = Outcome{false, false, 0, {}, std::nullopt, e.what()};
    }
  }
  return out;
}

Session::Outcome Session::emit(const StageInfo& stage, const Line& line, std::string& out) {
  Outcome o;
  try {
    if (stage.id == Stage::tokens) {
      out += print_tokens(line.text);
      return o;
    }
    std::vector<syntax::Statement> stmts = parse_line(line.text, settings_.parser);
    if (stage.id == Stage::ast) {
      out += syntax::to_tree(stmts);
      return o;
    }
    const std::vector<Statement> checked = check_line(stmts, line.text);
    std::vector<std::shared_ptr<const ir::Expr>> exprs;
    std::vector<ir::FunctionRef> defined;
    for (const Statement& s : checked) {
      if (s.expr) exprs.push_back(s.expr);
      if (s.fn) defined.push_back(s.fn);
    }
    ir::Unit unit = make_unit(exprs, scope_, defined);
    if (stage.front()) {
      std::vector<const ir::Expr*> raw;
      for (const auto& e : exprs) raw.push_back(e.get());
      out += print_checked(raw, unit.functions, scope_.names());
    } else {
      std::string listing = engines_.get(stage.backend).listing(unit);
      if (!listing.empty() && listing.back() != '\n') listing += '\n';
      out += listing;
    }
    values_.resize(scope_.size(), 0.0);
  } catch (const CompileError& e) {
    o.ok = false;
    o.error = e;
  } catch (const std::exception& e) {
    o.ok = false;
    o.message = e.what();
  }
  return o;
}

void Session::set(std::string_view name, double value) {
  const std::uint32_t slot = scope_.define(name);
  values_.resize(scope_.size(), 0.0);
  values_[slot] = value;
}

std::vector<std::pair<std::string, double>> Session::variables() const {
  std::vector<std::pair<std::string, double>> out;
  for (std::size_t i = 0; i < scope_.size(); ++i) out.emplace_back(scope_.names()[i], i < values_.size() ? values_[i] : 0);
  return out;
}

std::vector<ir::FunctionRef> Session::functions() const {
  std::vector<ir::FunctionRef> out;
  for (const auto& [name, callee] : functions_.list())
    if (const auto* f = std::get_if<ir::FunctionRef>(callee)) out.push_back(*f);
  return out;
}

void Session::reset() {
  scope_.rollback(0);
  functions_.rollback(0);
  values_.clear();
}

}  // namespace exprjit::driver
