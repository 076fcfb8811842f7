package search

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/pkg/engine"
)

// TestSameSearchesEverywhere writes every round of searches on the
// article's problem, b3 alone and all seven parameters, each value and
// rate as its exact bits, with their answers, and the points and
// suggestions of a range test, and compares them with
// testdata/searches.golden, written on amd64 (go test -update): under
// GOARCH=arm64 and qemu (.ci/run), a search that proposed a different
// value, by a single bit, fails.
func TestSameSearchesEverywhere(t *testing.T) {
	var b strings.Builder
	bits := func(v float64) string { return fmt.Sprintf("%016x", math.Float64bits(v)) }
	for _, c := range []struct {
		name string
		p    problem
		spec Spec
	}{
		{"article", article, Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 1}},
		{"article", article, Spec{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 1}},
		{"article", article, Spec{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 4}},
		{"all seven", allSeven, Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 4}},
		{"all seven", allSeven, Spec{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 3}},
	} {
		a, rounds := drive(t, c.spec, c.p.probe, nil)
		fmt.Fprintf(&b, "%s: %v from %g to %g, width %d\n", c.name, c.spec.Find, c.spec.From, c.spec.To, c.spec.Width)
		for i, round := range rounds {
			fmt.Fprintf(&b, "  round %d:", i+1)
			for _, p := range round {
				fmt.Fprintf(&b, " %.17g %v %d %s;", p.Value, p.Status, p.Iterations, bits(p.Rate))
			}
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  answer: best %.17g, bracket [%.17g, %.17g], width %s, reached %v, %d runs\n",
			a.Best.Value, a.Low, a.High, bits(a.Width), a.Reached, a.Runs)
	}
	spec := Spec{Find: LRRange, From: 1e-4, To: 10, Scale: Log}
	s := spec.RangeSettings(engine.Settings{})
	test := NewRangeTest(s)
	if _, err := engine.Descend(articleStart, dosages, s, test.Observe); err != nil {
		t.Fatal(err)
	}
	a := test.Analysis()
	fmt.Fprintf(&b, "range test from %g to %g: %d points, stopped %v\n", spec.From, spec.To, len(a.Points), a.Stopped)
	for _, p := range a.Points {
		fmt.Fprintf(&b, "  %d: %s %s %s\n", p.Iteration, bits(p.Alpha), bits(p.SSR), bits(p.Smoothed))
	}
	for _, sg := range a.Suggestions {
		fmt.Fprintf(&b, "  %v: %.17g (point %d)\n", sg.Rule, sg.Alpha, sg.Point)
	}
	golden.Check(t, "testdata/searches.golden", []byte(b.String()))
}
