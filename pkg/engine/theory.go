package engine

import "math"

// B3Descent is gradient descent on b3 alone, solved in closed form: the
// theory that searches for the stability edge and the fastest α are
// checked against, and that is printed beside their answers.
//
// SSR is quadratic in b3: with c_i the predictions at b3 = 0 and b3* the
// optimum (Optimum), SSR = SSR* + N·(b3 - b3*)², so the gradient is
// 2N·(b3 - b3*). Write e_k = b3 - b3* at iteration k (from 1), e_1 = e₀
// the starting error, and r = 1 - 2Nα. Each step is
//
//	step_k = α·2N·e_k,  e_{k+1} = e_k - step_k = r·e_k,
//
// so e_k = r^(k-1)·e₀ and |step_k| = 2Nα·|e₀|·|r|^(k-1). Descent with
// tolerance τ and at most K iterations converges at the first k <= K with
// |step_k| < τ. For α <= 1/N, |r| <= 1 and the steps never grow (nor does
// SSR, so the run cannot diverge): it converges iff the last allowed step
// is small enough,
//
//	2Nα·|e₀|·|r|^(K-1) < τ.
//
// For α > 1/N, |r| > 1 and the steps grow: it converges iff the first is
// already small enough, 2Nα·|e₀| < τ. Both read f(α) < τ with
//
//	f(α) = 2Nα·|e₀|·min(1, |r|)^(K-1).
//
// From α = 1/(2N), where r = 0 and the first step lands on b3* (f = 0 for
// K >= 2), f grows continuously with α: to 2|e₀| at α = 1/N, and beyond.
// So the α that converge end at the edge α_e with f(α_e) = τ: for 2|e₀| >= τ
// it lies in (1/(2N), 1/N], where with u = 2Nα - 1 in (0, 1] it solves
//
//	(1 + u)·|e₀|·u^(K-1) = τ,  α_e = (1 + u)/(2N),
//
// which tends to 1/N as K grows (u^(K-1) must stay near τ/(2|e₀|)); for
// 2|e₀| < τ the edge is past 1/N, at α_e = τ/(2N·|e₀|), and so it is for
// K = 1 (one step, which must be below τ). Below 1/(2N), f may exceed τ
// too (when |e₀|/(e·K) > τ, roughly: too small an α does not get there in
// K steps), which is a lower edge; Edge is the upper one.
//
// The fastest α is 1/(2N): the first step lands on b3*, and descent
// converges at iteration 2 (at 1 if |e₀| < τ already).
type B3Descent struct {
	N             int     // the number of data points
	Error         float64 // e₀ = b3 - b3* at the start
	Tolerance     float64 // τ
	MaxIterations int     // K
}

// NewB3Descent returns the closed form of descent on b3 alone from start
// over data, with the tolerance and the most iterations of s.
func NewB3Descent(start Network, data []Point, s Settings) B3Descent {
	return B3Descent{N: len(data), Error: start.B3 - Optimum(start, data), Tolerance: s.Tolerance, MaxIterations: s.MaxIterations}
}

// Step returns |step| at iteration k (from 1) with learning rate alpha:
// 2Nα·|e₀|·|1 - 2Nα|^(k-1). It uses math.Pow: it is theory to print and
// to test against, not arithmetic that results depend on.
func (d B3Descent) Step(alpha float64, k int) float64 {
	return 2 * float64(d.N) * alpha * math.Abs(d.Error) * math.Pow(ErrorFactor(alpha, d.N), float64(k-1))
}

// Converges reports whether descent with learning rate alpha converges
// within MaxIterations: whether the smallest |step| it can take, the last
// if the steps shrink (|1 - 2Nα| <= 1) or else the first, is below the
// tolerance.
func (d B3Descent) Converges(alpha float64) bool {
	k := d.MaxIterations
	if ErrorFactor(alpha, d.N) > 1 {
		k = 1
	}
	return d.Step(alpha, k) < d.Tolerance
}

// Fastest returns 1/(2N), the learning rate whose first step lands on b3*.
func (d B3Descent) Fastest() float64 {
	return 1 / float64(2*d.N)
}

// Edge returns the stability edge α_e: descent converges for α just
// below it, from 1/(2N) up, and does not converge at or above it (see
// B3Descent). It returns false, and +Inf, if every α converges: when the
// start is the optimum (e₀ = 0), whose first step is already 0.
//
// For 2|e₀| >= τ and K >= 2 it solves (1 + u)·|e₀|·u^(K-1) = τ for
// u = 1 - δ by bisection on δ in [0, 1], in logarithms (u^(K-1) underflows
// for large K), until the interval stops shrinking: the root is exact to
// a few units in the last place of α_e, far finer than a search's
// precision. It uses math.Log and math.Log1p, which may differ in the last
// bit between architectures; it is theory, printed beside a search's
// answer and compared with it at the search's precision.
func (d B3Descent) Edge() (float64, bool) {
	e0 := math.Abs(d.Error)
	n2 := float64(2 * d.N)
	switch {
	case e0 == 0:
		return math.Inf(1), false
	case d.MaxIterations < 2 || 2*e0 < d.Tolerance:
		return d.Tolerance / (n2 * e0), true
	}
	// g(δ) = ln((2 - δ)·|e₀|·(1 - δ)^(K-1)/τ) falls from g(0) >= 0 to
	// g(1) = -∞; its root is u = 1 - δ.
	g := func(delta float64) float64 {
		return math.Log(2-delta) + math.Log(e0) + float64(d.MaxIterations-1)*math.Log1p(-delta) - math.Log(d.Tolerance)
	}
	lo, hi := 0.0, 1.0
	for {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if g(mid) >= 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (2 - lo) / n2, true // the least α known not to converge
}
