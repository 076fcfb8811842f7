package engine

import (
	"fmt"
	"math"
	"testing"
)

// b3Cases are descents on b3 alone whose edge the theory places in each
// of its regimes: below 1/N (many iterations), for one iteration, past
// 1/N (a start within τ/2 of the optimum), and for five data points.
var b3Cases = []struct {
	name  string
	start Network
	data  []Point
	s     Settings
}{
	{"article", article, dosages, Settings{Tolerance: 1e-3, MaxIterations: 1000}},
	{"article, 20 iterations", article, dosages, Settings{Tolerance: 1e-3, MaxIterations: 20}},
	{"article, 1 iteration", article, dosages, Settings{Tolerance: 1e-3, MaxIterations: 1}},
	{"near the optimum", withB3(article, Optimum(article, dosages)-1e-4), dosages, Settings{Tolerance: 1e-3, MaxIterations: 1000}},
	{"five points", article, fivePoints, Settings{Tolerance: 1e-4, MaxIterations: 5000}},
}

func withB3(n Network, b3 float64) Network {
	n.B3 = b3
	return n
}

// TestB3TheoryAgreesWithDescend runs descents on b3 alone and compares
// how they end with the closed form: converged or not at α over a range
// of both sides of the edge, the edge itself (a hair below converges, a
// hair above does not), the steps, and the fastest α.
func TestB3TheoryAgreesWithDescend(t *testing.T) {
	for _, c := range b3Cases {
		theory := NewB3Descent(c.start, c.data, c.s)
		edge, ok := theory.Edge()
		if !ok {
			t.Fatalf("%s: no edge", c.name)
		}
		run := func(alpha float64) (Result, []Iteration) {
			s := c.s
			s.Alpha = alpha
			return descend(t, c.start, c.data, s)
		}
		for _, f := range []float64{1 - 1e-9, 1 + 1e-9} {
			res, _ := run(edge * f)
			if got, want := res.Status == Converged, f < 1; got != want {
				t.Errorf("%s: α = edge %.12g × %v: %v after %d iterations", c.name, edge, f, res.Status, res.Iterations)
			}
		}
		for k := 1; k <= 200; k++ {
			alpha := float64(k) / 100 * edge * 1.5 // from 1.5% to 300% of the edge
			if math.Abs(alpha/edge-1) < 1e-6 {
				continue
			}
			res, trace := run(alpha)
			if got, want := res.Status == Converged, theory.Converges(alpha); got != want {
				t.Errorf("%s: α = %.6g: %v after %d iterations, theory says converged = %v", c.name, alpha, res.Status, res.Iterations, want)
			}
			for _, it := range trace[:min(len(trace), 30)] {
				if got, want := math.Abs(it.Step[0]), theory.Step(alpha, it.N); math.Abs(got-want) > 1e-9*max(want, 1e-300) && want > 1e-250 {
					t.Fatalf("%s: α = %.6g, iteration %d: |step| = %.12g, theory %.12g", c.name, alpha, it.N, got, want)
				}
			}
		}
		if res, _ := run(theory.Fastest()); c.s.MaxIterations >= 2 && (res.Status != Converged || res.Iterations > 2) {
			t.Errorf("%s: α = 1/(2N): %v after %d iterations, want converged after at most 2", c.name, res.Status, res.Iterations)
		}
	}
}

// TestB3EdgeTendsToOneOverN checks that the edge rises towards 1/N as the
// iterations allowed grow, staying below it.
func TestB3EdgeTendsToOneOverN(t *testing.T) {
	limit := 1 / float64(len(dosages))
	previous := 0.0
	for _, k := range []int{10, 100, 1000, 10000, 100000, 1000000} {
		edge, _ := NewB3Descent(article, dosages, Settings{Tolerance: 1e-3, MaxIterations: k}).Edge()
		if edge <= previous || edge >= limit {
			t.Errorf("K = %d: edge %.15g, want between the previous %.15g and 1/N", k, edge, previous)
		}
		previous = edge
	}
	if limit-previous > 1e-5 {
		t.Errorf("K = 1e6: edge %.15g is %g below 1/N", previous, limit-previous)
	}
	if edge, ok := NewB3Descent(withB3(article, Optimum(article, dosages)), dosages, Settings{Tolerance: 1e-3, MaxIterations: 10}).Edge(); ok {
		t.Errorf("from the optimum: edge %v; every α converges, so there is none", edge)
	}
}

// ExampleB3Descent prints the article's closed forms: its stability edge
// for 1000 iterations and tolerance 0.001, and its fastest α.
func ExampleB3Descent() {
	data := []Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}}
	start := Network{Params: Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	theory := NewB3Descent(start, data, Settings{Tolerance: 0.001, MaxIterations: 1000})
	edge, _ := theory.Edge()
	fmt.Printf("edge %.9f (1/N = %.9f), fastest %.9f\n", edge, 1.0/3, theory.Fastest())
	// Output:
	// edge 0.331912056 (1/N = 0.333333333), fastest 0.166666667
}
