// engines.cpp — the engine table: backends (through backends.def's table and
// BackendOptions), native C++, peers, and the VM's design variants.
#include "bench/engines.hpp"

#include <mutex>

#include "backends/backend.hpp"
#include "backends/vm/run.hpp"
#include "backends/vm/vm.hpp"
#include "bench/native.hpp"
#include "bench/stack_vm.hpp"

namespace exprjit::bench {
namespace {

// The loop every C++-side engine runs: an opaque call (virtual, or through a pointer),
// an add, the swap of corpus.hpp.
class CompiledEvaluator final : public Evaluator {
 public:
  CompiledEvaluator(std::unique_ptr<Compiled> c, const double* const* cols) : c_(std::move(c)), cols_(cols) {}
  double run(double* v, std::size_t count) override {
    double acc = -0.0;  // -0 + x is x, bit for bit (0 + -0 would be +0)
    for (std::size_t i = 0; i < count; ++i) {
      acc += c_->eval(v);
      next_binding(v);
    }
    return acc;
  }
  void run_batch(std::size_t n, double* out) override { c_->eval_batch(cols_, n, out); }

 private:
  std::unique_ptr<Compiled> c_;
  const double* const* cols_;
};

class NativeEvaluator final : public Evaluator {
 public:
  NativeEvaluator(const NativeFunction& f, const double* const* cols) : f_(f), cols_(cols) {}
  double run(double* v, std::size_t count) override {
    double acc = -0.0;  // -0 + x is x, bit for bit (0 + -0 would be +0)
    for (std::size_t i = 0; i < count; ++i) {
      acc += f_.row(v);
      next_binding(v);
    }
    return acc;
  }
  void run_batch(std::size_t n, double* out) override { f_.batch(cols_, n, out); }

 private:
  NativeFunction f_;
  const double* const* cols_;
};

// The VM's batch loop with another block size (docs/design.md, "Batch evaluation").
class BlockEvaluator final : public Evaluator {
 public:
  BlockEvaluator(const Expr& e, std::size_t block, const double* const* cols) : block_(block), cols_(cols) {
    vm::Options o;
    o.batch = true;
    prog_ = vm::compile_program(e, o);
  }
  double run(double*, std::size_t) override { throw std::logic_error("batch-only engine"); }
  void run_batch(std::size_t n, double* out) override { vm::run_batch(prog_, cols_, n, out, block_); }

 private:
  vm::Program prog_;
  std::size_t block_;
  const double* const* cols_;
};

Prepared wrap(std::unique_ptr<Compiled> c, const Job& job) {
  return {std::make_unique<CompiledEvaluator>(std::move(c), job.cols), ""};
}

// A backend from the table, made once (on first use) with these options.
Engine backend(const char* engine, const char* backend_name, const char* description, bool batch,
               BackendOptions options = {}) {
  Engine e{engine, description, Engine::backend, true, batch, "", nullptr};
  if (!find_backend(backend_name)) {
    e.unavailable = std::string("backend '") + backend_name + "' is not in this build's backend table";
    return e;
  }
  struct Lazy {
    std::once_flag once;
    std::unique_ptr<Backend> b;
  };
  auto lazy = std::make_shared<Lazy>();
  const bool direct = options.jit_call == "direct";
  e.prepare = [lazy, backend_name, options, direct](const Job& job) {
    std::call_once(lazy->once, [&] { lazy->b = find_backend(backend_name)->make(options); });
    try {
      return wrap(lazy->b->compile(job.checked, job.corpus.names.size()), job);
    } catch (const std::runtime_error& err) {
      const std::string what = err.what();
      if (direct && what.rfind("--jit-call=direct", 0) == 0) throw NotApplicable(what);
      throw;
    }
  };
  return e;
}

Engine native_engine() {
  Engine e{"native", "C++ of each expression, generated from the corpus at build time (g++ -O2 -ffp-contract=off), called through a pointer",
           Engine::native, true, true, "", nullptr};
  e.prepare = [](const Job& job) -> Prepared {
    const NativeFunction* f = find_native(job.text);
    if (!f) throw NotApplicable("no C++ was generated for this text (the corpus differs from the one built in)");
    if (!f->row) throw NotApplicable("the front end refused the line when the C++ was generated");
    return {std::make_unique<NativeEvaluator>(*f, job.cols), ""};
  };
  return e;
}

Engine vm_variant(const char* name, const char* description, vm::Options o, vm::Dispatch d) {
  return {name, description, Engine::design, true, false, "", [o, d](const Job& job) {
            return wrap(vm::compile(job.checked, job.corpus.names.size(), o, d), job);
          }};
}

Engine stack(const char* name, const char* description, bool immediates) {
  return {name, description, Engine::design, true, false, "", [immediates](const Job& job) {
            return wrap(compile_stack_vm(job.checked, job.corpus.names.size(), immediates), job);
          }};
}

Engine block(std::size_t rows) {
  const std::string name = "vm-block" + std::to_string(rows);
  return {name, "vm batch with " + std::to_string(rows) + "-row blocks (batch only)", Engine::design, false, true, "",
          [rows](const Job& job) -> Prepared {
            return {std::make_unique<BlockEvaluator>(job.checked, rows, job.cols), ""};
          }};
}

std::vector<Engine> make_engines() {
  std::vector<Engine> out;
  out.push_back(native_engine());
  out.push_back(backend("vm", "vm", "bytecode VM as shipped (backends/vm)", true));
  out.push_back(backend("tree", "tree", "tree-walking interpreter (backends/tree)", false));
  BackendOptions direct, cgo;
  direct.jit_call = "direct";
  cgo.jit_call = "cgo";
  out.push_back(backend("jit-direct", "jit", "Go JIT, calls straight into the plugin's code (--jit-call=direct)", true, direct));
  out.push_back(backend("jit-cgo", "jit", "Go JIT, every call through cgo (--jit-call=cgo)", true, cgo));
  out.push_back(muparser_engine());
  out.push_back(luajit_engine());
  // Design variants (--design), measured for docs/design.md.
  const vm::Dispatch d = vm::default_dispatch();
  out.push_back(vm_variant("vm-switch", "vm with the portable switch dispatch loop", {}, vm::Dispatch::switch_loop));
  out.push_back(vm_variant("vm-nofuse", "vm without superinstructions", {.fuse = false}, d));
  out.push_back(vm_variant("vm-noshapes", "vm without K/V operand shapes (LOADK/LOADV first)", {.shapes = false}, d));
  out.push_back(vm_variant("vm-bare", "vm without shapes, superinstructions or folding",
                           {.fold = false, .shapes = false, .fuse = false}, d));
  out.push_back(vm_variant("vm-nofold", "vm without constant folding", {.fold = false}, d));
  out.push_back(stack("stack", "stack-machine prototype: PUSHK/PUSHV and plain operations", false));
  out.push_back(stack("stack-imm", "stack-machine prototype with constant/variable right operands", true));
  for (std::size_t rows : {16, 32, 128, 256, 1024}) out.push_back(block(rows));
  return out;
}

}  // namespace

const std::vector<Engine>& engines() {
  static const std::vector<Engine> table = make_engines();
  return table;
}

const Engine* find_engine(const std::string& name) {
  for (const Engine& e : engines())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace exprjit::bench
