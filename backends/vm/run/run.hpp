// run.hpp — the two evaluators of a Program: one row (a dispatch loop, in two builds) and
// many rows (blocks of rows per instruction).
#pragma once
#include <cstddef>

#include "backends/backend.hpp"
#include "backends/vm/isa/bytecode.hpp"

namespace exprjit::vm {

enum class Dispatch { computed_goto, switch_loop };

// Whether this build has the computed-goto loop (meson option vm_dispatch=goto, GCC/Clang),
// and the loop the vm backend uses: computed goto when built, else the switch loop.
bool have_computed_goto();
Dispatch default_dispatch();

// Single evaluation, each loop in two modes: vars[slot] is each variable (value mode), or
// *ptrs[slot] (pointer mode).  run_goto* are defined only when the build has computed goto;
// run() picks a loop and throws std::invalid_argument for computed_goto in a build without it.
double run_goto(const Program& p, const double* vars);
double run_goto_ptrs(const Program& p, const double* const* ptrs);
double run_switch(const Program& p, const double* vars);
double run_switch_ptrs(const Program& p, const double* const* ptrs);
double run(const Program& p, const double* vars, Dispatch dispatch);
// The same loops as entry points of backend.hpp's RowFn / PtrFn shape for program p (its
// frame size picks the instance), called with p as the context: a Compiled holds them, so
// no wrapper sits between the caller and the loop.
RowFn goto_row_entry(const Program& p);
PtrFn goto_ptr_entry(const Program& p);
RowFn switch_row_entry(const Program& p);
PtrFn switch_ptr_entry(const Program& p);

// Rows per block in batch evaluation (docs/design.md: measured).
inline constexpr std::size_t kBlockRows = 64;

// Batch evaluation: out[row] = the program on cols[slot][row], for row < n, computed
// `block` rows at a time.  The program must have been compiled with Options::batch (or
// contain no conditional): a jump throws std::logic_error.  Bit-identical to single
// evaluation of each row.
void run_batch(const Program& p, const double* const* cols, std::size_t n, double* out,
               std::size_t block = kBlockRows);

}  // namespace exprjit::vm
