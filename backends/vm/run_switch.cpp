// run_switch.cpp — the portable dispatch loop: a switch in a loop (standard C++).
#define VM_DISPATCH_GOTO 0
#define VM_RUN_NAME run_switch
#include "backends/vm/run_loop.inc"
