package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// fivePoints is a second data set, of N = 5 points.
var fivePoints = []Point{{0, 0}, {0.25, 0.6}, {0.5, 1}, {0.75, 0.4}, {1, 0}}

// TestStabilityLimitOfB3IsOneOverN checks 2/λ_max for b3 alone: the
// Hessian is 2N whatever the network, so the limit is 1/N.
func TestStabilityLimitOfB3IsOneOverN(t *testing.T) {
	for _, data := range [][]Point{dosages, fivePoints} {
		for _, act := range []Activation{Softplus, ReLU, Sigmoid} {
			n := article
			n.Activation = act
			for _, b3 := range []float64{0, 2.6, -40} {
				n.B3 = b3
				want := 1 / float64(len(data))
				if got := StabilityLimit(n, data, NewParamSet(B3)); math.Abs(got-want) > 1e-12 {
					t.Errorf("N = %d, %v, b3 = %v: 2/λ_max = %.17g, want 1/N = %.17g", len(data), act, b3, got, want)
				}
			}
		}
	}
	if got := StabilityLimit(article, dosages, 0); got != 1.0/3 {
		t.Errorf("the empty train set: 2/λ_max = %v, want 1/3 (b3 alone)", got)
	}
}

// gradientOf returns the engine's gradient of SSR with respect to every
// parameter at n, from one iteration of Descend.
func gradientOf(t *testing.T, n Network, data []Point) []float64 {
	t.Helper()
	_, trace := descend(t, n, data, Settings{Alpha: 1e-9, Tolerance: 1e-300, MaxIterations: 1, Train: AllParams})
	return trace[0].Gradient
}

// finiteDifferenceHessian returns the Hessian of SSR at n by central
// differences of the engine's exact gradient, step h relative to each
// parameter's size, symmetrised. Its error is O(h²) from the third
// derivatives and O(ε/h) from rounding: about 1e-10 relative with h = 1e-5.
func finiteDifferenceHessian(t *testing.T, n Network, data []Point) [][]float64 {
	params := AllParams.List()
	h := make([][]float64, len(params))
	for j, p := range params {
		step := 1e-5 * max(1, math.Abs(n.Get(p)))
		up, down := n, n
		up.Set(p, n.Get(p)+step)
		down.Set(p, n.Get(p)-step)
		gu, gd := gradientOf(t, up, data), gradientOf(t, down, data)
		h[j] = make([]float64, len(params))
		for i := range params {
			h[j][i] = (gu[i] - gd[i]) / (2 * step)
		}
	}
	for i := range h {
		for j := range i {
			h[i][j] = (h[i][j] + h[j][i]) / 2
			h[j][i] = h[i][j]
		}
	}
	return h
}

// largestByPowerIteration returns the largest eigenvalue of a symmetric
// matrix by power iteration on m + c·I, with c its Frobenius norm, which
// makes every eigenvalue positive and the largest the dominant one: a
// method independent of the Jacobi rotations of Eigenvalues.
func largestByPowerIteration(m [][]float64) float64 {
	var c float64
	for _, row := range m {
		for _, v := range row {
			c += v * v
		}
	}
	c = math.Sqrt(c)
	v := make([]float64, len(m))
	for i := range v {
		v[i] = 1 + float64(i)/10
	}
	var lambda float64
	for range 200000 {
		w := make([]float64, len(m))
		var norm float64
		for i, row := range m {
			for j, x := range row {
				w[i] += x * v[j]
			}
			w[i] += c * v[i]
			norm += w[i] * w[i]
		}
		norm = math.Sqrt(norm)
		var dot, vv float64
		for i := range w {
			dot += v[i] * w[i]
			vv += v[i] * v[i]
			v[i] = w[i] / norm
		}
		next := dot/vv - c
		if next == lambda {
			break
		}
		lambda = next
	}
	return lambda
}

// TestHessianMatchesFiniteDifferences checks the exact Hessian of all
// seven parameters against central differences of the engine's gradient,
// entry by entry, and its 2/λ_max against that of the finite-difference
// Hessian, found by power iteration, to 1e-6 relative: at the article's
// network, at the minimum a run training every parameter converges to, and
// at random networks of each activation (away from ReLU's kinks).
func TestHessianMatchesFiniteDifferences(t *testing.T) {
	start := Network{Params: Params{W1: 2.74, W2: -1.13, W3: 0.36, W4: 0.63}}
	res, _ := descend(t, start, dosages, Settings{Alpha: 0.05, Tolerance: 1e-4, MaxIterations: 10000, Train: AllParams})
	if res.Status != Converged {
		t.Fatalf("the run training every parameter: %v", res.Status)
	}
	cases := []struct {
		name string
		n    Network
		data []Point
	}{
		{"article", article, dosages},
		{"converged, all trained", res.Final, dosages},
		{"five points", article, fivePoints},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, act := range []Activation{Softplus, ReLU, Sigmoid} {
		for trial := range 5 {
			n := Network{Activation: act, Params: Params{
				W1: rng.NormFloat64() * 3, B1: rng.NormFloat64(), W2: rng.NormFloat64() * 3, B2: rng.NormFloat64(),
				W3: rng.NormFloat64() * 2, W4: rng.NormFloat64() * 2, B3: rng.NormFloat64(),
			}}
			var data []Point
			for len(data) < 4 {
				pt := Point{X: rng.Float64()*2 - 0.5, Y: rng.NormFloat64()}
				if math.Abs(n.W1*pt.X+n.B1) > 0.05 && math.Abs(n.W2*pt.X+n.B2) > 0.05 {
					data = append(data, pt)
				}
			}
			cases = append(cases, struct {
				name string
				n    Network
				data []Point
			}{fmt.Sprintf("%v %d", act, trial), n, data})
		}
	}
	for _, c := range cases {
		exact := Hessian(c.n, c.data, AllParams)
		fd := finiteDifferenceHessian(t, c.n, c.data)
		var scale float64
		for _, v := range exact.Entries {
			scale = max(scale, math.Abs(v))
		}
		for i := range fd {
			for j := range fd {
				if d := math.Abs(exact.At(i, j) - fd[i][j]); d > 1e-7*max(scale, 1) {
					t.Errorf("%s: H[%v][%v] = %.12g, finite differences %.12g", c.name, Param(i), Param(j), exact.At(i, j), fd[i][j])
				}
			}
		}
		got := StabilityLimit(c.n, c.data, AllParams)
		lambda := largestByPowerIteration(fd)
		if lambda <= 0 {
			t.Errorf("%s: the finite-difference Hessian's largest eigenvalue is %v", c.name, lambda)
			continue
		}
		if want := 2 / lambda; math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: 2/λ_max = %.12g, from finite differences %.12g", c.name, got, want)
		}
	}
}

