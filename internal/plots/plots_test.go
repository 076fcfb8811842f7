package plots

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// markFill is how the SVG fills the markers of markColor.
var markFill = fmt.Sprintf("fill:#%02X%02X%02X", markColor.R, markColor.G, markColor.B)

// run runs the article's experiment with the given settings, keeping its
// path.
func run(t testing.TB, train engine.ParamSet, alpha float64, maxIterations int) (*batch.Outcome, *Path) {
	t.Helper()
	e := &experiment.Experiment{
		Name:     "article",
		Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
		Start:    engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}},
		Settings: engine.Settings{Alpha: alpha, Tolerance: 1e-3, MaxIterations: maxIterations, Train: train},
	}
	path := NewPath()
	o, err := batch.Run(context.Background(), e.Run(0), path.Observe)
	if err != nil {
		t.Fatal(err)
	}
	return &o, path
}

// checkSVG checks that a picture is well-formed SVG, the same bytes when
// drawn again, and has the given number of markers of markColor.
func checkSVG(t *testing.T, name string, draw func() ([]byte, error), marks int) {
	t.Helper()
	svg, err := draw()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", name, root)
	}
	again, err := draw()
	if err != nil || !bytes.Equal(svg, again) {
		t.Errorf("%s: a second drawing differs", name)
	}
	if got := strings.Count(string(svg), markFill); got != marks {
		t.Errorf("%s: %d markers, want %d", name, got, marks)
	}
	if len(svg) > 64<<10 {
		t.Errorf("%s: %d bytes; pictures should stay small", name, len(svg))
	}
}

func TestPictures(t *testing.T) {
	o, path := run(t, engine.NewParamSet(engine.B3), 0.1, 1000)
	checkSVG(t, "descent", func() ([]byte, error) { return Descent(o, path, o.Run.ID) }, o.Result.Iterations)
	checkSVG(t, "fit", func() ([]byte, error) { return Fit(o, o.Run.ID) }, 3+1) // three points, and the legend's

	o, path = run(t, engine.NewParamSet(engine.W3, engine.W4, engine.B3), 0.1, 50)
	checkSVG(t, "descent of several parameters", func() ([]byte, error) { return Descent(o, path, o.Run.ID) }, 0)

	runs := []SweepRun{{0.01, 83, engine.Converged}, {0.1, 10, engine.Converged}, {0.34, 178, engine.Diverged}, {1.0 / 3, 1000, engine.MaxIterations}}
	chart := &SweepChart{Title: "lr", X: FieldOf("alpha", false), Series: []SweepSeries{{Runs: runs}}, N: 3}
	draw := func() ([]byte, error) { return Sweep(chart) }
	checkSVG(t, "sweep", draw, 0)
	svg, _ := draw()
	// Each status' marks, and the legend's, in its colour: a dot (one
	// subpath, filled) for converged, a square (one, stroked) for
	// max-iterations, a cross (two, stroked) for diverged.
	for status, want := range map[engine.Status]struct{ runs, subpaths int }{
		engine.Converged: {2, 1}, engine.MaxIterations: {1, 1}, engine.Diverged: {1, 2},
	} {
		got := 0
		for _, e := range parseSVG(t, svg) {
			if e.name == "path" && (e.style["fill"] == hex(statusColors[status]) || e.style["stroke"] == hex(statusColors[status])) {
				got += e.subpaths()
			}
		}
		if got != (want.runs+1)*want.subpaths {
			t.Errorf("sweep: %d subpaths of %s marks, want %d: %d runs and the legend's", got, status, (want.runs+1)*want.subpaths, want.runs)
		}
	}
}

// TestPathThinsLongRuns feeds a path more iterations than it keeps: it
// must keep the first and the last, evenly spaced ones between, and never
// more than MaxPathPoints+1.
func TestPathThinsLongRuns(t *testing.T) {
	for _, n := range []int{1, 10, MaxPathPoints, MaxPathPoints + 1, 5000, 123457} {
		p := NewPath()
		it := engine.Iteration{Values: []float64{0}}
		for i := 1; i <= n; i++ {
			it.N, it.SSR, it.Values[0] = i, float64(i), float64(i)
			p.Observe(&it)
		}
		pts := p.points()
		if len(pts) > MaxPathPoints+1 || pts[0].n != 1 || pts[len(pts)-1].n != n {
			t.Fatalf("%d iterations: %d points from %d to %d", n, len(pts), pts[0].n, pts[len(pts)-1].n)
		}
		if n <= MaxPathPoints && len(pts) != n {
			t.Errorf("%d iterations: %d points, want every one", n, len(pts))
		}
		if n > MaxPathPoints && len(pts) < MaxPathPoints/2 {
			t.Errorf("%d iterations: only %d points", n, len(pts))
		}
		for i := 1; i < len(pts)-1; i++ {
			if pts[i].n-pts[i-1].n != pts[1].n-pts[0].n || pts[i].values[0] != float64(pts[i].n) {
				t.Fatalf("%d iterations: uneven or wrong point %d: %+v", n, i, pts[i])
			}
		}
	}
}

