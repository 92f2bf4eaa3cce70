// vm_backend.cpp — the vm entry of backends.def: Compiled objects holding the programs.
#include <algorithm>
#include <stdexcept>

#include "backends/vm/disasm.hpp"
#include "backends/vm/run.hpp"
#include "backends/vm/vm.hpp"

namespace exprjit {
namespace vm {
namespace {

template <Dispatch D>
class VmCompiled final : public Compiled {
 public:
  VmCompiled(std::size_t nslots, Program single, Program batch)
      : Compiled(nslots), single_(std::move(single)), batch_(std::move(batch)) {}

  double eval_one(const double* vars) const override {
#if EXPRJIT_VM_COMPUTED_GOTO
    if constexpr (D == Dispatch::computed_goto) return run_goto(single_, vars);
#endif
    return run_switch(single_, vars);
  }

  void eval_batch(const double* const* cols, std::size_t n, double* out) const override {
    run_batch(batch_.code.empty() ? single_ : batch_, cols, n, out);
  }

 private:
  Program single_;
  Program batch_;  // empty when the same as single_ (no conditional)
};

// A program that is one RET_K or RET_V (the expression folded to a constant, or is a lone
// variable) skips the dispatch loop: the benchmark measured the loop's entry and exit as
// slower than the tree backend's visit for these two (docs/design.md).
class VmConstant final : public Compiled {
 public:
  VmConstant(std::size_t nslots, double k) : Compiled(nslots), k_(k) {}
  double eval_one(const double*) const override { return k_; }
  void eval_batch(const double* const*, std::size_t n, double* out) const override { std::fill_n(out, n, k_); }

 private:
  double k_;
};

class VmVariable final : public Compiled {
 public:
  VmVariable(std::size_t nslots, std::uint32_t slot) : Compiled(nslots), slot_(slot) {}
  double eval_one(const double* vars) const override { return vars[slot_]; }
  void eval_batch(const double* const* cols, std::size_t n, double* out) const override {
    std::copy_n(cols[slot_], n, out);
  }

 private:
  std::uint32_t slot_;
};

void collect_names(const Expr& e, std::vector<std::string>& names) {
  if (auto* v = std::get_if<Variable>(&e.node)) {
    if (v->slot < names.size()) names[v->slot] = v->name;
  } else if (auto* u = std::get_if<Unary>(&e.node)) {
    collect_names(*u->operand, names);
  } else if (auto* b = std::get_if<Binary>(&e.node)) {
    collect_names(*b->lhs, names);
    collect_names(*b->rhs, names);
  } else if (auto* c = std::get_if<Conditional>(&e.node)) {
    collect_names(*c->cond, names);
    collect_names(*c->then_expr, names);
    collect_names(*c->else_expr, names);
  } else if (auto* call = std::get_if<Call>(&e.node)) {
    for (const ExprPtr& a : call->args) collect_names(*a, names);
  }
}

class VmBackend final : public Backend {
 public:
  std::string_view name() const override { return "vm"; }
  std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots) override {
    return vm::compile(checked, nslots);
  }
  std::string emit(const Expr& checked, std::size_t nslots) override { return listing(checked, nslots); }
};

// The single-evaluation program, and the batch program when it differs (a conditional).
struct Programs {
  Program single, batch;
};
Programs compile_programs(const Expr& checked, const Options& options) {
  Options o = options;
  o.batch = false;
  Programs p{compile_program(checked, o), {}};
  if (has_conditional(checked)) {
    o.batch = true;
    p.batch = compile_program(checked, o);
  }
  return p;
}

void require_dispatch(Dispatch dispatch) {
  if (dispatch == Dispatch::computed_goto && !have_computed_goto())
    throw std::invalid_argument("vm: this build has no computed-goto dispatch (meson option vm_dispatch)");
}

}  // namespace

bool have_computed_goto() { return EXPRJIT_VM_COMPUTED_GOTO != 0; }

Dispatch default_dispatch() { return have_computed_goto() ? Dispatch::computed_goto : Dispatch::switch_loop; }

double run(const Program& p, const double* vars, Dispatch dispatch) {
  require_dispatch(dispatch);
#if EXPRJIT_VM_COMPUTED_GOTO
  if (dispatch == Dispatch::computed_goto) return run_goto(p, vars);
#endif
  return run_switch(p, vars);
}

std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots, const Options& options,
                                  Dispatch dispatch) {
  require_dispatch(dispatch);
  Programs p = compile_programs(checked, options);
  const std::vector<Ins>& code = p.single.code;
  if (code.size() == 1 && code[0].op == Op::RET_K) return std::make_unique<VmConstant>(nslots, p.single.consts[code[0].a]);
  if (code.size() == 1 && code[0].op == Op::RET_V) return std::make_unique<VmVariable>(nslots, code[0].a);
  if (dispatch == Dispatch::computed_goto)
    return std::make_unique<VmCompiled<Dispatch::computed_goto>>(nslots, std::move(p.single), std::move(p.batch));
  return std::make_unique<VmCompiled<Dispatch::switch_loop>>(nslots, std::move(p.single), std::move(p.batch));
}

std::vector<std::string> slot_names(const Expr& checked, std::size_t nslots) {
  std::vector<std::string> names(nslots);
  collect_names(checked, names);
  return names;
}

std::string listing(const Expr& checked, std::size_t nslots, const Options& options) {
  const std::vector<std::string> names = slot_names(checked, nslots);
  const Programs p = compile_programs(checked, options);
  return disassemble(p.single, names) + (p.batch.code.empty() ? "" : disassemble(p.batch, names));
}

}  // namespace vm

std::unique_ptr<Backend> make_vm_backend(const BackendOptions&) { return std::make_unique<vm::VmBackend>(); }

}  // namespace exprjit
