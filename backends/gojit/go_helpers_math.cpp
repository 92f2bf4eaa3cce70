// go_helpers_math.cpp — pure-Go kernels for the math functions whose code in Go's own math
// package cannot run on the direct path (docs/design.md, "Go JIT direct calls"); the
// trigonometric ones are in go_helpers_trig.cpp:
//   - on amd64, Exp, Log, Hypot, Floor, Ceil and Trunc end in assembly (ABI0); every call
//     to ABI0 code is followed by a reload of the g register from thread-local storage,
//     which on a C++ thread is not the stand-in goroutine the direct call runs with;
//   - Sin, Cos and Tan reach trigReduce, whose table lookups carry bounds-check panics;
//   - Pow, Sinh, Cosh, Tanh, Asinh and Acosh call Exp or Log, and Pow recurses.
// These are the portable Go implementations of the same functions, copied from Go's math
// package (BSD-style licence, Copyright The Go Authors; the algorithms come from FreeBSD's
// msun and Cephes) with the table lookups masked so the compiler drops the bounds checks,
// and renamed.  Sin/Cos/Tan give Go's own bits; Exp and Log are Go's portable versions,
// which amd64 replaces by assembly (the accuracy test measures them against glibc).
// Each is a plain function over float64: no allocation, no panic, no runtime call, which
// backends/gojit/vet.cpp checks on the machine code of every plugin before a direct call.
#include "backends/gojit/go_helpers.hpp"

