// run_goto.cpp — the dispatch loop with computed goto (GCC/Clang "labels as values"): each
// handler ends in its own indirect jump, which predicts better than one shared switch jump.
// Built only with the meson option vm_dispatch=goto.
//
// Warnings: labels as values are a GNU extension, which -Wpedantic (warning_level=3) reports
// at every use; it is the whole point of this file, so that one warning is off here.
#pragma GCC diagnostic ignored "-Wpedantic"
#define VM_DISPATCH_GOTO 1
#define VM_RUN_NAME run_goto
#define VM_RUN_NAME_PTRS run_goto_ptrs
#define VM_ROW_ENTRY goto_row_entry
#define VM_PTR_ENTRY goto_ptr_entry
#include "backends/vm/run/run_loop.inc"
