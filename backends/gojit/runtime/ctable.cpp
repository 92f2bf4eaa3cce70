// ctable.cpp — see ctable.hpp.
#include "backends/gojit/runtime/ctable.hpp"

#include <exception>
#include <limits>
#include <stdexcept>
#include <utility>

#include "backends/gojit/gojit_config.hpp"

#if !EXPRJIT_GOJIT_TRAMPOLINES
// No assembly in this build: direct calls are never made, so the stubs are never reached.
extern "C" void exprjit_gojit_cstub() { std::terminate(); }
extern "C" void exprjit_gojit_cstub_array() { std::terminate(); }
#endif

namespace exprjit::gojit {

namespace {

// The first exception a guarded host function threw on this thread since the last
// rethrow_pending().  thread_local because the guard is a plain C function called from Go
// code, which cannot carry an exception across its frames: it is the only state the guard
// can reach.
thread_local std::exception_ptr t_pending;

// The guard: a host function that may throw, called through the array stub.  An exception
// cannot unwind through Go frames, so it is kept for rethrow_pending and the call yields NaN.
double guard(const double* args, std::size_t n, void* host) noexcept {
  if (t_pending) return std::numeric_limits<double>::quiet_NaN();  // already failing: skip the rest
  try {
    return static_cast<const ir::HostFunction*>(host)->call(args, n);
  } catch (...) {
    t_pending = std::current_exception();
    return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

CalleeTable::CalleeTable(const std::vector<CalleeSlot>& slots, const std::vector<ir::HostRef>& hosts) : hosts_(hosts) {
  funcvals_.reserve(slots.size());
  for (const CalleeSlot& s : slots) {
    if (s.kind == CalleeSlot::Kind::builtin) {
      funcvals_.push_back({reinterpret_cast<const void*>(&exprjit_gojit_cstub), builtin(s.fn).address(), nullptr, s.nargs});
      continue;
    }
    if (s.host >= hosts_.size()) throw std::logic_error("a callee slot names a host function the unit does not have");
    const ir::HostFunction& h = *hosts_[s.host];
    if (!h.nothrow) {
      may_throw_ = true;
      funcvals_.push_back({reinterpret_cast<const void*>(&exprjit_gojit_cstub_array),
                           reinterpret_cast<const void*>(&guard), &h, s.nargs});
    } else if (h.form == ir::HostFunction::Form::typed) {
      funcvals_.push_back({reinterpret_cast<const void*>(&exprjit_gojit_cstub), h.fn, nullptr, s.nargs});
    } else {
      funcvals_.push_back({reinterpret_cast<const void*>(&exprjit_gojit_cstub_array), h.fn, h.user, s.nargs});
    }
  }
  for (const Funcval& f : funcvals_) table_.push_back(&f);
  if (table_.empty()) table_.push_back(nullptr);  // fp is never null, even with no slot
}

void rethrow_pending() {
  if (!t_pending) return;
  std::exception_ptr e = std::exchange(t_pending, nullptr);
  std::rethrow_exception(e);
}

}  // namespace exprjit::gojit
