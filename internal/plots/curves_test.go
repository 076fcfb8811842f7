package plots

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// learningRates are the values of α that experiments/learning-rates.yaml
// sweeps.
var learningRates = []float64{0.001, 0.01, 0.05, 0.1, 0.15, 0.166666666667, 0.2, 0.25, 0.3, 0.33, 0.333333333333, 0.34, 0.4, 0.5, 1}

// article is the article's experiment with the given settings, b3 from
// b3.
func article(settings engine.Settings, b3 float64) *experiment.Experiment {
	return &experiment.Experiment{
		Name:     "article",
		Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
		Start:    engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30, B3: b3}},
		Settings: settings,
	}
}

// runOf runs an experiment, feeding its SSR to a CurveThinner as its
// trace.csv gives it back (to 12 digits).
func runOf(t testing.TB, e *experiment.Experiment) (*batch.Outcome, *CurveThinner) {
	t.Helper()
	curve := NewCurveThinner()
	o, err := batch.Run(context.Background(), e.Run(0), func(it *engine.Iteration) error {
		ssr, err := strconv.ParseFloat(results.FormatCSV(it.SSR, results.DefaultCSVDigits), 64)
		if err != nil {
			return err
		}
		curve.Add(it.N, ssr)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &o, curve
}

// alphaSweep runs the learning-rates sweep, b3 from 0, and returns its
// curves.
func alphaSweep(t testing.TB) []Curve {
	curves, _ := sweepRuns(t, 1e-3, 1000)
	return curves
}

// sweepRuns runs the learning-rates sweep, b3 from 0, with a tolerance and
// most iterations, and returns its runs' curves and its sweep chart's
// series.
func sweepRuns(t testing.TB, tolerance float64, maxIterations int) ([]Curve, []SweepSeries) {
	var curves []Curve
	var runs []SweepRun
	for _, alpha := range learningRates {
		o, curve := runOf(t, article(engine.Settings{Alpha: alpha, Tolerance: tolerance, MaxIterations: maxIterations}, 0))
		curves = append(curves, Curve{Value: alpha, Status: o.Result.Status, Points: curve})
		runs = append(runs, SweepRun{Value: alpha, Iterations: o.Result.Iterations, Status: o.Result.Status})
	}
	return curves, []SweepSeries{{Runs: runs}}
}

// floorOf returns the least SSR of the article's b3-only descent: at b3*.
func floorOf() float64 {
	e := article(engine.Settings{}, 0)
	n := e.Start
	n.B3 = engine.Optimum(e.Start, e.Data)
	return n.SSR(e.Data)
}

func TestCurvesOfAnAlphaSweep(t *testing.T) {
	c := &CurvesChart{Title: "learning-rates: SSR of every run", Field: FieldOf("alpha", false),
		Curves: alphaSweep(t), Floor: floorOf()}
	svg, err := Curves(c)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "curves-alpha.svg"), svg)
}

func TestSweepOfAnAlphaSweep(t *testing.T) {
	_, series := sweepRuns(t, 1e-3, 1000)
	s := &SweepChart{Title: "learning-rates: iterations of each run", X: FieldOf("alpha", false), Series: series, N: 3}
	svg, err := Sweep(s)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "sweep-alpha.svg"), svg)
}
