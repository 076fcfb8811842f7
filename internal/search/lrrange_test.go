package search

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// TestSmoothingAndStop checks the smoothed SSR against its closed form,
// (1-β)·Σ_j β^(k-j)·SSR_j / (1 - β^k), and the stop against its rule, the
// first smoothed SSR above 4 times the least before it or at it.
func TestSmoothingAndStop(t *testing.T) {
	ssr := []float64{10, 8, 9, 5, 4, 4.5, 3, 3.5, 20, 60, 200, 900, 5000, 1e5}
	s := engine.Settings{Alpha: 1e-3, RangeTo: 1, MaxIterations: 20}
	a := AnalyseRange(s, ssr)
	least, stop := math.Inf(1), -1
	for k := range ssr {
		var sum float64
		for j := 0; j <= k; j++ {
			sum += math.Pow(RangeBeta, float64(k-j)) * ssr[j]
		}
		want := (1 - RangeBeta) * sum / (1 - math.Pow(RangeBeta, float64(k+1)))
		least = min(least, want)
		if stop < 0 && want > 4*least {
			stop = k
		}
		if k < len(a.Points) && math.Abs(a.Points[k].Smoothed-want) > 1e-12*want {
			t.Errorf("iteration %d: smoothed %.15g, want %.15g", k+1, a.Points[k].Smoothed, want)
		}
	}
	if stop < 0 || !a.Stopped || len(a.Points) != stop+1 {
		t.Fatalf("stopped %v after %d points; the rule stops at point %d", a.Stopped, len(a.Points), stop+1)
	}
	for k, p := range a.Points {
		if p.Iteration != k+1 || p.Alpha != s.AlphaAt(k+1) || p.SSR != ssr[k] {
			t.Errorf("point %d: %+v", k, p)
		}
	}
	// An SSR that is not finite ends the points before it.
	if a := AnalyseRange(s, []float64{3, 2, math.NaN(), 1}); len(a.Points) != 2 || a.Stopped {
		t.Errorf("with a NaN: %d points, stopped %v; want 2, not stopped", len(a.Points), a.Stopped)
	}
}

// smoothedPoints returns points with the given smoothed SSR and α growing
// by 10% a point.
func smoothedPoints(smoothed ...float64) []RangePoint {
	points := make([]RangePoint, len(smoothed))
	for i, v := range smoothed {
		points[i] = RangePoint{Iteration: i + 1, Alpha: 1e-3 * math.Pow(1.1, float64(i)), Smoothed: v}
	}
	return points
}

// TestRules checks each rule on sequences worked through by hand, as
// fastai's code reads them.
func TestRules(t *testing.T) {
	for _, tt := range []struct {
		smoothed []float64
		valley   int
		why      string
	}{
		// lds = [1 2 1 3 4 1 5]: the first longest ends at 6 (length 5),
		// start = 6-5 = 1, sections = 5/3: 1 + 1 + 0 = 2.
		{[]float64{5, 4, 6, 3, 2, 7, 1}, 2, "fastai's start and thirds"},
		// Decreasing throughout: end 3, start 3-4 = -1, sections 4/3:
		// -1 + 1 + 0 = 0.
		{[]float64{5, 4, 3, 2}, 0, "a valley from the first point"},
		// end 1, start -1, sections 2/3: -1 + 0 + 0 = -1, which Python reads
		// as the last point; the first here.
		{[]float64{2, 1}, 0, "fastai's index -1"},
		// Never falling: end and start 0.
		{[]float64{1, 1, 2, 3}, 0, "no valley"},
	} {
		if got := valley(smoothedPoints(tt.smoothed...)); got != tt.valley {
			t.Errorf("valley(%v) = %d, want %d (%s)", tt.smoothed, got, tt.valley, tt.why)
		}
	}
	// Steps in log α are equal, so the steepest fall is the largest drop:
	// from point 1 (9 to 5), the first of the two of 4.
	if got := steepest(smoothedPoints(10, 9, 5, 4, 6, 2)); got != 1 {
		t.Errorf("steepest = %d, want 1", got)
	}
	if got := lowest(smoothedPoints(3, 1, 2, 1)); got != 1 {
		t.Errorf("lowest = %d, want 1, the first of equals", got)
	}
}

