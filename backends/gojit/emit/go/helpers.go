// Helpers every plugin the jit builds is compiled with (beside the generated file): the
// language's semantics where Go's operators differ, the built-ins Go computes exactly
// itself (builtins.def's "go" column names them), and the one way generated code calls a C
// function: through the table of function values the host hands every call (docs/jit.md,
// "Calling the C library").  Everything here can run on a C thread's stack with a stand-in
// goroutine (docs/design.md, "Go JIT direct calls"): no allocation, no panic, no assembly
// of Go's math package.  gofmt- and vet-clean; the cache key covers this file's bytes.

package main

import (
	"math"
	"unsafe"
)

// ejB is a comparison's or a logical operator's value: 1 or 0.
func ejB(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

// ejTruth: a value is true when it is not equal to 0 (so NaN is true).
func ejTruth(x float64) bool { return x != 0 }

// ejNot is !x: 1 when x == 0, else 0.
func ejNot(x float64) float64 {
	if x == 0 {
		return 1
	}
	return 0
}

// ejSign is sign(x): -1 or 1, or x itself for ±0 and NaN.
func ejSign(x float64) float64 {
	if x > 0 {
		return 1
	}
	if x < 0 {
		return -1
	}
	return x
}

// ejMin is min(a, b): NaN if either is NaN; min(-0, 0) = -0.
func ejMin(a, b float64) float64 {
	if a != a || b != b {
		return a + b
	}
	if a < b {
		return a
	}
	if b < a {
		return b
	}
	if math.Signbit(a) {
		return a
	}
	return b
}

// ejMax is max(a, b): NaN if either is NaN; max(-0, 0) = 0.
func ejMax(a, b float64) float64 {
	if a != a || b != b {
		return a + b
	}
	if a > b {
		return a
	}
	if b > a {
		return b
	}
	if math.Signbit(a) {
		return b
	}
	return a
}

// ejClamp is clamp(lo, x, hi) = min(max(x, lo), hi).
func ejClamp(lo, x, hi float64) float64 { return ejMin(ejMax(x, lo), hi) }

// ejTrunc is trunc(x).  Below 2^52 in magnitude a double converts to int64 and back
// exactly, dropping the fraction; at or above it, and for ±Inf and NaN, x is already
// integral and is returned as it is, like the C library (-0 stays -0: the conversion keeps
// no sign, so a result of 0 takes x's).  Go's math.Trunc is assembly on amd64.
func ejTrunc(x float64) float64 {
	const big = 4503599627370496 // 2^52
	if !(x > -big && x < big) {
		return x
	}
	t := float64(int64(x))
	if t == 0 && math.Signbit(x) {
		return -t
	}
	return t
}

// ejFloor is floor(x): trunc, one lower for a negative number with a fraction.
func ejFloor(x float64) float64 {
	t := ejTrunc(x)
	if t > x {
		return t - 1
	}
	return t
}

// ejCeil is ceil(x): trunc, one higher for a positive number with a fraction.
func ejCeil(x float64) float64 {
	t := ejTrunc(x)
	if t < x {
		return t + 1
	}
	return t
}

// The C calls.  fp is the table of function values the host passes every entry point; k
// is a slot's byte offset in it.  Each helper is one indirect call, never inlined, so the
// vetter finds that exact sequence in exactly these functions and nowhere else: load the
// function value from fp+k, load its code pointer, call.  The host's stub behind every
// slot aligns the stack for C, calls the C function and zeroes X15 again (runtime/).

//go:noinline
func ejCall0(fp unsafe.Pointer, k uintptr) float64 {
	return (*(*func() float64)(unsafe.Add(fp, k)))()
}

//go:noinline
func ejCall1(fp unsafe.Pointer, k uintptr, a float64) float64 {
	return (*(*func(float64) float64)(unsafe.Add(fp, k)))(a)
}

//go:noinline
func ejCall2(fp unsafe.Pointer, k uintptr, a, b float64) float64 {
	return (*(*func(float64, float64) float64)(unsafe.Add(fp, k)))(a, b)
}

//go:noinline
func ejCall3(fp unsafe.Pointer, k uintptr, a, b, c float64) float64 {
	return (*(*func(float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c)
}

//go:noinline
func ejCall4(fp unsafe.Pointer, k uintptr, a, b, c, d float64) float64 {
	return (*(*func(float64, float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c, d)
}

//go:noinline
func ejCall5(fp unsafe.Pointer, k uintptr, a, b, c, d, e float64) float64 {
	return (*(*func(float64, float64, float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c, d, e)
}

//go:noinline
func ejCall6(fp unsafe.Pointer, k uintptr, a, b, c, d, e, f float64) float64 {
	return (*(*func(float64, float64, float64, float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c, d, e, f)
}

//go:noinline
func ejCall7(fp unsafe.Pointer, k uintptr, a, b, c, d, e, f, g float64) float64 {
	return (*(*func(float64, float64, float64, float64, float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c, d, e, f, g)
}

//go:noinline
func ejCall8(fp unsafe.Pointer, k uintptr, a, b, c, d, e, f, g, h float64) float64 {
	return (*(*func(float64, float64, float64, float64, float64, float64, float64, float64) float64)(unsafe.Add(fp, k)))(a, b, c, d, e, f, g, h)
}