namespace exprjit::gojit {

const char kGoMathHelpers[] = R"go(
// ejExpGo is Go's portable math.Exp (amd64 uses assembly instead).
func ejExpGo(x float64) float64 {
	const (
		Ln2Hi     = 6.93147180369123816490e-01
		Ln2Lo     = 1.90821492927058770002e-10
		Log2e     = 1.44269504088896338700e+00
		Overflow  = 7.09782712893383973096e+02
		Underflow = -7.45133219101941108420e+02
		NearZero  = 1.0 / (1 << 28)
		P1        = 1.66666666666666657415e-01
		P2        = -2.77777777770155933842e-03
		P3        = 6.61375632143793436117e-05
		P4        = -1.65339022054652515390e-06
		P5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > Overflow:
		return math.Inf(1)
	case x < Underflow:
		return 0
	case -NearZero < x && x < NearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(Log2e*x - 0.5)
	case x > 0:
		k = int(Log2e*x + 0.5)
	}
	hi := x - float64(k)*Ln2Hi
	lo := float64(k) * Ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(P1+t*(P2+t*(P3+t*(P4+t*P5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// ejLog is log(x): Go's portable math.Log (amd64's assembly was wrong for subnormal x).
func ejLog(x float64) float64 {
	const (
		Ln2Hi = 6.93147180369123816490e-01
		Ln2Lo = 1.90821492927058770002e-10
		L1    = 6.666666666666735130e-01
		L2    = 3.999999999940941908e-01
		L3    = 2.857142874366239149e-01
		L4    = 2.222219843214978396e-01
		L5    = 1.818357216161805012e-01
		L6    = 1.531383769920937332e-01
		L7    = 1.479819860511658591e-01
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := s2 * (L1 + s4*(L3+s4*(L5+s4*L7)))
	t2 := s4 * (L2 + s4*(L4+s4*L6))
	R := t1 + t2
	hfsq := 0.5 * f * f
	return k*Ln2Hi - ((hfsq - (s*(hfsq+R) + k*Ln2Lo)) - f)
}

// ejSinhGo is Go's math.Sinh over ejExpGo.
func ejSinhGo(x float64) float64 {
	const (
		P0 = -0.6307673640497716991184787251e+6
		P1 = -0.8991272022039509355398013511e+5
		P2 = -0.2894211355989563807284660366e+4
		P3 = -0.2630563213397497062819489e+2
		Q0 = -0.6307673640497716991212077277e+6
		Q1 = 0.1521517378790019070696485176e+5
		Q2 = -0.173678953558233699533450911e+3
	)
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var temp float64
	switch {
	case x > 21:
		temp = ejExpGo(x) * 0.5
	case x > 0.5:
		ex := ejExpGo(x)
		temp = (ex - 1/ex) * 0.5
	default:
		sq := x * x
		temp = (((P3*sq+P2)*sq+P1)*sq + P0) * x
		temp = temp / (((sq+Q2)*sq+Q1)*sq + Q0)
	}
	if sign {
		temp = -temp
	}
	return temp
}

// ejCoshGo is Go's math.Cosh over ejExpGo.
func ejCoshGo(x float64) float64 {
	x = math.Abs(x)
	if x > 21 {
		return ejExpGo(x) * 0.5
	}
	ex := ejExpGo(x)
	return (ex + 1/ex) * 0.5
}

// ejTanh is Go's math.Tanh over ejExpGo.
func ejTanh(x float64) float64 {
	const (
		MAXLOG = 8.8029691931113054295988e+01
		P0     = -9.64399179425052238628e-1
		P1     = -9.92877231001918586564e1
		P2     = -1.61468768441708447952e3
		Q0     = 1.12811678491632931402e2
		Q1     = 2.23548839060100448583e3
		Q2     = 4.84406305325125486048e3
	)
	z := math.Abs(x)
	switch {
	case z > 0.5*MAXLOG:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		s := ejExpGo(2 * z)
		z = 1 - 2/(s+1)
		if x < 0 {
			z = -z
		}
	default:
		if x == 0 {
			return x
		}
		s := x * x
		z = x + x*s*((P0*s+P1)*s+P2)/(((s+Q0)*s+Q1)*s+Q2)
	}
	return z
}

// ejAsinh is Go's math.Asinh over ejLogGo.
func ejAsinh(x float64) float64 {
	const (
		Ln2      = 6.93147180559945286227e-01
		NearZero = 1.0 / (1 << 28)
		Large    = 1 << 28
	)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var temp float64
	switch {
	case x > Large:
		temp = ejLog(x) + Ln2
	case x > 2:
		temp = ejLog(2*x + 1/(math.Sqrt(x*x+1)+x))
	case x < NearZero:
		temp = x
	default:
		temp = math.Log1p(x + x*x/(1+math.Sqrt(1+x*x)))
	}
	if sign {
		temp = -temp
	}
	return temp
}

// ejAcosh is Go's math.Acosh over ejLogGo.
func ejAcosh(x float64) float64 {
	const Large = 1 << 28
	switch {
	case x < 1 || math.IsNaN(x):
		return math.NaN()
	case x == 1:
		return 0
	case x >= Large:
		return ejLog(x) + math.Ln2
	case x > 2:
		return ejLog(2*x - 1/(x+math.Sqrt(x*x-1)))
	}
	t := x - 1
	return math.Log1p(t + math.Sqrt(2*t+t*t))
}

// ejHypot is Go's portable math.Hypot (amd64 uses assembly instead).
func ejHypot(p, q float64) float64 {
	p, q = math.Abs(p), math.Abs(q)
	switch {
	case math.IsInf(p, 1) || math.IsInf(q, 1):
		return math.Inf(1)
	case math.IsNaN(p) || math.IsNaN(q):
		return math.NaN()
	}
	if p < q {
		p, q = q, p
	}
	if p == 0 {
		return 0
	}
	q = q / p
	return p * math.Sqrt(1+q*q)
}

// ejTrunc is trunc(x): below 2^52 through an exact int64 conversion, keeping the sign of
// a zero result; from 2^52 on (and ±Inf, NaN) x is its own integer part.
func ejTrunc(x float64) float64 {
	if !(math.Abs(x) < 4503599627370496) {
		return x
	}
	return math.Copysign(float64(int64(x)), x)
}

// ejFloor is floor(x).
func ejFloor(x float64) float64 {
	t := ejTrunc(x)
	if t > x {
		return t - 1
	}
	return t
}

// ejCeil is ceil(x).
func ejCeil(x float64) float64 {
	t := ejTrunc(x)
	if t < x {
		return t + 1
	}
	return t
}

// ejIsOddInt: y is an odd integer.
func ejIsOddInt(y float64) bool {
	return math.Abs(y) < 9007199254740992 && y == ejTrunc(y) && int64(y)&1 != 0
}

// ejPowSpecial is pow(x, y) by C99 Annex F when y is 0, ±Inf or NaN, or x is ±0, ±1, ±Inf
// or NaN (ejPow computes the rest).
func ejPowSpecial(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y != y || x != x:
		return x + y
	}
	ax := math.Abs(x)
	if math.IsInf(y, 0) {
		switch {
		case ax == 1:
			return 1
		case (ax < 1) == (y > 0):
			return 0
		}
		return math.Inf(1)
	}
	if x == -1 {
		switch {
		case y != ejTrunc(y):
			return math.NaN()
		case ejIsOddInt(y):
			return -1
		}
		return 1
	}
	r := 0.0 // x is ±0 or ±Inf: 0^-y and Inf^y are Inf, the others 0
	if (ax == 0) == (y < 0) {
		r = math.Inf(1)
	}
	if ejIsOddInt(y) && math.Signbit(x) {
		return -r
	}
	return r
}
)go";

}  // namespace exprjit::gojit