// TestRangeTestOnTheArticle runs a range test of the article's descent as
// the pipeline would, α from 1e-4 to 10 over 100 iterations with a
// RangeTest observing, and checks what it finds: the run stopped by the
// smoothed SSR, an analysis from the trace's SSR identical to the one
// observed (as on resume), the window of fastai's lr_find, and
// suggestions where b3-only descent converges, below 1/N.
func TestRangeTestOnTheArticle(t *testing.T) {
	spec := Spec{Find: LRRange, From: 1e-4, To: 10, Scale: Log}
	s := spec.RangeSettings(engine.Settings{Tolerance: 1e-3, MaxIterations: 1000})
	if s.Alpha != 1e-4 || s.RangeTo != 10 || s.MaxIterations != DefaultRangeIterations {
		t.Fatalf("settings %+v", s)
	}
	test := NewRangeTest(s)
	var trace []float64
	res, err := engine.Descend(articleStart, dosages, s, func(it *engine.Iteration) error {
		trace = append(trace, it.SSR)
		return test.Observe(it)
	})
	if err != nil {
		t.Fatal(err)
	}
	a := test.Analysis()
	if res.Status != engine.Stopped || !a.Stopped || len(a.Points) != res.Iterations {
		t.Fatalf("%v after %d iterations; analysis: stopped %v after %d points", res.Status, res.Iterations, a.Stopped, len(a.Points))
	}
	if again := AnalyseRange(s, trace); !reflect.DeepEqual(again, a) {
		t.Errorf("the analysis of the trace differs from the one observed:\n%+v\n%+v", again, a)
	}
	if a.First != 10 || a.Last != len(a.Points)-5 {
		t.Errorf("window [%d, %d) of %d points, want [10, %d)", a.First, a.Last, len(a.Points), len(a.Points)-5)
	}
	if len(a.Suggestions) != 3 {
		t.Fatalf("suggestions %+v (%s)", a.Suggestions, a.Note)
	}
	for i, sg := range a.Suggestions {
		if sg.Rule != Rule(i+1) || !(sg.Alpha > s.Alpha && sg.Alpha < 1.0/3) || sg.Point < a.First || sg.Point >= a.Last {
			t.Errorf("suggestion %v: α = %.4g at point %d, want between α_1 and 1/N, in the window", sg.Rule, sg.Alpha, sg.Point)
		}
		t.Logf("%v: α = %.4g (point %d, α %.4g, smoothed SSR %.4g)", sg.Rule, sg.Alpha, sg.Point, a.Points[sg.Point].Alpha, a.Points[sg.Point].Smoothed)
	}
	m := a.Suggestions[2]
	for i := a.First; i < a.Last; i++ {
		if a.Points[i].Smoothed < a.Points[m.Point].Smoothed {
			t.Errorf("minimum/10 reads point %d, but point %d of the window is lower", m.Point, i)
		}
	}
	if m.Alpha != a.Points[m.Point].Alpha/10 || a.Points[a.Least].Smoothed > a.Points[m.Point].Smoothed {
		t.Errorf("minimum/10: %+v; least of all at %d", m, a.Least)
	}
	if fmt.Sprint(Steepest, Valley, MinimumTenth) != "steepest valley minimum/10" {
		t.Errorf("rule names: %v %v %v", Steepest, Valley, MinimumTenth)
	}
}

// TestRangeTestTooShort runs a range test that diverges at once: there
// is too little of it to suggest anything, and the analysis says so.
func TestRangeTestTooShort(t *testing.T) {
	s := (&Spec{Find: LRRange, From: 1, To: 100, Scale: Log}).RangeSettings(engine.Settings{})
	test := NewRangeTest(s)
	if _, err := engine.Descend(articleStart, dosages, s, test.Observe); err != nil {
		t.Fatal(err)
	}
	a := test.Analysis()
	if len(a.Suggestions) != 0 || a.Note == "" {
		t.Errorf("%d points: suggestions %+v, note %q", len(a.Points), a.Suggestions, a.Note)
	}
	t.Log(a.Note)
}
