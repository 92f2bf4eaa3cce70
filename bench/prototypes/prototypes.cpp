// prototypes.cpp — the design prototypes' engines (prototypes.hpp).
#include "bench/prototypes/prototypes.hpp"

#include "backends/vm/vm.hpp"
#include "bench/prototypes/stack_vm.hpp"
#include "bench/translate/translate.hpp"
#include "frontend/ir/fold.hpp"

namespace exprjit::bench {
namespace {

// The checked tree of a job, folded as every backend gets it (or not, for vm-nofold).
ir::Unit unit_of(const Job& job, bool fold) {
  ir::ExprPtr e = check_text(job.text, job.corpus.names);
  if (fold) ir::fold(e);
  ir::Unit u;
  u.exprs.push_back(std::move(e));
  u.nslots = job.corpus.names.size();
  u.slot_names = job.corpus.names;
  u.collect_callees();
  return u;
}

class CompiledEvaluator final : public Evaluator {
 public:
  CompiledEvaluator(std::unique_ptr<Compiled> c, const double* const* cols) : c_(std::move(c)), cols_(cols) {}
  double run(double* v, std::size_t count) override {
    return run_loop([&](double* x) { return c_->eval(x); }, v, count);
  }
  void run_batch(std::size_t n, double* out) override { c_->eval_batch(cols_, n, out); }

 private:
  std::unique_ptr<Compiled> c_;
  const double* const* cols_;
};

// The VM's batch loop with another block size (docs/design.md, "Batch evaluation").
class BlockEvaluator final : public Evaluator {
 public:
  BlockEvaluator(const Job& job, std::size_t block) : unit_(unit_of(job, true)), block_(block), cols_(job.cols) {
    vm::Options o;
    o.batch = true;
    module_ = vm::compile_module(unit_, o);
    prog_ = vm::compile_program(*unit_.exprs[0], unit_, *module_, o);
  }
  double run(double*, std::size_t) override { throw std::logic_error("batch-only engine"); }
  void run_batch(std::size_t n, double* out) override { vm::run_batch(prog_, cols_, n, out, block_); }

 private:
  ir::Unit unit_;
  std::shared_ptr<const vm::Module> module_;
  vm::Program prog_;
  std::size_t block_;
  const double* const* cols_;
};

class StackEvaluator final : public Evaluator {
 public:
  StackEvaluator(const Job& job, bool immediates) : p_(*unit_of(job, true).exprs[0], immediates) {}
  double run(double* v, std::size_t count) override {
    return run_loop([&](double* x) { return p_.eval(x); }, v, count);
  }
  void run_batch(std::size_t, double*) override { throw std::logic_error("single-only engine"); }

 private:
  StackProgram p_;
};

Engine vm_variant(const char* name, const char* description, vm::Options o, vm::Dispatch d, bool fold = true) {
  return {name, description, Engine::design, true, false, "", [o, d, fold](const Job& job) -> Prepared {
            auto code = vm::compile(unit_of(job, fold), o, d);
            return {std::make_unique<CompiledEvaluator>(std::move(code.at(0)), job.cols), ""};
          }};
}

Engine stack(const char* name, const char* description, bool immediates) {
  return {name, description, Engine::design, true, false, "", [immediates](const Job& job) -> Prepared {
            return {std::make_unique<StackEvaluator>(job, immediates), ""};
          }};
}

Engine block(std::size_t rows) {
  return {"vm-block" + std::to_string(rows), "vm batch with " + std::to_string(rows) + "-row blocks (batch only)",
          Engine::design, false, true, "", [rows](const Job& job) -> Prepared {
            return {std::make_unique<BlockEvaluator>(job, rows), ""};
          }};
}

}  // namespace

std::vector<Engine> prototype_engines() {
  std::vector<Engine> out;
  const vm::Dispatch d = vm::default_dispatch();
  out.push_back(vm_variant("vm-switch", "vm with the portable switch dispatch loop", {}, vm::Dispatch::switch_loop));
  out.push_back(vm_variant("vm-nofuse", "vm without superinstructions", {.fuse = false}, d));
  out.push_back(vm_variant("vm-noshapes", "vm without K/V operand shapes (LOADK/LOADV first)", {.shapes = false}, d));
  out.push_back(vm_variant("vm-bare", "vm without shapes, superinstructions or folding", {.shapes = false, .fuse = false},
                           d, false));
  out.push_back(vm_variant("vm-nofold", "vm without constant folding", {}, d, false));
  out.push_back(stack("stack", "stack-machine prototype: PUSHK/PUSHV and plain operations", false));
  out.push_back(stack("stack-imm", "stack-machine prototype with constant/variable right operands", true));
  for (std::size_t rows : {16, 32, 128, 256, 1024}) out.push_back(block(rows));
  return out;
}

}  // namespace exprjit::bench
