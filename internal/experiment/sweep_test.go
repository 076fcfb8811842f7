package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

const sweepBase = `
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
`

// Bases for sweeps of w1 and of tolerance, which may then not be set.
const (
	sweepBaseW1 = `
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
`
	sweepBaseTolerance = `
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
`
)

// listRuns parses one experiment and lists its runs as "ID: settings".
func listRuns(t *testing.T, doc string) []string {
	t.Helper()
	exps, errs := Parse("sweep.yaml", []byte(doc))
	if errs != nil {
		t.Fatalf("Parse:\n%v", errs)
	}
	e := exps[0]
	var runs []string
	for i := range e.RunCount() {
		r := e.Run(i)
		runs = append(runs, fmt.Sprintf("%s: alpha %v b3 %v tolerance %v max %d w1 %v",
			r.ID, r.Settings.Alpha, r.Start.B3, r.Settings.Tolerance, r.Settings.MaxIterations, r.Start.W1))
	}
	return runs
}

func TestExpansion(t *testing.T) {
	tests := []struct {
		name, base, doc string
		want            []string
	}{{
		name: "no sweep: one run named after the experiment",
		doc:  "name: plain\nalpha: 0.1\n",
		want: []string{"plain: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 3.34"},
	}, {
		name: "list",
		doc:  "name: lr\nsweep: {alpha: [0.01, 0.05, 0.1]}\n",
		want: []string{
			"lr/alpha=0.01: alpha 0.01 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lr/alpha=0.05: alpha 0.05 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lr/alpha=0.1: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 3.34",
		},
	}, {
		name: "linear range: clean values, both ends included",
		doc:  "name: lin\nsweep: {alpha: {from: 0.1, to: 0.5, count: 5}}\n",
		want: []string{
			"lin/alpha=0.1: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lin/alpha=0.2: alpha 0.2 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lin/alpha=0.3: alpha 0.3 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lin/alpha=0.4: alpha 0.4 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"lin/alpha=0.5: alpha 0.5 b3 0 tolerance 0.001 max 1000 w1 3.34",
		},
	}, {
		name: "log range",
		base: sweepBaseTolerance,
		doc:  "name: log\nalpha: 0.1\nsweep: {tolerance: {from: 1e-4, to: 1, count: 5, scale: log}}\n",
		want: []string{
			"log/tolerance=0.0001: alpha 0.1 b3 0 tolerance 0.0001 max 1000 w1 3.34",
			"log/tolerance=0.001: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 3.34",
			"log/tolerance=0.01: alpha 0.1 b3 0 tolerance 0.01 max 1000 w1 3.34",
			"log/tolerance=0.1: alpha 0.1 b3 0 tolerance 0.1 max 1000 w1 3.34",
			"log/tolerance=1: alpha 0.1 b3 0 tolerance 1 max 1000 w1 3.34",
		},
	}, {
		name: "negative log range and whole-number max_iterations",
		doc:  "name: neg\nalpha: 0.1\nsweep: {b3: {from: -100, to: -1, count: 3, scale: log}, max_iterations: {from: 10, to: 1000, count: 3, scale: log}}\n",
		want: []string{
			"neg/b3_initial=-100/max_iterations=10: alpha 0.1 b3 -100 tolerance 0.001 max 10 w1 3.34",
			"neg/b3_initial=-100/max_iterations=100: alpha 0.1 b3 -100 tolerance 0.001 max 100 w1 3.34",
			"neg/b3_initial=-100/max_iterations=1000: alpha 0.1 b3 -100 tolerance 0.001 max 1000 w1 3.34",
			"neg/b3_initial=-10/max_iterations=10: alpha 0.1 b3 -10 tolerance 0.001 max 10 w1 3.34",
			"neg/b3_initial=-10/max_iterations=100: alpha 0.1 b3 -10 tolerance 0.001 max 100 w1 3.34",
			"neg/b3_initial=-10/max_iterations=1000: alpha 0.1 b3 -10 tolerance 0.001 max 1000 w1 3.34",
			"neg/b3_initial=-1/max_iterations=10: alpha 0.1 b3 -1 tolerance 0.001 max 10 w1 3.34",
			"neg/b3_initial=-1/max_iterations=100: alpha 0.1 b3 -1 tolerance 0.001 max 100 w1 3.34",
			"neg/b3_initial=-1/max_iterations=1000: alpha 0.1 b3 -1 tolerance 0.001 max 1000 w1 3.34",
		},
	}, {
		name: "grid: the first axis written varies slowest; identifiers list fields in a fixed order",
		base: sweepBaseW1,
		doc:  "name: grid\nsweep: {w1: [3, 4], alpha: [0.1, 0.2]}\n",
		want: []string{
			"grid/alpha=0.1/w1_initial=3: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 3",
			"grid/alpha=0.2/w1_initial=3: alpha 0.2 b3 0 tolerance 0.001 max 1000 w1 3",
			"grid/alpha=0.1/w1_initial=4: alpha 0.1 b3 0 tolerance 0.001 max 1000 w1 4",
			"grid/alpha=0.2/w1_initial=4: alpha 0.2 b3 0 tolerance 0.001 max 1000 w1 4",
		},
	}, {
		name: "runs: exact combinations, each crossed with the sweep",
		base: sweepBaseTolerance,
		doc:  "name: pairs\nruns: [{b3: 1, alpha: 0.1}, {alpha: 0.2, b3: -1}]\nsweep: {tolerance: [0.01, 0.001]}\n",
		want: []string{
			"pairs/alpha=0.1/b3_initial=1/tolerance=0.01: alpha 0.1 b3 1 tolerance 0.01 max 1000 w1 3.34",
			"pairs/alpha=0.1/b3_initial=1/tolerance=0.001: alpha 0.1 b3 1 tolerance 0.001 max 1000 w1 3.34",
			"pairs/alpha=0.2/b3_initial=-1/tolerance=0.01: alpha 0.2 b3 -1 tolerance 0.01 max 1000 w1 3.34",
			"pairs/alpha=0.2/b3_initial=-1/tolerance=0.001: alpha 0.2 b3 -1 tolerance 0.001 max 1000 w1 3.34",
		},
	}, {
		name: "range of one value",
		doc:  "name: one\nsweep: {alpha: {from: 0.2, to: 0.2, count: 1}}\n",
		want: []string{"one/alpha=0.2: alpha 0.2 b3 0 tolerance 0.001 max 1000 w1 3.34"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.base == "" {
				tt.base = sweepBase
			}
			got := listRuns(t, tt.base+tt.doc)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("runs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if again := listRuns(t, tt.base+tt.doc); strings.Join(again, "\n") != strings.Join(got, "\n") {
				t.Errorf("a second expansion differs")
			}
		})
	}
}

