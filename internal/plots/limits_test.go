package plots

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// zigzag is an SSR curve that never settles: it falls, with a swing that
// flips sign every iteration and a slower wave, as an unstable descent of
// several parameters may.
func zigzag(n int) float64 {
	swing := 1 + 0.5*float64(n%2) + 0.3*math.Sin(float64(n)/977)
	return swing * 100 / math.Sqrt(float64(n))
}

// TestCurveThinnerKeepsWhatPixelsShow feeds thinners curves of up to
// 2,000,000 iterations: all points are kept up to 1024 iterations; beyond,
// at most MaxCurveBuckets buckets, the first and the last iteration, and
// in every pixel column of a 480-pixel log axis the lowest and highest SSR
// of the whole curve, give or take a column.
func TestCurveThinnerKeepsWhatPixelsShow(t *testing.T) {
	for _, n := range []int{1, 2, 1024, 1025, 5000, 2_000_000} {
		th := NewCurveThinner()
		for i := 1; i <= n; i++ {
			th.Add(i, zigzag(i))
		}
		pts := th.points()
		if len(th.buckets) > MaxCurveBuckets || len(pts) > 4*MaxCurveBuckets || pts[0].n != 1 || pts[len(pts)-1].n != n {
			t.Fatalf("%d iterations: %d buckets, %d points, from %d to %d", n, len(th.buckets), len(pts), pts[0].n, pts[len(pts)-1].n)
		}
		if n <= 1024 && len(pts) != n {
			t.Errorf("%d iterations: %d points kept, want all", n, len(pts))
		}
		const width = 480
		column := func(i int) int { return int(math.Log10(float64(i)) / math.Log10(float64(max(n, 2))) * width) }
		type extent struct{ lo, hi float64 }
		all, kept := map[int]extent{}, map[int]extent{}
		widen := func(m map[int]extent, c int, v float64) {
			e, ok := m[c]
			if !ok {
				e = extent{v, v}
			}
			m[c] = extent{min(e.lo, v), max(e.hi, v)}
		}
		for i := 1; i <= n; i++ {
			widen(all, column(i), zigzag(i))
		}
		for _, p := range pts {
			if p.ssr != zigzag(p.n) {
				t.Fatalf("%d iterations: point %d has SSR %g, not its own %g", n, p.n, p.ssr, zigzag(p.n))
			}
			for c := column(p.n) - 1; c <= column(p.n)+1; c++ {
				widen(kept, c, p.ssr)
			}
		}
		for c, e := range all {
			if k := kept[c]; k.lo > e.lo || k.hi < e.hi {
				t.Errorf("%d iterations: column %d spans %g to %g; the points kept near it %g to %g", n, c, e.lo, e.hi, k.lo, k.hi)
			}
		}
	}
}

// TestCurveThinnerDropsWhatCannotBeDrawn gives a thinner iterations out
// of order and SSR that is not finite: they are dropped.
func TestCurveThinnerDropsWhatCannotBeDrawn(t *testing.T) {
	th := NewCurveThinner()
	for _, p := range []curvePoint{{0, 1}, {1, 5}, {3, math.NaN()}, {2, 4}, {2, 3}, {4, math.Inf(1)}, {5, 0}, {6, math.Inf(-1)}} {
		th.Add(p.n, p.ssr)
	}
	if got := th.points(); !slices.Equal(got, []curvePoint{{1, 5}, {2, 4}, {5, 0}}) {
		t.Errorf("kept %v", got)
	}
}

