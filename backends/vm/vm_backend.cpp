// vm_backend.cpp — the vm entry of backends.def: Compiled objects holding the programs.
#include <algorithm>
#include <stdexcept>

#include "backends/vm/isa/disasm.hpp"
#include "backends/vm/vm.hpp"

namespace exprjit {
namespace vm {
namespace {

// The single-evaluation program, and the batch program when it differs (a conditional).
struct Programs {
  Program single, batch;
};

Programs compile_programs(const ir::Expr& e, const ir::Unit& unit, const Module& m, const Options& options) {
  Options o = options;
  o.batch = false;
  Programs p{compile_program(e, unit, m, o), {}};
  if (ir::has_conditional(e)) {
    o.batch = true;
    p.batch = compile_program(e, unit, m, o);
  }
  return p;
}

void batch(const double* const* cols, std::size_t n, double* out, const void* ctx) {
  run_batch(*static_cast<const Program*>(ctx), cols, n, out);
}

// A program that is one RET_K or RET_V (the expression folded to a constant, or is a lone
// variable) skips the dispatch loop: the benchmark measured the loop's entry and exit as
// slower than the tree backend's visit for these two (docs/design.md).
double konst_row(const double*, const void* k) { return *static_cast<const double*>(k); }
double konst_ptrs(const double* const*, const void* k) { return *static_cast<const double*>(k); }
void konst_batch(const double* const*, std::size_t n, double* out, const void* k) {
  std::fill_n(out, n, *static_cast<const double*>(k));
}
double var_row(const double* vars, const void* slot) { return vars[*static_cast<const std::uint32_t*>(slot)]; }
double var_ptrs(const double* const* p, const void* slot) { return *p[*static_cast<const std::uint32_t*>(slot)]; }
void var_batch(const double* const* cols, std::size_t n, double* out, const void* slot) {
  std::copy_n(cols[*static_cast<const std::uint32_t*>(slot)], n, out);
}

class VmCompiled final : public Compiled {
 public:
  VmCompiled(std::size_t nslots, std::shared_ptr<const Module> m, Programs p, Dispatch d)
      : Compiled(nslots), module_(std::move(m)), p_(std::move(p)) {
    const std::vector<Ins>& code = p_.single.code;
    if (code.size() == 1 && code[0].op == Op::RET_K) {
      k_ = p_.single.consts[code[0].a];
      set_entries({&konst_row, &k_}, {&konst_ptrs, &k_}, {&konst_batch, &k_});
    } else if (code.size() == 1 && code[0].op == Op::RET_V) {
      slot_ = code[0].a;
      set_entries({&var_row, &slot_}, {&var_ptrs, &slot_}, {&var_batch, &slot_});
    } else {
      const bool go = d == Dispatch::computed_goto;
#if EXPRJIT_VM_COMPUTED_GOTO
      const RowFn row = go ? goto_row_entry(p_.single) : switch_row_entry(p_.single);
      const PtrFn ptrs = go ? goto_ptr_entry(p_.single) : switch_ptr_entry(p_.single);
#else
      if (go) throw std::invalid_argument("this build has no computed-goto dispatch (meson -Dvm_dispatch=goto)");
      const RowFn row = switch_row_entry(p_.single);
      const PtrFn ptrs = switch_ptr_entry(p_.single);
#endif
      set_entries({row, &p_.single}, {ptrs, &p_.single}, {&batch, p_.batch.code.empty() ? &p_.single : &p_.batch});
    }
  }

 private:
  std::shared_ptr<const Module> module_;  // the callees, shared by the unit's expressions
  Programs p_;
  double k_ = 0;
  std::uint32_t slot_ = 0;
};

class VmBackend final : public Backend {
 public:
  std::string_view name() const override { return "vm"; }
  std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit) override { return vm::compile(unit); }
  std::string listing(const ir::Unit& unit) override { return vm::listing(unit); }
};

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

std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit, const Options& options, Dispatch dispatch) {
  require_dispatch(dispatch);
  std::shared_ptr<const Module> m = compile_module(unit, options);
  std::vector<std::unique_ptr<Compiled>> out;
  for (const auto& e : unit.exprs)
    out.push_back(std::make_unique<VmCompiled>(unit.nslots, m, compile_programs(*e, unit, *m, options), dispatch));
  return out;
}

std::string listing(const ir::Unit& unit, const Options& options) {
  std::shared_ptr<const Module> m = compile_module(unit, options);
  std::vector<std::vector<std::string>> params;
  std::vector<std::string> texts;
  for (const ir::FunctionRef& f : unit.functions) params.push_back(f->params), texts.push_back(f->text);
  std::string out = disassemble_functions(*m, params, texts);
  for (const auto& e : unit.exprs) {
    const Programs p = compile_programs(*e, unit, *m, options);
    out += disassemble(p.single, unit.slot_names) + (p.batch.code.empty() ? "" : disassemble(p.batch, unit.slot_names));
  }
  return out;
}

}  // namespace vm

std::unique_ptr<Backend> make_vm_backend(const BackendOptions&) { return std::make_unique<vm::VmBackend>(); }

}  // namespace exprjit
