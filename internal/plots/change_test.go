package plots

import (
	"path/filepath"
	"testing"

	"github.com/descentlab/runner/internal/golden"
)

func TestPicturesOfAChange(t *testing.T) {
	// The learning-rates sweep, changed: a tolerance of 1e-4 for 1e-3, and
	// at most 500 iterations for 1000.
	old, oldSeries := sweepRuns(t, 1e-3, 1000)
	new, newSeries := sweepRuns(t, 1e-4, 500)
	alpha := FieldOf("alpha", false)
	svg, err := CurvesChange(
		&CurvesChart{Title: "learning-rates: SSR of every run", Field: alpha, Curves: old, Floor: floorOf()},
		&CurvesChart{Title: "learning-rates: SSR of every run", Field: alpha, Curves: new, Floor: floorOf()})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "curves-change.svg"), svg)
	checkCurves(t, svg, append(old, new...), learningRates[0], learningRates[len(learningRates)-1])

	svg, err = SweepChange(
		&SweepChart{Title: "learning-rates: iterations of each run", X: alpha, Series: oldSeries, N: 3},
		&SweepChart{Title: "learning-rates: iterations of each run", X: alpha, Series: newSeries, N: 3})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "sweep-change.svg"), svg)

	b3 := FieldOf("b3_initial", false)
	svg, err = GridChange(
		&GridChart{Title: "lr-grid: iterations of each run", X: alpha, Y: b3, Panels: []GridPanel{gridPanel(t, "", 1e-3)}},
		&GridChart{Title: "lr-grid: iterations of each run", X: alpha, Y: b3, Panels: []GridPanel{gridPanel(t, "", 1e-4)}})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "grid-change.svg"), svg)
}
