package engine

import "math"

// Matrix is a square matrix of N rows and N columns, its entries row by
// row.
type Matrix struct {
	N       int
	Entries []float64
}

// At returns the entry in row i, column j (from 0).
func (m Matrix) At(i, j int) float64 {
	return m.Entries[i*m.N+j]
}

// curvature returns the activation's second derivative at z: for
// softplus, whose derivative is the sigmoid σ, σ' = σ(1 - σ); for the
// sigmoid s, s(1 - s)(1 - 2s); for ReLU, 0 (its kink at 0 has no second
// derivative, and Descend takes its derivative there as 0).
func (a Activation) curvature(z float64) float64 {
	switch a {
	case ReLU:
		return 0
	case Sigmoid:
		s, ds := Sigmoid.apply(z)
		return float64(ds * (1 - float64(2*s)))
	}
	_, ds := Sigmoid.apply(z)
	return ds
}

// Hessian returns the Hessian of SSR with respect to the trained
// parameters (train; the empty set means b3 alone, as in Settings), in
// trace order (w1, b1, w2, b2, w3, w4, b3), at the network n: the exact
// second derivatives, from the chain rule through the network, not finite
// differences.
//
// With r_i = y_i - p_i the residual at point i and p the prediction,
// SSR = Σ r_i², so
//
//	∂²SSR/∂a∂b = Σ_i 2·(∂p/∂a)(∂p/∂b) - 2·r_i·∂²p/∂a∂b,
//
// where ∂p/∂w1 = w3·h'(z1)·x, ∂p/∂b1 = w3·h'(z1), ∂p/∂w3 = h(z1), ∂p/∂b3 =
// 1 (and likewise for node 2 with w2, b2, w4), and the only second
// derivatives of p that are not 0 are, for node 1,
//
//	∂²p/∂w1² = w3·h''(z1)·x², ∂²p/∂w1∂b1 = w3·h''(z1)·x, ∂²p/∂b1² = w3·h''(z1),
//	∂²p/∂w1∂w3 = h'(z1)·x,    ∂²p/∂b1∂w3 = h'(z1),
//
// and the same for node 2. For b3 alone the Hessian is 2N. The arithmetic
// is written as Descend's (each product rounded on its own, the portable
// exp), so the Hessian is the same bits on every architecture.
func Hessian(n Network, data []Point, train ParamSet) Matrix {
	if train == 0 {
		train = NewParamSet(B3)
	}
	params := train.List()
	k := len(params)
	h := Matrix{N: k, Entries: make([]float64, k*k)}
	for _, pt := range data {
		g, q, r := n.secondOrder(pt)
		for i, a := range params {
			for j := i; j < k; j++ {
				b := params[j]
				h.Entries[i*k+j] += float64(float64(2*g[a])*g[b]) - float64(float64(2*r)*q[a][b])
			}
		}
	}
	for i := range k {
		for j := range i {
			h.Entries[i*k+j] = h.Entries[j*k+i]
		}
	}
	return h
}

// secondOrder returns, at one data point, the gradient of the prediction
// with respect to every parameter, its second derivatives (the upper
// triangle, in trace order), and the residual y - p.
func (n *Network) secondOrder(pt Point) (g [numParams]float64, q [numParams][numParams]float64, r float64) {
	x := pt.X
	z1, z2 := float64(n.W1*x)+n.B1, float64(n.W2*x)+n.B2
	h1, d1 := n.Activation.apply(z1)
	h2, d2 := n.Activation.apply(z2)
	c1, c2 := n.Activation.curvature(z1), n.Activation.curvature(z2)
	r = pt.Y - (float64(n.W3*h1) + float64(n.W4*h2) + n.B3)

	g[B1], g[B2] = float64(n.W3*d1), float64(n.W4*d2)
	g[W1], g[W2] = float64(g[B1]*x), float64(g[B2]*x)
	g[W3], g[W4], g[B3] = h1, h2, 1

	node := func(w, b, out Param, weight, d, c float64) {
		wc := float64(weight * c)
		q[w][w] = float64(wc * float64(x*x))
		q[w][b] = float64(wc * x)
		q[b][b] = wc
		q[w][out] = float64(d * x)
		q[b][out] = d
	}
	node(W1, B1, W3, n.W3, d1, c1)
	node(W2, B2, W4, n.W4, d2, c2)
	return g, q, r
}

// StabilityLimit returns 2/λ_max, where λ_max is the largest eigenvalue
// of the Hessian of SSR with respect to the trained parameters at the
// network n (see Hessian): the largest α for which gradient descent near
// n, where SSR is close to its quadratic model, does not grow along the
// direction of strongest curvature. For b3 alone the Hessian is 2N, so the
// limit is 1/N. It is +Inf when λ_max <= 0 (no direction curves upward,
// so no α makes the quadratic model's steps grow for being too large; n
// is then no minimum, and the limit says nothing about convergence), and
// NaN when the Hessian is not finite.
func StabilityLimit(n Network, data []Point, train ParamSet) float64 {
	eigen := Hessian(n, data, train).Eigenvalues()
	largest := eigen[len(eigen)-1]
	switch {
	case math.IsNaN(largest):
		return math.NaN()
	case largest <= 0:
		return math.Inf(1)
	}
	return 2 / largest
}
