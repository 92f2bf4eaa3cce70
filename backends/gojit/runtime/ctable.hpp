// ctable.hpp — the callee table a unit's Go code is handed on every call (abi.hpp): one Go
// function value per slot, made by the host when the plugin is loaded, never baked into the
// plugin (addresses change with ASLR; the cache stays valid across processes and exprjit
// builds).  Every slot is called the same way, whatever the function: a built-in's C library
// function, or a host function (ir::HostFunction) of any form.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "backends/gojit/abi.hpp"
#include "frontend/ir/ir.hpp"

extern "C" {
// The stubs (direct_amd64.S) a function value's code points at.
void exprjit_gojit_cstub();        // fn(double, ...)                  x86-64 only
void exprjit_gojit_cstub_array();  // fn(const double*, size_t, void*)
}

namespace exprjit::gojit {

// A Go function value ("funcval") as Go's closure calls read it: the code address first;
// the stub reads the rest through RDX.
struct Funcval {
  const void* code;
  const void* fn;
  const void* user;
  std::uint64_t nargs;
};

class CalleeTable {
 public:
  // slots: what the generated code expects (GoSource::callees); hosts: the unit's.
  CalleeTable(const std::vector<CalleeSlot>& slots, const std::vector<ir::HostRef>& hosts);
  const void* data() const { return table_.data(); }  // fp
  // Whether a slot calls a host function that may throw: such calls go through a guard that
  // stores the exception (rethrow_pending rethrows it after the call into Go returns).
  bool may_throw() const { return may_throw_; }

 private:
  std::vector<Funcval> funcvals_;
  std::vector<const Funcval*> table_;
  std::vector<ir::HostRef> hosts_;  // kept alive for the funcvals that point at them
  bool may_throw_ = false;
};

// After a direct call of code that may call throwing host functions: rethrows the first
// exception one of them threw on this thread during the call (the guard returned NaN for it
// and every later guarded call until then), or does nothing.
void rethrow_pending();

}  // namespace exprjit::gojit
