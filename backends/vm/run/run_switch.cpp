// run_switch.cpp — the portable dispatch loop: a switch in a loop (standard C++).
#define VM_DISPATCH_GOTO 0
#define VM_RUN_NAME run_switch
#define VM_RUN_NAME_PTRS run_switch_ptrs
#define VM_ROW_ENTRY switch_row_entry
#define VM_PTR_ENTRY switch_ptr_entry
#include "backends/vm/run/run_loop.inc"