// TestLongCurvesStaySmall draws MaxCurves curves that never settle, a
// fifth of them of 2,000,000 iterations and the others of 20,000: the file
// stays under 300 KB, and renders.
func TestLongCurvesStaySmall(t *testing.T) {
	var curves []Curve
	for k := range MaxCurves {
		th := NewCurveThinner()
		n := 20_000
		if k%5 == 0 {
			n = 2_000_000
		}
		for i := 1; i <= n; i++ {
			th.Add(i, zigzag(i)*float64(k+1))
		}
		curves = append(curves, Curve{Value: float64(k), Status: []engine.Status{engine.Converged, engine.MaxIterations, engine.Diverged}[k%3], Points: th})
	}
	svg, err := Curves(&CurvesChart{Title: "long", Field: FieldOf("w1_initial", false), Curves: curves})
	if err != nil {
		t.Fatal(err)
	}
	if len(svg) > 300<<10 {
		t.Errorf("%d bytes, want at most 300 KB", len(svg))
	}
	checkCurves(t, svg, curves, 0, MaxCurves-1)
	renderIfYouCan(t, "long curves", svg)
}

// TestLargeGridsStaySmall draws grids of more values and panels than are
// drawn, every run's status different from its neighbours': under 300
// KB, and the caption says what is left out.
func TestLargeGridsStaySmall(t *testing.T) {
	var panels []GridPanel
	for k := range 12 {
		p := GridPanel{Label: "w1 = " + shortest(float64(k))}
		for i := range 100 {
			for j := range 100 {
				p.Cells = append(p.Cells, GridCell{X: float64(i) / 100, Y: float64(j), Iterations: 1 + (i*j)%997,
					Status: []engine.Status{engine.Converged, engine.MaxIterations, engine.Diverged}[(i+j+k)%3]})
			}
		}
		panels = append(panels, p)
	}
	for _, n := range []int{1, 12} {
		svg, err := Grid(&GridChart{Title: "large", X: FieldOf("alpha", false), Y: FieldOf("b3_initial", false), Panels: panels[:n]})
		if err != nil {
			t.Fatal(err)
		}
		if len(svg) > 300<<10 {
			t.Errorf("%d panels: %d bytes, want at most 300 KB", n, len(svg))
		}
		caption := strings.Join(texts(parseSVG(t, svg)), " ")
		for _, field := range []string{"α", "starting b3"} {
			m := regexp.MustCompile(`(\d+) of the 100 values of ` + field + ` drawn`).FindStringSubmatch(caption)
			if m == nil || atoi(m[1]) > MaxGridValues {
				t.Errorf("%d panels: the caption does not say which values of %s are drawn: %q", n, field, caption)
			}
		}
		if m := regexp.MustCompile(`(\d+) of 12 panels drawn`).FindStringSubmatch(caption); n == 12 && (m == nil || atoi(m[1]) > MaxGridPanels) {
			t.Errorf("12 panels: the caption does not say which are drawn: %q", caption)
		}
		renderIfYouCan(t, "large grid", svg)
	}
}

