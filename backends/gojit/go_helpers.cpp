// go_helpers.cpp — the Go functions every generated file ends with: the language's
// semantics where Go's operators differ (truth, comparisons as 1/0, sign, min, max, clamp)
// and, for the functions where Go's math package strays far from the C library, more
// accurate versions (docs/jit.md, "Accuracy").  builtins.def's "go" column names them.
#include "backends/gojit/go_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <vector>

namespace exprjit::gojit {

const char kGoHelpers[] = R"go(
// ejB is a comparison's or a logical operator's value: 1 or 0.
func ejB(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

// ejSq is x^2: the correctly rounded square (what ejPow(x, 2) computes, faster).
func ejSq(x float64) float64 { return float64(x * x) }

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

// ejTwoSum returns a+b as s plus the exact rounding error e (Knuth).
func ejTwoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// ejReduce returns q and r = rh + rl with x = q·π/2 + r, |r| <= ~π/4, for π/4 < |x| < 2^30:
// π/2 in three parts, exact products by FMA, compensated sums.  Go's own Cody–Waite
// reduction loses the relative accuracy of results near multiples of π/2 (sin(π) was 7 ulp
// off, sin near 1e5·π/2 up to 5e5 ulp).
func ejReduce(x float64) (q int64, rh, rl float64) {
	p1 := math.Float64frombits(0x3ff921fb54442d18) // π/2 = p1 + p2 + p3 + O(2^-160)
	p2 := math.Float64frombits(0x3c91a62633145c07)
	p3 := math.Float64frombits(0xb91f1976b7ed8fbc)
	// round(x·2/π) by adding and subtracting 1.5·2^52 (|x·2/π| < 2^31 here)
	j := float64(float64(x*math.Float64frombits(0x3fe45f306dc9c883))+math.Float64frombits(0x4338000000000000)) - math.Float64frombits(0x4338000000000000)
	h1 := float64(j * p1)
	l1 := math.FMA(j, p1, -h1)
	h2 := float64(j * p2)
	l2 := math.FMA(j, p2, -h2)
	a, e1 := ejTwoSum(x-h1, -h2) // x-h1 is exact (Sterbenz)
	a, e2 := ejTwoSum(a, -l1)
	e := float64(float64(e1+e2)-l2) - float64(j*p3)
	rh = a + e
	return int64(j), rh, e - (rh - a)
}

// ejTrigGo: |x| <= π/4 (Go's polynomials, no reduction), NaN, ±Inf, or |x| >= 2^30 (Go's
// Payne–Hanek reduction) go to Go's functions as they are.
func ejTrigGo(x float64) bool {
	ax := math.Abs(x)
	return !(ax > math.Float64frombits(0x3fe921fb54442d18)) || !(ax < math.Float64frombits(0x41d0000000000000))
}

// ejTrigKeep: for |x| < 2^20 Go's own reduction is good to about 2^-80 (absolute), so its
// result v stands when 2^-22 <= |v| <= 2^22 (then also clear of Go's tan shortcut).
func ejTrigKeep(x, v float64) bool {
	av := math.Abs(v)
	return math.Abs(x) < math.Float64frombits(0x4130000000000000) &&
		av >= math.Float64frombits(0x3e90000000000000) && av <= math.Float64frombits(0x4150000000000000)
}

// ejSin is sin(x): Go's, unless the result is tiny (x near a multiple of π) or |x| >= 2^20;
// then Go's polynomial after the accurate reduction.  With r = rh + rl,
// sin r = sin rh + rl·(1 - rh²/2) and cos r = cos rh - rl·rh to far below an ulp, since
// |rl| <= ulp(rh)/2.
func ejSin(x float64) float64 {
	v := ejSinGo(x)
	if ejTrigGo(x) || ejTrigKeep(x, v) {
		return v
	}
	q, rh, rl := ejReduce(x)
	if q&1 == 0 {
		v = ejSinGo(rh) + float64(rl*float64(1-float64(0.5*float64(rh*rh))))
	} else {
		v = ejCosGo(rh) - float64(rl*rh)
	}
	if q&2 != 0 {
		return -v
	}
	return v
}

// ejCos is cos(x), like ejSin.
func ejCos(x float64) float64 {
	v := ejCosGo(x)
	if ejTrigGo(x) || ejTrigKeep(x, v) {
		return v
	}
	q, rh, rl := ejReduce(x)
	if q&1 == 0 {
		v = ejCosGo(rh) - float64(rl*rh)
	} else {
		v = -(ejSinGo(rh) + float64(rl*float64(1-float64(0.5*float64(rh*rh)))))
	}
	if q&2 != 0 {
		return -v
	}
	return v
}

// ejTanr is math.Tan without its shortcut tan(x) = x for x² < 1e-14, which drops the
// cubic term (24 ulp near |x| = 1e-7).
func ejTanr(x float64) float64 {
	if ax := math.Abs(x); ax > math.Float64frombits(0x3e40000000000000) && ax < math.Float64frombits(0x3e90000000000000) {
		return x + float64(float64(float64(x*x)*x)*math.Float64frombits(0x3fd5555555555555)) // x + x³/3
	}
	return ejTanGo(x)
}

// ejTan is tan(x), like ejSin.
func ejTan(x float64) float64 {
	if ejTrigGo(x) {
		return ejTanr(x)
	}
	if v := ejTanGo(x); ejTrigKeep(x, v) {
		return v
	}
	q, rh, rl := ejReduce(x)
	t := ejTanr(rh)
	t = t + float64(rl*float64(1+float64(t*t)))
	if q&1 != 0 {
		return -1 / t
	}
	return t
}

// ejLog10 is log10(x) = log(x)/ln 10, as Go computes it, but over ejLog.
func ejLog10(x float64) float64 {
	return float64(ejLog(x) * math.Float64frombits(0x3fdbcb7b1526e50e)) // 1/ln 10
}

// ejLog2 is log2(x) with the fraction in [√½, √2): Go's [½, 1) cancels near x = 1.
func ejLog2(x float64) float64 {
	frac, exp := math.Frexp(x)
	if frac == 0.5 {
		return float64(exp - 1)
	}
	if frac < math.Float64frombits(0x3fe6a09e667f3bcd) { // √½
		frac, exp = frac*2, exp-1
	}
	return float64(ejLog(frac)*math.Float64frombits(0x3ff71547652b82fe)) + float64(exp) // 1/ln 2
}

// ejAsin is asin(x); for |x| > 0.7 it is π/2 - 2·asin(√((1-|x|)/2)): Go's 1-x·x cancels.
func ejAsin(x float64) float64 {
	ax := math.Abs(x)
	if !(ax > 0.7) || ax > 1 {
		return math.Asin(x)
	}
	a := float64(2 * math.Asin(math.Sqrt(float64((1-ax)*0.5))))
	return math.Copysign(math.Float64frombits(0x3ff921fb54442d18)-(a-math.Float64frombits(0x3c91a62633145c07)), x)
}

// ejAcos is acos(x); Go's π/2 - asin(x) cancels near x = 1.
func ejAcos(x float64) float64 {
	switch {
	case !(math.Abs(x) <= 1):
		return math.Acos(x)
	case x > 0.5:
		return float64(2 * math.Asin(math.Sqrt(float64((1-x)*0.5))))
	case x < -0.5:
		a := float64(2 * math.Asin(math.Sqrt(float64((1+x)*0.5))))
		return math.Float64frombits(0x400921fb54442d18) - (a - math.Float64frombits(0x3ca1a62633145c07)) // π - a
	}
	return math.Float64frombits(0x3ff921fb54442d18) - (math.Asin(x) - math.Float64frombits(0x3c91a62633145c07))
}

// ejHalfExpBig is exp(x)/2 for 709 < x < 711 as exp(x - 65·ln 2)·2^64 (x - 65·ln2_hi is
// exact; the low part is carried).
func ejHalfExpBig(x float64) float64 {
	h, e := ejTwoSum(x-float64(65*math.Float64frombits(0x3fe62e42fee00000)), -float64(65*math.Float64frombits(0x3dea39ef35793c76)))
	r := ejExpGo(h)
	return float64(float64(r+float64(r*e)) * math.Float64frombits(0x43f0000000000000))
}

// ejSinh is sinh(x); Go's computes exp(|x|)/2 and so overflows for 709.78 < |x| < 710.48,
// where the result is finite.
func ejSinh(x float64) float64 {
	if ax := math.Abs(x); ax > 709 && ax < 711 {
		return math.Copysign(ejHalfExpBig(ax), x)
	}
	return ejSinhGo(x)
}

// ejCosh is cosh(x), like ejSinh.
func ejCosh(x float64) float64 {
	if ax := math.Abs(x); ax > 709 && ax < 711 {
		return ejHalfExpBig(ax)
	}
	return ejCoshGo(x)
}

// ejExpDD is exp(h + l) for a double-double h + l; for 709 < h < 710 it computes
// exp(h - 64·ln 2)·2^64 (Go's amd64 Exp returned +Inf for 709.44 < x < 709.78).
func ejExpDD(h, l float64) float64 {
	if h > 709 && h < 710 {
		h, e := ejTwoSum(h-float64(64*math.Float64frombits(0x3fe62e42fee00000)), -float64(64*math.Float64frombits(0x3dea39ef35793c76)))
		r := ejExpGo(h)
		return float64(float64(r+float64(r*float64(l+e))) * math.Float64frombits(0x43f0000000000000))
	}
	r := ejExpGo(h)
	if r == 0 || math.IsInf(r, 0) {
		return r
	}
	return r + float64(r*l)
}

// ejExp is exp(x) (see ejExpDD).
func ejExp(x float64) float64 { return ejExpDD(x, 0) }

// ejMulDD is (ah+al)·(bh+bl) in double-double (exact products by FMA).
func ejMulDD(ah, al, bh, bl float64) (float64, float64) {
	p := float64(ah * bh)
	if p == 0 || math.IsInf(p, 0) {
		return p, 0
	}
	e := math.FMA(ah, bh, -p) + float64(float64(ah*bl)+float64(al*bh))
	s := p + e
	return s, e - (s - p)
}

// ejPowInt is (xh+xl)^n for 1 <= n <= 1024 by binary powering in double-double: exact
// powers stay exact, the others are rounded once (up to ~2^-100).
func ejPowInt(xh, xl float64, n int) float64 {
	rh, rl := 1.0, 0.0
	for {
		if n&1 != 0 {
			rh, rl = ejMulDD(rh, rl, xh, xl)
		}
		n >>= 1
		if n == 0 {
			return rh + rl
		}
		xh, xl = ejMulDD(xh, xl, xh, xl)
	}
}

// ejLogDD is log(x) for finite x > 0 as a double-double good to about 2^-66 of its size:
// x = m·2^e with m in [√½, √2], log m = 2·atanh(s), s = (m-1)/(m+1), the first two terms
// of the series in double-double, the rest (to s²⁷) in double by Estrin's scheme.
func ejLogDD(x float64) (float64, float64) {
	b := math.Float64bits(x)
	var e int
	if b < 0x0010000000000000 { // subnormal: normalise first
		x *= math.Float64frombits(0x4350000000000000) // 2^54
		b = math.Float64bits(x)
		e = -54
	}
	e += int(b>>52) - 1023
	m := math.Float64frombits(b&0x000fffffffffffff | 0x3ff0000000000000) // [1, 2)
	if m > math.Float64frombits(0x3ff6a09e667f3bcd) { // √2
		m, e = m*0.5, e+1
	}
	n := m - 1 // exact
	dh, dl := ejTwoSum(m, 1)
	inv := 1 / dh
	sh := float64(n * inv)
	sl := float64(float64(math.FMA(-sh, dh, n)-float64(sh*dl)) * inv)
	s2h := float64(sh * sh)
	s2l := math.FMA(sh, sh, -s2h) + float64(float64(2*sh)*sl)
	s3h := float64(s2h * sh)
	s3l := math.FMA(s2h, sh, -s3h) + float64(float64(s2h*sl)+float64(s2l*sh))
	c3h, c3l := math.Float64frombits(0x3fe5555555555555), math.Float64frombits(0x3c85555555555555) // 2/3
	t1h := float64(c3h * s3h)
	t1l := math.FMA(c3h, s3h, -t1h) + float64(float64(c3h*s3l)+float64(c3l*s3h))
	// 2/5 + 2/7·u + ... + 2/27·u¹¹ by Estrin's scheme (short dependency chains)
	u := s2h
	u2 := float64(u * u)
	u4 := float64(u2 * u2)
	u8 := float64(u4 * u4)
	p01 := float64(2.0/5 + float64(u*(2.0/7)))
	p23 := float64(2.0/9 + float64(u*(2.0/11)))
	p45 := float64(2.0/13 + float64(u*(2.0/15)))
	p67 := float64(2.0/17 + float64(u*(2.0/19)))
	p89 := float64(2.0/21 + float64(u*(2.0/23)))
	pab := float64(2.0/25 + float64(u*(2.0/27)))
	q0 := float64(p01 + float64(u2*p23))
	q1 := float64(p45 + float64(u2*p67))
	q2 := float64(p89 + float64(u2*pab))
	p := float64(float64(q0+float64(u4*q1)) + float64(u8*q2))
	t2 := float64(float64(s3h*u) * p)
	a, e1 := ejTwoSum(2*sh, t1h)
	lo := float64(float64(float64(e1+2*sl)+t1l) + t2)
	fe := float64(e)
	hb, e2 := ejTwoSum(float64(fe*math.Float64frombits(0x3fe62e42fee00000)), a)
	lo = float64(float64(e2+lo) + float64(fe*math.Float64frombits(0x3dea39ef35793c76)))
	lh := hb + lo
	return lh, lo - (lh - hb)
}

// ejPow is pow(x, y) and x^y.  Go's math.Pow is up to 14 ulp off for moderate arguments,
// hundreds for large x and wrong for subnormal x; this is within a few ulp of glibc:
// integer |y| <= 1024 by double-double powering, else exp(y·log x) with log x in
// double-double.  Special values follow C99 (ejPowSpecial).
func ejPow(x, y float64) float64 {
	ax := math.Abs(x)
	if !(ax > 0 && ax < math.Inf(1)) || !(math.Abs(y) < math.Inf(1)) || y == 0 || ax == 1 {
		return ejPowSpecial(x, y)
	}
	yi := ejTrunc(y)
	yf := y - yi
	if x < 0 && yf != 0 {
		return math.NaN()
	}
	var r float64
	if yf == 0 && math.Abs(yi) <= 1024 {
		bh, bl := ax, 0.0
		if y < 0 {
			bh = 1 / ax
			bl = math.FMA(-bh, ax, 1) / ax
		}
		r = ejPowInt(bh, bl, int(math.Abs(yi)))
	} else {
		lh, ll := ejLogDD(ax)
		zh := float64(y * lh)
		r = ejExpDD(zh, math.FMA(y, lh, -zh)+float64(y*ll))
	}
	if x < 0 && math.Mod(yi, 2) != 0 {
		return -r
	}
	return r
}
)go";

namespace {

struct Chunk {
  std::string name;               // the function's name
  std::string text;               // its doc comment and body, ending in a blank line
  std::vector<std::size_t> deps;  // the helpers it calls (indices)
};

// The next top-level declaration (a function or a variable) at or after from.
std::size_t next_decl(std::string_view text, std::size_t from) {
  return std::min(text.find("\nfunc ", from), text.find("\nvar ", from));
}

// kGoHelpers, kGoTrigHelpers and kGoMathHelpers cut into declarations; computed once, immutable afterwards.
const std::vector<Chunk>& chunks() {
  static const std::string joined = std::string(kGoHelpers) + kGoTrigHelpers + kGoMathHelpers;
  static const std::vector<Chunk> all = [] {
    std::vector<Chunk> out;
    const std::string_view text = joined;
    std::size_t pos = next_decl(text, 0);
    while (pos != std::string_view::npos) {
      std::size_t start = text.rfind("\n\n", pos);  // the doc comment above
      start = start == std::string_view::npos ? 0 : start + 2;
      std::size_t next = next_decl(text, pos + 1);
      std::size_t end = next == std::string_view::npos ? text.size() : text.rfind("\n\n", next) + 2;
      const std::size_t name_at = text.find(' ', pos + 1) + 1;
      const std::size_t name_end = text.find_first_of("( ", name_at);
      Chunk ch{std::string(text.substr(name_at, name_end - name_at)), std::string(text.substr(start, end - start)), {}};
      while (!ch.text.empty() && ch.text.back() == '\n') ch.text.pop_back();
      ch.text += "\n";
      out.push_back(std::move(ch));
      pos = next;
    }
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t i = 0; i < out.size(); ++i) index.emplace(out[i].name, i);
    for (Chunk& ch : out)  // every ejXxx the body mentions that is another helper
      for (std::size_t at = ch.text.find("ej"); at != std::string::npos; at = ch.text.find("ej", at + 2)) {
        std::size_t e = at + 2;
        while (e < ch.text.size() && std::isalnum(static_cast<unsigned char>(ch.text[e]))) ++e;
        auto it = index.find(std::string_view(ch.text).substr(at, e - at));
        if (it != index.end() && it->first != ch.name) ch.deps.push_back(it->second);
      }
    return out;
  }();
  return all;
}

}  // namespace

std::string go_helpers_for(const std::set<std::string>& used) {
  const std::vector<Chunk>& all = chunks();
  std::vector<bool> take(all.size(), false);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (used.count(all[i].name)) pending.push_back(i);
  while (!pending.empty()) {
    std::size_t i = pending.back();
    pending.pop_back();
    if (take[i]) continue;
    take[i] = true;
    for (std::size_t d : all[i].deps) pending.push_back(d);
  }
  std::string out;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (take[i]) out += "\n" + all[i].text;
  if (!out.empty()) out = "\n// ---- exprjit helpers (fixed text; only those this file calls) ----\n" + out;
  return out;
}

}  // namespace exprjit::gojit
