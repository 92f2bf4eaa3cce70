// backend.hpp — the interface every backend implements, and the backend table.
//
// A backend compiles a checked AST (frontend/check.hpp) once into a Compiled object,
// which is then evaluated many times.  Variables are read from an array indexed by the
// slots the checker assigned: vars[slot].  Compiled objects are immutable after
// construction, so one may be evaluated from many threads at once.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ast.hpp"

namespace exprjit {

class Compiled {
 public:
  // The plain C function one evaluation is, for a backend whose compiled code is one.
  using PlainFunction = double (*)(const double* vars);

  explicit Compiled(std::size_t nslots, PlainFunction plain = nullptr) : nslots_(nslots), plain_(plain) {}
  virtual ~Compiled() = default;

  // How many variable slots eval() reads (vars[0 .. nslots-1]).
  std::size_t nslots() const { return nslots_; }

  // One evaluation; vars[slot] holds each variable's value.  Not virtual: when the compiled
  // code is a plain function (the jit's direct path, docs/design.md) this is one indirect
  // call, as for a C++ function called through a pointer; otherwise it is eval_one().
  double eval(const double* vars) const { return plain_ ? plain_(vars) : eval_one(vars); }

  // That plain function, or nullptr.  Valid for the life of the Compiled object (the jit's
  // for the life of the process: plugins are never unloaded); callable from any thread.
  PlainFunction plain_function() const { return plain_; }

  // Batch evaluation over n rows given as columns: cols[slot][row] is the variable's
  // value in that row, out[row] receives the result.  Bit-identical to calling eval()
  // for each row.  The default gathers each row and calls eval().
  virtual void eval_batch(const double* const* cols, std::size_t n, double* out) const;

 protected:
  // One evaluation, for backends without a plain function.
  virtual double eval_one(const double* vars) const = 0;

 private:
  std::size_t nslots_;
  PlainFunction plain_;
};

// Options a backend may honour; those meant for one backend are ignored by the others.
struct BackendOptions {
  // jit backend
  std::string go;                          // --go=PATH ("" = search)
  std::vector<std::string> go_flags;       // extra `go build` flags
  bool keep_temps = false;                 // keep the build directory
  double build_timeout_s = 120;            // kill `go build` after this long
  std::string jit_call = "auto";           // --jit-call: direct, cgo or auto (docs/design.md)
  std::ostream* verbose = nullptr;         // --verbose: command lines, phase times
  std::function<void(std::string_view)> status;  // progress note for slow work (REPL/CLI)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;

  // Compiles one checked expression that reads nslots variable slots.
  virtual std::unique_ptr<Compiled> compile(const Expr& checked, std::size_t nslots) = 0;

  // Compiles several at once; a backend with a costly build step (jit) does one build.
  // The default compiles each in turn.
  virtual std::vector<std::unique_ptr<Compiled>> compile_many(std::span<const Expr* const> exprs,
                                                              std::size_t nslots);

  // The backend's own listing of what compile() would produce (--emit=bytecode|go), or
  // "" when it has none.
  virtual std::string emit(const Expr& checked, std::size_t nslots);
};

// The backend table (backends.def): name, description, factory.
struct BackendInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Backend> (*make)(const BackendOptions&);
};
std::span<const BackendInfo> backend_table();
const BackendInfo* find_backend(std::string_view name);
std::string backend_names();  // "tree, vm, jit"

}  // namespace exprjit
