package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns how many float64 values lie between a and b.
func ulps(a, b float64) uint64 {
	x, y := math.Float64bits(a), math.Float64bits(b)
	if x > y {
		return x - y
	}
	return y - x
}

// TestPortableFunctionsAgreeWithMath checks exp and log1p against the
// standard library over the ranges softplus uses and beyond: they may
// differ in the last bits only, as math.Exp's assembly versions do from
// each other.
func TestPortableFunctionsAgreeWithMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var worstExp, worstLog uint64
	for range 200000 {
		x := rng.Float64()*1400 - 700
		worstExp = max(worstExp, ulps(exp(x), math.Exp(x)))
		y := math.Pow(10, rng.Float64()*40-30) // from 1e-30 to 1e10
		worstLog = max(worstLog, ulps(log1p(y), math.Log1p(y)))
		worstLog = max(worstLog, ulps(log1p(-y/(1+y)), math.Log1p(-y/(1+y))))
	}
	if worstExp > 2 || worstLog > 2 {
		t.Errorf("largest differences from the math package: exp %d ulps, log1p %d ulps; want at most 2", worstExp, worstLog)
	}
	specials := []struct {
		name      string
		got, want float64
	}{
		{"exp(0)", exp(0), 1},
		{"exp(1)", exp(1), math.E},
		{"exp(-Inf)", exp(math.Inf(-1)), 0},
		{"exp(+Inf)", exp(math.Inf(1)), math.Inf(1)},
		{"exp(800)", exp(800), math.Inf(1)},
		{"exp(-800)", exp(-800), 0},
		{"log1p(0)", log1p(0), 0},
		{"log1p(-1)", log1p(-1), math.Inf(-1)},
		{"log1p(+Inf)", log1p(math.Inf(1)), math.Inf(1)},
		{"log1p(e-1)", log1p(math.E - 1), 1},
	}
	for _, s := range specials {
		if s.got != s.want && ulps(s.got, s.want) > 1 {
			t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
		}
	}
	if !math.IsNaN(exp(math.NaN())) || !math.IsNaN(log1p(-2)) || !math.IsNaN(log1p(math.NaN())) {
		t.Errorf("exp(NaN), log1p(-2) and log1p(NaN) must be NaN")
	}
}