// TestRangeValuesAreClean checks every value of long ranges: each must be
// the shortest decimal of at most 12 significant digits, as people write.
func TestRangeValuesAreClean(t *testing.T) {
	for _, a := range []Axis{
		{Field: "alpha", from: 0.001, to: 0.33, count: 1000},
		{Field: "alpha", from: 0.01, to: 0.33, count: 33},
		{Field: "alpha", from: 1e-4, to: 1, count: 9, log: true},
		{Field: "b3", from: -3, to: 3, count: 601},
	} {
		for i := range a.Len() {
			v := a.Value(i)
			if s := FormatValue(v); len(strings.TrimLeft(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), "-", ""), "0")) > 12 {
				t.Errorf("%s from %v to %v (%d values): value %d is %s", a.Field, a.from, a.to, a.count, i, s)
			}
		}
		if a.Value(0) != a.from || a.Value(a.count-1) != a.to {
			t.Errorf("ends %v and %v, want %v and %v", a.Value(0), a.Value(a.count-1), a.from, a.to)
		}
	}
	a := Axis{Field: "alpha", from: 0.01, to: 0.33, count: 33}
	if got := a.Value(29); got != 0.3 {
		t.Errorf("value 29 of 0.01..0.33 = %v, want 0.3", got)
	}
}

func TestPlan(t *testing.T) {
	exps, errs := Parse("plan.yaml", []byte(sweepBase+"name: a\nalpha: 0.1\n---"+sweepBase+"name: b\nsweep: {alpha: [0.1, 0.2, 0.3]}\n---"+sweepBase+"name: c\nalpha: 0.1\n"))
	if errs != nil {
		t.Fatal(errs)
	}
	p := NewPlan(exps)
	var ids []string
	for i := range p.Len() {
		ids = append(ids, p.Run(i).ID)
	}
	if got, want := strings.Join(ids, " "), "a b/alpha=0.1 b/alpha=0.2 b/alpha=0.3 c"; got != want {
		t.Errorf("plan = %s, want %s", got, want)
	}
	if n := NewPlan(nil).Len(); n != 0 {
		t.Errorf("empty plan has %d runs", n)
	}
}

// TestDistinctIsSafe checks the quick test for repeated range values
// against every value, on ranges near the limits: when distinct says the
// values differ, they must.
func TestDistinctIsSafe(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	accepted := 0
	for range 3000 {
		a := Axis{Field: "alpha", from: math.Pow(10, rng.Float64()*8-4), count: 2 + rng.IntN(2000)}
		a.to = a.from * (1 + math.Pow(10, -6-rng.Float64()*7))
		switch rng.IntN(3) {
		case 1:
			a.log = true
		case 2:
			a.Field, a.from, a.to = "max_iterations", float64(1+rng.IntN(100)), float64(100+rng.IntN(3000))
			a.log = rng.IntN(2) == 0
		}
		if !a.distinct() {
			continue
		}
		accepted++
		for i := 1; i < a.count; i++ {
			if a.Value(i) == a.Value(i-1) {
				t.Fatalf("%+v: distinct, but values %d and %d are both %v", a, i, i+1, a.Value(i))
			}
		}
	}
	if accepted < 500 {
		t.Errorf("only %d of 3000 ranges accepted: the test says little", accepted)
	}
}