// TestPicturesOfOddValues draws every chart of values at float64's
// limits, of one run, of runs that all diverged, of SSR 0, denormal or
// not finite: each is drawn, without an error, a panic or a coordinate
// that is not finite.
func TestPicturesOfOddValues(t *testing.T) {
	curve := func(ssrs ...float64) *CurveThinner {
		th := NewCurveThinner()
		for i, s := range ssrs {
			th.Add(i+1, s)
		}
		return th
	}
	huge, tiny := math.MaxFloat64, math.SmallestNonzeroFloat64
	charts := map[string]func() ([]byte, error){}
	for name, c := range map[string][]Curve{
		"no curves":       nil,
		"one run":         {{Value: 1, Status: engine.Converged, Points: curve(20, 10, 5)}},
		"one iteration":   {{Value: 1, Status: engine.Converged, Points: curve(20)}},
		"no point":        {{Value: 1, Status: engine.Diverged, Points: curve(math.NaN())}},
		"all diverged":    {{Value: 1, Status: engine.Diverged, Points: curve(1, 1e300, math.Inf(1))}, {Value: 2, Status: engine.Diverged, Points: curve(1, huge)}},
		"SSR 0, denormal": {{Value: -huge, Status: engine.Converged, Points: curve(20, tiny, 0)}, {Value: huge, Status: engine.MaxIterations, Points: curve(0, 0)}},
		"all SSR 0":       {{Value: 0, Status: engine.Converged, Points: curve(0, 0)}},
		"values near 0":   {{Value: tiny, Status: engine.Converged, Points: curve(1, 2)}, {Value: 2 * tiny, Status: engine.Converged, Points: curve(1, 2)}},
		"values not finite": {{Value: math.NaN(), Status: engine.Converged, Points: curve(1, 2)},
			{Value: math.Inf(1), Status: 0, Points: curve(1, 2)}, {Value: 1, Status: engine.Converged, Points: nil}},
	} {
		charts["curves, "+name] = func() ([]byte, error) {
			return Curves(&CurvesChart{Title: name, Field: FieldOf("alpha", true), Curves: c, Floor: tiny})
		}
	}
	for name, runs := range map[string][]SweepRun{
		"no runs":       nil,
		"one run":       {{Value: 0.1, Iterations: 10, Status: engine.Converged}},
		"limits":        {{Value: -huge, Iterations: 1, Status: engine.Diverged}, {Value: huge, Iterations: 100_000_000, Status: engine.MaxIterations}},
		"equal values":  {{Value: 5, Iterations: 0, Status: engine.Converged}, {Value: 5, Iterations: 3, Status: engine.Diverged}},
		"values near 0": {{Value: tiny, Iterations: 2, Status: engine.Converged}, {Value: 3 * tiny, Iterations: 4, Status: engine.Converged}},
		"not finite":    {{Value: math.NaN(), Iterations: 2, Status: engine.Converged}, {Value: math.Inf(-1), Iterations: 4, Status: engine.Converged}},
	} {
		charts["sweep, "+name] = func() ([]byte, error) {
			return Sweep(&SweepChart{Title: name, X: FieldOf("alpha", true), Series: []SweepSeries{{Runs: runs}}, N: 3})
		}
	}
	for name, cells := range map[string][]GridCell{
		"no cells":     nil,
		"one cell":     {{X: 1, Y: 1, Iterations: 3, Status: engine.Converged}},
		"limits":       {{X: -huge, Y: huge, Iterations: 1, Status: engine.Diverged}, {X: huge, Y: -huge, Iterations: 100_000_000, Status: engine.Converged}},
		"all diverged": {{X: 1, Y: 1, Status: engine.Diverged}, {X: 2, Y: 1, Status: engine.Diverged}},
		"not finite":   {{X: math.NaN(), Y: 1, Status: engine.Converged}, {X: 1, Y: math.Inf(1), Status: engine.Converged}},
	} {
		charts["grid, "+name] = func() ([]byte, error) {
			return Grid(&GridChart{Title: name, X: FieldOf("alpha", true), Y: FieldOf("tolerance", true), Panels: []GridPanel{{Cells: cells}}})
		}
	}
	for name, draw := range charts {
		svg, err := draw()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, e := range parseSVG(t, svg) {
			if strings.Contains(e.d, "NaN") || strings.Contains(e.d, "Inf") || math.IsNaN(e.x) || math.IsNaN(e.y) {
				t.Errorf("%s: a coordinate that is not finite: %+v", name, e)
				break
			}
		}
		renderIfYouCan(t, name, svg)
	}
}

// renderIfYouCan renders a picture with rsvg-convert, if there is one, as
// TestGoldenPicturesRender does.
func renderIfYouCan(t *testing.T, name string, svg []byte) {
	t.Helper()
	if _, err := exec.LookPath("rsvg-convert"); testing.Short() || err != nil && os.Getenv("RUNNER_REQUIRE_RSVG") == "" {
		return
	}
	file := filepath.Join(t.TempDir(), "picture.svg")
	if err := os.WriteFile(file, svg, 0o644); err != nil {
		t.Fatal(err)
	}
	checkRendered(t, rsvgConvert(t), name, file)
}

// atoi reads a number the test's pattern found.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
