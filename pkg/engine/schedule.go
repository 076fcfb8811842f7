package engine

import (
	"errors"
	"math"
)

// ErrStop is what an observer of Descend returns to end the run at the
// iteration it was given, with status Stopped and no error: a range
// test's observer does so once the smoothed SSR runs away.
var ErrStop = errors.New("engine: run stopped by its observer")

// AlphaAt returns the learning rate of iteration k (from 1): Alpha, or for
// a range test (RangeTo not zero)
//
//	α_k = Alpha · (RangeTo/Alpha)^((k-1)/(MaxIterations-1)),
//
// Alpha at iteration 1 and RangeTo at iteration MaxIterations exactly.
// Each α is computed from its iteration number with the package's portable
// exp and log (see Geometric), not by repeated multiplication, so that
// rounding does not accumulate over the run, and every α is the same bits
// on every architecture.
func (s Settings) AlphaAt(k int) float64 {
	switch {
	case s.RangeTo == 0 || k <= 1 || s.MaxIterations <= 1:
		return s.Alpha
	case k >= s.MaxIterations:
		return s.RangeTo
	}
	return Geometric(s.Alpha, s.RangeTo, float64(k-1)/float64(s.MaxIterations-1))
}

// Geometric returns the value a fraction t of the way from `from` to `to`
// on a log scale, from·(to/from)^t, computed as from·exp(t·log(to/from))
// with the portable exp and log of this package: the same bits on every
// architecture, where math.Pow, math.Exp and math.Log may differ in the
// last bit. from and to must be non-zero and of the same sign.
func Geometric(from, to, t float64) float64 {
	return float64(from * exp(float64(t*log(to/from))))
}

// Exp returns e**x as math.Exp does, with the same bits on every
// architecture (math.Exp runs assembly on amd64 and arm64, whose results
// may differ in the last bit). Callers whose results decide what runs,
// such as a search's proposals, use it rather than math.Exp.
func Exp(x float64) float64 {
	return exp(x)
}

// Log returns the natural logarithm of x as math.Log does, with the same
// bits on every architecture (math.Log runs assembly on amd64).
func Log(x float64) float64 {
	return log(x)
}

// StepRate returns the geometric mean factor by which a run's largest
// |step| shrank per iteration, (s_n/s_1)^(1/(n-1)), where s_k is the
// largest |step| over the trained parameters at iteration k, first and
// last are the steps of iterations 1 and n, and n is the number of
// iterations. For b3 alone every step is 1 - 2·N·α times the one before,
// so the rate is ErrorFactor(α, N), up to rounding. It is 0 for a run of
// one iteration, which has no rate to measure, and when the last step is
// 0; it is computed with the portable exp and log, so the same bits
// everywhere.
func StepRate(first, last []float64, iterations int) float64 {
	s1, sn := largestAbs(first), largestAbs(last)
	if iterations < 2 || sn == 0 || s1 == 0 {
		return 0
	}
	return exp(log(sn/s1) / float64(iterations-1))
}

// largestAbs returns the largest |v| of values.
func largestAbs(values []float64) float64 {
	var m float64
	for _, v := range values {
		m = max(m, math.Abs(v))
	}
	return m
}