func TestSweepThinsLargeSweeps(t *testing.T) {
	for _, n := range []int{1, MaxSweepPoints, MaxSweepPoints + 1, 100_000} {
		runs := make([]SweepRun, n)
		for i := range runs {
			runs[i] = SweepRun{Value: float64(i + 1), Iterations: i, Status: engine.Converged}
		}
		kept := thinned(runs)
		if len(kept) > MaxSweepPoints || kept[0] != runs[0] || kept[len(kept)-1] != runs[n-1] {
			t.Errorf("%d runs: kept %d, from %v to %v", n, len(kept), kept[0], kept[len(kept)-1])
		}
		if n <= MaxSweepPoints && len(kept) != n {
			t.Errorf("%d runs: kept %d, want all", n, len(kept))
		}
	}
}

// TestPicturesOfRunsThatOverflow draws the pictures of runs whose values
// overflow to infinities, of b3 alone and of every parameter: a result,
// not an error, drawn from the finite values there are.
func TestPicturesOfRunsThatOverflow(t *testing.T) {
	for _, train := range []engine.ParamSet{engine.NewParamSet(engine.B3), engine.AllParams} {
		e := &experiment.Experiment{
			Name:     "overflow",
			Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
			Start:    engine.Network{Params: engine.Params{W1: 300, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30, B3: 1e300}},
			Settings: engine.Settings{Alpha: 1e6, Tolerance: 1e-3, MaxIterations: 10, Train: train},
		}
		path := NewPath()
		o, err := batch.Run(context.Background(), e.Run(0), path.Observe)
		if err != nil {
			t.Fatal(err)
		}
		if o.Result.Status != engine.Diverged {
			t.Fatalf("%v: %v, want diverged", train, o.Result.Status)
		}
		for name, draw := range map[string]func() ([]byte, error){
			"descent": func() ([]byte, error) { return Descent(&o, path, "overflow") },
			"fit":     func() ([]byte, error) { return Fit(&o, "overflow") },
		} {
			svg, err := draw()
			if err != nil || bytes.Contains(svg, []byte("NaN")) || bytes.Contains(svg, []byte("Inf")) {
				t.Errorf("%v %s: %v, or a coordinate not finite", train, name, err)
			}
		}
	}
}

// TestClipKeepsWhatIsInTheBox clips lines to a box: pieces inside are
// kept whole, crossings are cut at the edge, points not finite break the
// line.
func TestClipKeepsWhatIsInTheBox(t *testing.T) {
	b := box{0, 10, 0, 10}
	for _, tt := range []struct {
		line plotter.XYs
		want string
	}{
		{plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: 2}, {X: 3, Y: 1}}, "[[{1 1} {2 2} {3 1}]]"},
		{plotter.XYs{{X: 5, Y: 5}, {X: 15, Y: 5}}, "[[{5 5} {10 5}]]"},
		{plotter.XYs{{X: -5, Y: 5}, {X: 5, Y: 5}, {X: 5, Y: 20}}, "[[{0 5} {5 5} {5 10}]]"},
		{plotter.XYs{{X: -5, Y: -5}, {X: -1, Y: -1}}, "[]"},
		{plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: math.Inf(1)}, {X: 3, Y: 3}, {X: 4, Y: 4}}, "[[{3 3} {4 4}]]"},
		{plotter.XYs{{X: 5, Y: 5}, {X: 5, Y: 50}, {X: 6, Y: 50}, {X: 6, Y: 5}}, "[[{5 5} {5 10}] [{6 10} {6 5}]]"},
	} {
		if got := fmt.Sprint(b.clip(tt.line)); got != tt.want {
			t.Errorf("clip(%v) = %s, want %s", tt.line, got, tt.want)
		}
	}
}