// TestHessianOfASubset checks that the Hessian of some parameters is the
// block of the whole Hessian in their rows and columns.
func TestHessianOfASubset(t *testing.T) {
	all := Hessian(article, dosages, AllParams)
	train := NewParamSet(W2, W3, B3)
	sub := Hessian(article, dosages, train)
	for i, a := range train.List() {
		for j, b := range train.List() {
			if sub.At(i, j) != all.At(int(a), int(b)) {
				t.Errorf("H[%v][%v] = %v in the subset, %v in the whole", a, b, sub.At(i, j), all.At(int(a), int(b)))
			}
		}
	}
}

// TestEigenvalues checks the Jacobi method on matrices whose eigenvalues
// are known: diagonal ones, the second-difference matrix (eigenvalues
// 2 - 2cos(kπ/(n+1))), and QΛQᵀ for random rotations Q and chosen Λ,
// among them repeated and negative eigenvalues.
func TestEigenvalues(t *testing.T) {
	check := func(name string, m Matrix, want []float64) {
		t.Helper()
		got := m.Eigenvalues()
		slices.Sort(want)
		scale := max(math.Abs(want[0]), math.Abs(want[len(want)-1]), 1e-300)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-13*scale {
				t.Errorf("%s: eigenvalues %v, want %v", name, got, want)
				return
			}
		}
	}
	check("diagonal", Matrix{N: 3, Entries: []float64{3, 0, 0, 0, -1, 0, 0, 0, 2}}, []float64{3, -1, 2})
	check("1 × 1", Matrix{N: 1, Entries: []float64{6}}, []float64{6})
	const n = 7
	second := Matrix{N: n, Entries: make([]float64, n*n)}
	var want []float64
	for i := range n {
		second.Entries[i*n+i] = 2
		if i > 0 {
			second.Entries[i*n+i-1], second.Entries[(i-1)*n+i] = -1, -1
		}
		want = append(want, 2-2*math.Cos(float64(i+1)*math.Pi/(n+1)))
	}
	check("second differences", second, want)

	rng := rand.New(rand.NewPCG(9, 10))
	for trial, lambda := range [][]float64{
		{1, 2, 3, 4, 5, 6, 7}, {1e6, 1, 1, 1, 1e-6, 0, -3}, {5, 5, 5, 5, 5, 5, 5}, {-2, -1, 0.5, 0.5, 8, 1e3, 30}, {2, 1},
	} {
		m := conjugate(lambda, rng)
		check(fmt.Sprintf("QΛQᵀ %d", trial), m, slices.Clone(lambda))
	}
	if got := (Matrix{N: 2, Entries: []float64{1, math.NaN(), math.NaN(), 1}}).Eigenvalues(); !math.IsNaN(got[0]) {
		t.Errorf("eigenvalues of a matrix with NaN: %v, want NaN", got)
	}
}

// conjugate returns QΛQᵀ for a random orthogonal Q, a product of
// Householder reflections.
func conjugate(lambda []float64, rng *rand.Rand) Matrix {
	n := len(lambda)
	q := make([][]float64, n)
	for i := range q {
		q[i] = make([]float64, n)
		q[i][i] = 1
	}
	for range 3 {
		v := make([]float64, n)
		var norm float64
		for i := range v {
			v[i] = rng.NormFloat64()
			norm += v[i] * v[i]
		}
		for _, row := range q { // q = q·(I - 2vvᵀ/|v|²)
			var dot float64
			for i := range v {
				dot += row[i] * v[i]
			}
			for i := range v {
				row[i] -= 2 * dot * v[i] / norm
			}
		}
	}
	m := Matrix{N: n, Entries: make([]float64, n*n)}
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += q[i][k] * lambda[k] * q[j][k]
			}
			m.Entries[i*n+j] = s
		}
	}
	for i := range n { // exactly symmetric
		for j := range i {
			m.Entries[i*n+j] = m.Entries[j*n+i]
		}
	}
	return m
}
