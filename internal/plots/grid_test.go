package plots

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/pkg/engine"
)

// gridAlphas and gridB3s are the swept values of the test grids: α from
// well below to beyond the stability limit 1/3, and starting b3 around
// the optimum 2.61.
var (
	gridAlphas = []float64{0.01, 0.1, 0.3, 0.333333333333, 0.4}
	gridB3s    = []float64{-2, 0, 2.6, 5}
)

// gridPanel runs the article's experiment at every α and starting b3 of
// the test grids, with a tolerance, and returns their cells.
func gridPanel(t testing.TB, label string, tolerance float64) GridPanel {
	p := GridPanel{Label: label}
	for _, alpha := range gridAlphas {
		for _, b3 := range gridB3s {
			o, _ := runOf(t, article(engine.Settings{Alpha: alpha, Tolerance: tolerance, MaxIterations: 1000}, b3))
			p.Cells = append(p.Cells, GridCell{X: alpha, Y: b3, Iterations: o.Result.Iterations, Status: o.Result.Status})
		}
	}
	return p
}

func TestGridOfTwoFields(t *testing.T) {
	g := &GridChart{Title: "lr-grid: iterations of each run", X: FieldOf("alpha", false), Y: FieldOf("b3_initial", false),
		Panels: []GridPanel{gridPanel(t, "", 1e-3)}}
	svg, err := Grid(g)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "grid.svg"), svg)
}

func TestGridOfThreeFields(t *testing.T) {
	g := &GridChart{Title: "lr-grid-3: iterations of each run", X: FieldOf("alpha", false), Y: FieldOf("b3_initial", false)}
	for _, tol := range []float64{1e-2, 1e-3, 1e-4} {
		g.Panels = append(g.Panels, gridPanel(t, fmt.Sprintf("tolerance = %g", tol), tol))
	}
	svg, err := Grid(g)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "grid-3-fields.svg"), svg)
}

// seriesOf returns a sweep chart's series of grid panels' runs: one for
// each panel and starting b3, named by them, of the runs along α.
func seriesOf(panels []GridPanel) []SweepSeries {
	var series []SweepSeries
	for _, p := range panels {
		for _, b3 := range gridB3s {
			s := SweepSeries{Label: strings.TrimPrefix(p.Label+", starting b3 = "+shortest(b3), ", ")}
			for _, c := range p.Cells {
				if c.Y == b3 {
					s.Runs = append(s.Runs, SweepRun{Value: c.X, Iterations: c.Iterations, Status: c.Status})
				}
			}
			series = append(series, s)
		}
	}
	return series
}

func TestSweepOfGrids(t *testing.T) {
	two := []GridPanel{gridPanel(t, "", 1e-3)}
	var three []GridPanel
	for _, tol := range []float64{1e-2, 1e-3, 1e-4} {
		three = append(three, gridPanel(t, fmt.Sprintf("tolerance = %g", tol), tol))
	}
	for name, panels := range map[string][]GridPanel{"sweep-grid.svg": two, "sweep-3-fields.svg": three} {
		svg, err := Sweep(&SweepChart{Title: "lr-grid: iterations of each run", X: FieldOf("alpha", false), Series: seriesOf(panels), N: 3})
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", name), svg)
		legend := texts(parseSVG(t, svg))
		drawn := seriesOf(panels)
		if len(drawn) > MaxSweepSeries {
			drawn, _ = chosenSeries(drawn)
		}
		for _, s := range drawn {
			if !slices.Contains(legend, s.Label) {
				t.Errorf("%s: no series %q in the legend %q", name, s.Label, legend)
			}
		}
	}
}
