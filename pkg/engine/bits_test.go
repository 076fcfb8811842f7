package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
)

// TestSameBitsEverywhere writes what the theory, the schedule and the
// portable functions compute, every value as its exact bits, and compares
// it with testdata/bits.golden, written on amd64 (go test -update): under
// GOARCH=arm64 and qemu (.ci/run), a difference in any last bit fails.
func TestSameBitsEverywhere(t *testing.T) {
	var b strings.Builder
	bits := func(label string, values ...float64) {
		fmt.Fprintf(&b, "%s:", label)
		for _, v := range values {
			fmt.Fprintf(&b, " %016x", math.Float64bits(v))
		}
		b.WriteByte('\n')
	}
	s := Settings{Alpha: 1e-4, RangeTo: 10, MaxIterations: 100}
	for k := 1; k <= s.MaxIterations; k += 9 {
		bits(fmt.Sprintf("range α_%d", k), s.AlphaAt(k))
	}
	for _, x := range []float64{1e-300, 0.001, 0.5, 1, 1 + 1e-12, 3, 1e10, 1e300} {
		bits(fmt.Sprintf("log, exp(-log), exp(log/7) of %g", x), Log(x), Exp(-Log(x)), Exp(Log(x)/7))
	}
	start := Network{Params: Params{W1: 2.74, W2: -1.13, W3: 0.36, W4: 0.63}}
	res, err := Descend(start, dosages, Settings{Alpha: 0.05, Tolerance: 1e-4, MaxIterations: 10000, Train: AllParams}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []Activation{Softplus, ReLU, Sigmoid} {
		for i, n := range []Network{article, res.Final} {
			n.Activation = act
			label := fmt.Sprintf("%v at the %s network", act, []string{"article", "converged"}[i])
			h := Hessian(n, dosages, AllParams)
			bits(label+": Hessian", h.Entries...)
			bits(label+": eigenvalues", h.Eigenvalues()...)
			bits(label+": 2/λ_max", StabilityLimit(n, dosages, AllParams))
		}
	}
	var first, last []float64
	rt, err := Descend(article, dosages, s, func(it *Iteration) error {
		if it.N == 1 {
			first = append(first, it.Step...)
		}
		last = append(last[:0], it.Step...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bits(fmt.Sprintf("range test: %v after %d iterations, final b3 and SSR, step rate", rt.Status, rt.Iterations),
		rt.Final.B3, rt.FinalSSR, StepRate(first, last, rt.Iterations))
	edge, _ := NewB3Descent(article, dosages, Settings{Tolerance: 1e-3, MaxIterations: 1000}).Edge()
	fmt.Fprintf(&b, "the article's edge (theory, math.Log): %.9g\n", edge)
	golden.Check(t, "testdata/bits.golden", []byte(b.String()))
}
