/* direct_amd64.S — calls from C++ into a Go plugin's functions without cgo, on x86-64
 * (docs/design.md, "Go JIT direct calls").
 *
 * Go's internal ABI (ABIInternal, Go >= 1.17 on amd64) passes integer arguments in RAX,
 * RBX, RCX, RDI, RSI, R8-R11, returns a float64 in X0, keeps the current goroutine (g) in R14, requires
 * X15 to be zero, and treats every other register as scratch.  A trampoline therefore
 *   - saves the registers the SysV ABI makes callee-saved (RBX, RBP, R12-R15);
 *   - points R14 at exprjit_gojit_fake_g: zeroed, read-only memory standing in for a g.
 *     The only field vetted code reads is g.stackguard0 (offset 16), in the prologue
 *     `cmp 0x10(%r14),%rsp; jbe morestack`: with 0 there the check always passes, so Go
 *     code runs on this thread's own stack and never enters the runtime.  A write to the
 *     block would fault at once rather than corrupt anything;
 *   - reserves the spill area Go's ABI lets the callee use in its caller's frame: 8 bytes
 *     per register argument, right above the return address (64 bytes here, for up to
 *     eight; a callee spills its arguments there, e.g. B<k> writes its 2nd and 3rd);
 *   - zeroes X15, moves the C arguments into Go's registers and calls the entry;
 *   - returns with the result still in XMM0 (row) or nothing (batch).
 * The stack is 16-byte aligned at the call, as for a C call; the stack pointer comes back
 * unchanged (Go's calls are balanced), so the saved registers are popped from it.
 * Simple row functions need no trampoline at all (direct.hpp, call_row_bare).  The signal handlers of the Go
 * runtime find g through thread-local storage, never through R14 (see the design notes),
 * so a signal during a direct call sees a thread running C code.
 */
	.section .rodata
	.balign 4096
	.type exprjit_gojit_fake_g, @object
	.size exprjit_gojit_fake_g, 4096
exprjit_gojit_fake_g:
	.zero 4096

	.text

/* GO_ENTER: from a C call into Go's internal ABI.  Saves what SysV makes callee-saved,
 * reserves the spill area (64 bytes; 72 keeps the stack 16-byte aligned at the call),
 * points R14 at the stand-in g and zeroes X15.  GO_LEAVE undoes it, leaving X0 alone. */
	.macro GO_ENTER
	.irp reg, rbx, rbp, r12, r13, r14, r15
	pushq	%\reg
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %\reg, 0
	.endr
	subq	$72, %rsp
	.cfi_adjust_cfa_offset 72
	leaq	exprjit_gojit_fake_g(%rip), %r14
	xorps	%xmm15, %xmm15
	.endm

	.macro GO_LEAVE
	addq	$72, %rsp
	.cfi_adjust_cfa_offset -72
	.irp reg, r15, r14, r13, r12, rbp, rbx
	popq	%\reg
	.cfi_adjust_cfa_offset -8
	.endr
	.endm

/* double exprjit_gojit_call_row(uintptr_t entry, const double* vars)
 *   Go: func(_, _, _ uintptr, vp unsafe.Pointer) float64: vp in RDI, result in X0. */
	.globl exprjit_gojit_call_row
	.hidden exprjit_gojit_call_row
	.type exprjit_gojit_call_row, @function
	.balign 16
exprjit_gojit_call_row:
	.cfi_startproc
	GO_ENTER
	movq	%rdi, %r11
	movq	%rsi, %rdi			/* vp: Go's 4th integer argument register */
	xorl	%edx, %edx
	call	*%r11
	GO_LEAVE
	ret
	.cfi_endproc
	.size exprjit_gojit_call_row, .-exprjit_gojit_call_row

/* void exprjit_gojit_call_batch(uintptr_t entry, const double* const* cols, double* out, size_t n)
 *   Go: func(cols, out unsafe.Pointer, n int): cols in RAX, out in RBX, n in RCX. */
	.globl exprjit_gojit_call_batch
	.hidden exprjit_gojit_call_batch
	.type exprjit_gojit_call_batch, @function
	.balign 16
exprjit_gojit_call_batch:
	.cfi_startproc
	GO_ENTER
	movq	%rsi, %rax
	movq	%rdx, %rbx
	xorl	%edx, %edx
	call	*%rdi
	GO_LEAVE
	ret
	.cfi_endproc
	.size exprjit_gojit_call_batch, .-exprjit_gojit_call_batch

	.section .note.GNU-stack,"",@progbits
