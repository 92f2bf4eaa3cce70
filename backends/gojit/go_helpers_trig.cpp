// go_helpers_trig.cpp — Go's sin, cos and tan (portable versions) with the Payne–Hanek
// reduction's table lookups masked, so that no bounds check (and so no panic) is left in
// the machine code: Go's own math.Sin and friends reach trigReduce, whose lookups carry
// bounds-check panics, which the direct path cannot run (see go_helpers_math.cpp and
// docs/design.md).  Copied from Go's math package (BSD-style licence, Copyright The Go
// Authors; the algorithms come from Cephes); the results are Go's bits.
#include "backends/gojit/go_helpers.hpp"

namespace exprjit::gojit {

const char kGoTrigHelpers[] = R"go(
// ejSinGo is Go's math.Sin (portable version) over ejTrigReduce.
func ejSinGo(x float64) float64 {
	const (
		PI4A = 7.85398125648498535156e-1  // Pi/4 split into three parts
		PI4B = 3.77489470793079817668e-8
		PI4C = 2.69515142907905952645e-15
		S0   = 1.58962301576546568060e-10
		S1   = -2.50507477628578072866e-8
		S2   = 2.75573136213857245213e-6
		S3   = -1.98412698295895385996e-4
		S4   = 8.33333333332211858878e-3
		S5   = -1.66666666666666307295e-1
		C0   = -1.13585365213876817300e-11
		C1   = 2.08757008419747316778e-9
		C2   = -2.75573141792967388112e-7
		C3   = 2.48015872888517045348e-5
		C4   = -1.38888888888730564116e-3
		C5   = 4.16666666666665929218e-2
	)
	switch {
	case x == 0 || math.IsNaN(x):
		return x
	case math.IsInf(x, 0):
		return math.NaN()
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var j uint64
	var y, z float64
	if x >= 1<<29 {
		j, z = ejTrigReduce(x)
	} else {
		j = uint64(x * (4 / math.Pi))
		y = float64(j)
		if j&1 == 1 {
			j++
			y++
		}
		j &= 7
		z = ((x - y*PI4A) - y*PI4B) - y*PI4C
	}
	if j > 3 {
		sign = !sign
		j -= 4
	}
	zz := z * z
	if j == 1 || j == 2 {
		y = 1.0 - 0.5*zz + zz*zz*((((((C0*zz)+C1)*zz+C2)*zz+C3)*zz+C4)*zz+C5)
	} else {
		y = z + z*zz*((((((S0*zz)+S1)*zz+S2)*zz+S3)*zz+S4)*zz+S5)
	}
	if sign {
		y = -y
	}
	return y
}

// ejCosGo is Go's math.Cos (portable version) over ejTrigReduce.
func ejCosGo(x float64) float64 {
	const (
		PI4A = 7.85398125648498535156e-1
		PI4B = 3.77489470793079817668e-8
		PI4C = 2.69515142907905952645e-15
		S0   = 1.58962301576546568060e-10
		S1   = -2.50507477628578072866e-8
		S2   = 2.75573136213857245213e-6
		S3   = -1.98412698295895385996e-4
		S4   = 8.33333333332211858878e-3
		S5   = -1.66666666666666307295e-1
		C0   = -1.13585365213876817300e-11
		C1   = 2.08757008419747316778e-9
		C2   = -2.75573141792967388112e-7
		C3   = 2.48015872888517045348e-5
		C4   = -1.38888888888730564116e-3
		C5   = 4.16666666666665929218e-2
	)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	sign := false
	x = math.Abs(x)
	var j uint64
	var y, z float64
	if x >= 1<<29 {
		j, z = ejTrigReduce(x)
	} else {
		j = uint64(x * (4 / math.Pi))
		y = float64(j)
		if j&1 == 1 {
			j++
			y++
		}
		j &= 7
		z = ((x - y*PI4A) - y*PI4B) - y*PI4C
	}
	if j > 3 {
		j -= 4
		sign = !sign
	}
	if j > 1 {
		sign = !sign
	}
	zz := z * z
	if j == 1 || j == 2 {
		y = z + z*zz*((((((S0*zz)+S1)*zz+S2)*zz+S3)*zz+S4)*zz+S5)
	} else {
		y = 1.0 - 0.5*zz + zz*zz*((((((C0*zz)+C1)*zz+C2)*zz+C3)*zz+C4)*zz+C5)
	}
	if sign {
		y = -y
	}
	return y
}

// ejTanGo is Go's math.Tan (portable version) over ejTrigReduce.
func ejTanGo(x float64) float64 {
	const (
		PI4A = 7.85398125648498535156e-1
		PI4B = 3.77489470793079817668e-8
		PI4C = 2.69515142907905952645e-15
		P0   = -1.30936939181383777646e4
		P1   = 1.15351664838587416140e6
		P2   = -1.79565251976484877988e7
		Q1   = 1.36812963470692954678e4
		Q2   = -1.32089234440210967447e6
		Q3   = 2.50083801823357915839e7
		Q4   = -5.38695755929454629881e7
	)
	switch {
	case x == 0 || math.IsNaN(x):
		return x
	case math.IsInf(x, 0):
		return math.NaN()
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var j uint64
	var y, z float64
	if x >= 1<<29 {
		j, z = ejTrigReduce(x)
	} else {
		j = uint64(x * (4 / math.Pi))
		y = float64(j)
		if j&1 == 1 {
			j++
			y++
		}
		z = ((x - y*PI4A) - y*PI4B) - y*PI4C
	}
	zz := z * z
	if zz > 1e-14 {
		y = z + z*(zz*(((P0*zz)+P1)*zz+P2)/((((zz+Q1)*zz+Q2)*zz+Q3)*zz+Q4))
	} else {
		y = z
	}
	if j&2 == 2 {
		y = -1 / y
	}
	if sign {
		y = -y
	}
	return y
}

// ejTrigReduce is Go's Payne-Hanek reduction by Pi/4 for x >= 2^29: the digits of 4/Pi
// are read at indices masked to the table (a no-op here: the largest is 19), which leaves
// the compiler no bounds check to emit.
func ejTrigReduce(x float64) (j uint64, z float64) {
	const PI4 = math.Pi / 4
	if x < PI4 {
		return 0, x
	}
	ix := math.Float64bits(x)
	exp := int(ix>>52&0x7ff) - 1023 - 52
	ix &^= 0x7ff << 52
	ix |= 1 << 52
	digit, bitshift := uint(exp+61)/64, uint(exp+61)%64
	z0 := (ejMPi4[digit&31] << bitshift) | (ejMPi4[(digit+1)&31] >> (64 - bitshift))
	z1 := (ejMPi4[(digit+1)&31] << bitshift) | (ejMPi4[(digit+2)&31] >> (64 - bitshift))
	z2 := (ejMPi4[(digit+2)&31] << bitshift) | (ejMPi4[(digit+3)&31] >> (64 - bitshift))
	z2hi, _ := bits.Mul64(z2, ix)
	z1hi, z1lo := bits.Mul64(z1, ix)
	z0lo := z0 * ix
	lo, c := bits.Add64(z1lo, z2hi, 0)
	hi, _ := bits.Add64(z0lo, z1hi, c)
	j = hi >> 61
	hi = hi<<3 | lo>>61
	lz := uint(bits.LeadingZeros64(hi))
	e := uint64(1023 - (lz + 1))
	hi = (hi << (lz + 1)) | (lo >> (64 - (lz + 1)))
	hi >>= 64 - 52
	hi |= e << 52
	z = math.Float64frombits(hi)
	if j&1 == 1 {
		j++
		j &= 7
		z--
	}
	return j, z * PI4
}

// ejMPi4 holds the binary digits of 4/Pi (Go's mPi4), padded to 32 entries for the masks.
var ejMPi4 = [32]uint64{
	0x0000000000000001, 0x45f306dc9c882a53, 0xf84eafa3ea69bb81, 0xb6c52b3278872083,
	0xfca2c757bd778ac3, 0x6e48dc74849ba5c0, 0x0c925dd413a32439, 0xfc3bd63962534e7d,
	0xd1046bea5d768909, 0xd338e04d68befc82, 0x7323ac7306a673e9, 0x3908bf177bf25076,
	0x3ff12fffbc0b301f, 0xde5e2316b414da3e, 0xda6cfd9e4f96136e, 0x9e8c7ecd3cbfd45a,
	0xea4f758fd7cbe2f6, 0x7a0e73ef14a525d4, 0xd7f6bf623f1aba10, 0xac06608df8f6d757,
}
)go";

}  // namespace exprjit::gojit
