// front.cpp — see front.hpp.
#include "driver/front.hpp"

#include <chrono>

#include "frontend/ir/fold.hpp"
#include "frontend/syntax/lexer.hpp"

namespace exprjit::driver {

namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Phase::Phase(Log& log, std::string_view name) : log_(log), name_(name), start_ns_(now_ns()) {}
Phase::~Phase() { log_.phase(name_, static_cast<double>(now_ns() - start_ns_) * 1e-9); }

ir::ExprPtr front(std::string_view text, const Settings& s, const Names& names, Log& log) {
  Log& l = log;
  if (l.wants_phases()) {  // lexing is part of parsing; timed on its own only when asked
    Phase p(l, "lex");
    (void)tokenize(text);
  }
  syntax::ExprPtr parsed;
  {
    Phase p(l, "parse");
    parsed = parse_expression(text, s.parser);
  }
  ir::ExprPtr e;
  {
    Phase p(l, "check");
    e = check(*parsed, names);
  }
  if (s.fold) {
    Phase p(l, "fold");
    ir::fold(e);
  }
  return e;
}

ir::Unit make_unit(std::vector<std::shared_ptr<const ir::Expr>> exprs, const Scope& scope,
                   const std::vector<ir::FunctionRef>& also) {
  ir::Unit u;
  u.exprs = std::move(exprs);
  u.nslots = scope.size();
  u.slot_names = scope.names();
  u.collect_callees();
  for (const ir::FunctionRef& f : also) {
    bool have = false;
    for (const ir::FunctionRef& g : u.functions) have = have || g == f;
    if (have) continue;
    ir::Unit body;  // its callees first
    body.exprs.push_back(std::shared_ptr<const ir::Expr>(f, f->body.get()));
    body.collect_callees();
    for (const ir::FunctionRef& g : body.functions) {
      bool dup = false;
      for (const ir::FunctionRef& h : u.functions) dup = dup || g == h;
      if (!dup) u.functions.push_back(g);
    }
    for (const ir::HostRef& h : body.hosts) {
      bool dup = false;
      for (const ir::HostRef& k : u.hosts) dup = dup || h == k;
      if (!dup) u.hosts.push_back(h);
    }
    u.functions.push_back(f);
  }
  return u;
}

std::vector<std::unique_ptr<Compiled>> compile(Backend& backend, const ir::Unit& unit, Log& log) {
  Phase p(log, "compile");
  return backend.compile(unit);
}

std::string emit_expression(const StageInfo& stage, std::string_view text, const Settings& s, const Names& names,
                            const Scope& scope, Engines& engines) {
  Log& log = *s.backend_options.log;
  switch (stage.id) {
    case Stage::tokens: return print_tokens(text);
    case Stage::ast: return syntax::to_tree(*parse_expression(text, s.parser));
    default: break;  // the checked tree, or a backend's listing of it
  }
  std::shared_ptr<const ir::Expr> e = front(text, s, names, log);
  ir::Unit unit = make_unit({e}, scope);
  if (stage.front()) return print_checked({e.get()}, unit.functions, scope.names());
  std::string out = engines.get(stage.backend).listing(unit);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace exprjit::driver
