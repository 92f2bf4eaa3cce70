/* direct_amd64.S — calls from C++ into a Go plugin's functions without cgo, and from that
 * Go code into C, on x86-64 (docs/design.md, "Go JIT direct calls").
 *
 * Go's internal ABI (ABIInternal, Go >= 1.17 on amd64) passes integer arguments in RAX,
 * RBX, RCX, RDI, RSI, R8-R11 and floats in X0-X14, returns a float64 in X0, keeps the current
 * goroutine (g) in R14, requires X15 to be zero, and treats every other register as scratch.
 *
 * Into Go, a trampoline
 *   - saves the registers the SysV ABI makes callee-saved (RBX, RBP, R12-R15);
 *   - points R14 at exprjit_gojit_fake_g: zeroed, read-only memory standing in for a g.
 *     The only field vetted code reads is g.stackguard0 (offset 16), in the prologue
 *     `cmp 0x10(%r14),%rsp; jbe morestack`: with 0 there the check always passes, so Go
 *     code runs on this thread's own stack and never enters the runtime.  A write to the
 *     block would fault at once rather than corrupt anything;
 *   - reserves the spill area Go's ABI lets the callee use in its caller's frame: 8 bytes
 *     per register argument, right above the return address (64 bytes here);
 *   - zeroes X15, moves the C arguments into Go's registers and calls the entry.
 * The stack is 16-byte aligned at the call, as for a C call; the stack pointer comes back
 * unchanged (Go's calls are balanced), so the saved registers are popped from it.
 * Row functions that need none of this are called as C functions (direct.hpp).
 *
 * Out of Go, into C: a slot of the callee table (ctable.hpp) is a Go function value whose
 * code is one of the stubs below.  Go calls it with RDX pointing at the function value
 * ({code, fn, user, nargs}) and the arguments in X0..; a stub aligns the stack to 16 bytes
 * (Go does not keep it aligned), calls the C function, and zeroes X15 again before it
 * returns to Go (C may use XMM15).  R14 survives: SysV makes it callee-saved.  Go treats
 * every other register as clobbered by a call, as C does.
 *
 * The signal handlers of the Go runtime find g through thread-local storage, never through
 * R14 (see the design notes), so a signal during a direct call sees a thread running C code.
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

/* double exprjit_gojit_enter_row(const void* vars, const GoEntry* ctx)
 *   ctx: {entry, table}.  Go: E/P(_, _, _ uintptr, vp, fp unsafe.Pointer) float64: vp in RDI
 *   (already there), fp in RSI, result in X0. */
	.globl exprjit_gojit_enter_row
	.hidden exprjit_gojit_enter_row
	.type exprjit_gojit_enter_row, @function
	.balign 16
exprjit_gojit_enter_row:
	.cfi_startproc
	GO_ENTER
	movq	(%rsi), %r11			/* the entry */
	movq	8(%rsi), %rsi			/* fp: the callee table */
	call	*%r11
	GO_LEAVE
	ret
	.cfi_endproc
	.size exprjit_gojit_enter_row, .-exprjit_gojit_enter_row

/* void exprjit_gojit_enter_batch(const double* const* cols, size_t n, double* out, const GoEntry* ctx)
 *   Go: B(cols, out unsafe.Pointer, n int, fp unsafe.Pointer): RAX, RBX, RCX, RDI. */
	.globl exprjit_gojit_enter_batch
	.hidden exprjit_gojit_enter_batch
	.type exprjit_gojit_enter_batch, @function
	.balign 16
exprjit_gojit_enter_batch:
	.cfi_startproc
	GO_ENTER
	movq	%rdi, %rax			/* cols */
	movq	%rdx, %rbx			/* out */
	movq	%rcx, %r10			/* ctx */
	movq	%rsi, %rcx			/* n */
	movq	8(%r10), %rdi			/* fp */
	call	*(%r10)
	GO_LEAVE
	ret
	.cfi_endproc
	.size exprjit_gojit_enter_batch, .-exprjit_gojit_enter_batch

/* Callee-table stub for double fn(double, ...): up to 8 arguments, already in XMM0-7. */
	.globl exprjit_gojit_cstub
	.hidden exprjit_gojit_cstub
	.type exprjit_gojit_cstub, @function
	.balign 16
exprjit_gojit_cstub:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	andq	$-16, %rsp
	call	*8(%rdx)			/* fn */
	xorps	%xmm15, %xmm15
	movq	%rbp, %rsp
	.cfi_def_cfa_register %rsp
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size exprjit_gojit_cstub, .-exprjit_gojit_cstub

/* Callee-table stub for double fn(const double* args, size_t n, void* user): the arguments
 * (up to 8, in XMM0-7) are stored in an array on the stack. */
	.globl exprjit_gojit_cstub_array
	.hidden exprjit_gojit_cstub_array
	.type exprjit_gojit_cstub_array, @function
	.balign 16
exprjit_gojit_cstub_array:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	subq	$64, %rsp
	andq	$-16, %rsp
	movsd	%xmm0, 0(%rsp)
	movsd	%xmm1, 8(%rsp)
	movsd	%xmm2, 16(%rsp)
	movsd	%xmm3, 24(%rsp)
	movsd	%xmm4, 32(%rsp)
	movsd	%xmm5, 40(%rsp)
	movsd	%xmm6, 48(%rsp)
	movsd	%xmm7, 56(%rsp)
	movq	%rsp, %rdi			/* args */
	movq	24(%rdx), %rsi			/* nargs */
	movq	8(%rdx), %rax			/* fn */
	movq	16(%rdx), %rdx			/* user */
	call	*%rax
	xorps	%xmm15, %xmm15
	movq	%rbp, %rsp
	.cfi_def_cfa_register %rsp
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size exprjit_gojit_cstub_array, .-exprjit_gojit_cstub_array

	.section .note.GNU-stack,"",@progbits
