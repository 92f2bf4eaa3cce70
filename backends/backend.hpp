// backend.hpp — the interface every backend implements, and the backend table.
//
// A backend compiles a unit of checked expressions (frontend/ir/ir.hpp) once into Compiled
// objects, which are then evaluated many times.  Compiled code is a set of plain entry
// points — a C function and the context it reads — so that a caller reaches the code in one
// indirect call, whatever the backend:
//   value mode     vars[slot] holds each variable           (eval(values), sessions)
//   pointer mode   *ptrs[slot] is each variable             (operator() on bound variables)
//   batch          cols[slot][row], n rows into out[row]    (eval_batch, --csv)
// Compiled objects are immutable after construction, so one may be evaluated from many
// threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ir/ir.hpp"

namespace exprjit {

using RowFn = double (*)(const double* vars, const void* ctx);
using PtrFn = double (*)(const double* const* ptrs, const void* ctx);
using BatchFn = void (*)(const double* const* cols, std::size_t n, double* out, const void* ctx);

struct RowEntry {
  RowFn fn;
  const void* ctx;
};
struct PtrEntry {
  PtrFn fn;
  const void* ctx;
};
struct BatchEntry {
  BatchFn fn;
  const void* ctx;
};

class Compiled {
 public:
  virtual ~Compiled() = default;
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;

  double eval(const double* vars) const { return row_.fn(vars, row_.ctx); }
  double eval_ptrs(const double* const* ptrs) const { return ptr_.fn(ptrs, ptr_.ctx); }
  // Bit-identical to eval() on each row.  n == 0 is allowed (nothing is read or written).
  void eval_batch(const double* const* cols, std::size_t n, double* out) const { batch_.fn(cols, n, out, batch_.ctx); }

  // A tiered Compiled (the auto backend) switches to faster code while in use: it calls f
  // with its new pointer entry, from its builder's thread, so that a caller holding the
  // entry (Expression::operator()) can follow.  Its own entries follow by themselves.  f is
  // never called once the Compiled's destructor has begun.  The default: never switches.
  virtual void on_switch(std::function<void(PtrEntry)> f) const { (void)f; }
  // What the code is now ("vm; the jit builds in the background"), for how().
  virtual std::string how_now() const { return how_; }

  const RowEntry& row_entry() const { return row_; }
  const PtrEntry& ptr_entry() const { return ptr_; }
  const BatchEntry& batch_entry() const { return batch_; }
  std::size_t nslots() const { return nslots_; }
  // How the code runs, for --verbose and :compare ("direct call", "vm: the jit could not ...").
  const std::string& how() const { return how_; }

 protected:
  Compiled(std::size_t nslots, RowEntry row, PtrEntry ptr, BatchEntry batch, std::string how = {})
      : row_(row), ptr_(ptr), batch_(batch), nslots_(nslots), how_(std::move(how)) {}
  explicit Compiled(std::size_t nslots) : nslots_(nslots) {}
  void set_entries(RowEntry row, PtrEntry ptr, BatchEntry batch) { row_ = row, ptr_ = ptr, batch_ = batch; }
  void set_how(std::string how) { how_ = std::move(how); }

 private:
  RowEntry row_{};
  PtrEntry ptr_{};
  BatchEntry batch_{};
  std::size_t nslots_;
  std::string how_;
};

// The one sink for what compiling tells the user (the driver implements it): details
// (--verbose), a note when slow work starts (a jit build, on a terminal), phase timings
// (--time).  The defaults drop everything.
class Log {
 public:
  virtual ~Log() = default;
  virtual bool wants_detail() const { return false; }
  virtual bool wants_phases() const { return false; }
  virtual void detail(std::string_view line) { (void)line; }
  virtual void status(std::string_view line) { (void)line; }
  virtual void phase(std::string_view name, double seconds) { (void)name, (void)seconds; }
};

class Backend;

// How the jit calls its code (docs/jit.md): directly where the machine code is vetted and
// the thread's stack has room, else through the fallback (auto); always directly, any
// refusal an error (direct: the tests use it to assert the path); never (fallback).
enum class JitCall { automatic, direct, fallback };

// When the auto backend builds the jit version of what it runs on the vm (docs/jit.md,
// "Tiers"): once the vm time spent (or predicted, for a batch) exceeds what a build costs;
// at once, in the background; never (a cache hit is still used); at once, and compile()
// waits for it (tests).
enum class TierPolicy { measured, at_once, never, wait };

class Cancel;

// Options a backend may honour; those meant for one backend are ignored by the others.
struct BackendOptions {
  // jit backend
  std::string go;                          // Go toolchain ("" = search)
  std::vector<std::string> go_flags;       // extra `go build` flags (trusted input)
  bool keep_temps = false;                 // keep the build directory
  double build_timeout_s = 120;            // kill `go build` after this long
  JitCall jit_call = JitCall::automatic;
  const Cancel* cancel = nullptr;          // stops a build (Cancelled); nullptr = process_interrupt()
  Backend* fallback = nullptr;             // kNeedsFallback: compiles what the jit cannot run
  // auto backend
  TierPolicy tier = TierPolicy::measured;
  // every backend
  Log* log = nullptr;                      // never null once the driver made the options
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;

  // Compiles every expression of the unit (a backend with a costly build step does one
  // build for all of them): one Compiled per unit.exprs[k], in order.
  virtual std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit) = 0;

  // What compile() would return, if it costs no build (kCostlyCompile: the cache has it);
  // nullopt otherwise.  The default: compile() (nothing else is costly).
  virtual std::optional<std::vector<std::unique_ptr<Compiled>>> compile_if_cached(const ir::Unit& unit) {
    return compile(unit);
  }

  // The backend's own listing of what compile() produces (a stage of driver/stages.def:
  // bytecode, go), or "" when it has none.
  virtual std::string listing(const ir::Unit& unit);
};

// BackendInfo::flags (backends.def).
enum BackendFlag : unsigned {
  kDefault = 1u << 0,
  kReference = 1u << 1,
  kCostlyCompile = 1u << 2,
  kNeedsFallback = 1u << 3,
  kFallback = 1u << 4,
};

// The backend table (backends.def): name, description, factory, flags.
struct BackendInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Backend> (*make)(const BackendOptions&);
  unsigned flags;
  bool has(BackendFlag f) const { return (flags & f) != 0; }
};
std::span<const BackendInfo> backend_table();
const BackendInfo* find_backend(std::string_view name);
const BackendInfo& backend_with(BackendFlag flag);  // the first with flag (kDefault, kReference, ...)
std::string backend_names();  // "vm, tree, jit"

}  // namespace exprjit
