package plots

import (
	"context"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/pkg/engine"
)

// largeRuns is the size of the large sweep: α from 0.001 to 1, log-spaced.
const largeRuns = 20_000

// largeAlpha returns α of run i of the large sweep, rounded to 12
// significant digits as experiment ranges are.
func largeAlpha(i int) float64 {
	a := math.Pow(10, -3+3*float64(i)/float64(largeRuns-1))
	a, _ = strconv.ParseFloat(strconv.FormatFloat(a, 'g', 12, 64), 64)
	return a
}

// largeSweep is the large sweep, run once: every run's outcome, and the
// curves of the runs SelectCurves chooses, as the pipeline reads them (a
// second pass over the chosen runs' traces).
var largeSweep = sync.OnceValues(func() (largeOutcomes, error) {
	keys := make([]CurveKey, largeRuns)
	runs := make([]SweepRun, largeRuns)
	for i := range keys {
		e := article(engine.Settings{Alpha: largeAlpha(i), Tolerance: 1e-3, MaxIterations: 1000}, 0)
		o, err := batch.Run(context.Background(), e.Run(0), nil)
		if err != nil {
			return largeOutcomes{}, err
		}
		keys[i] = CurveKey{Value: e.Settings.Alpha, Status: o.Result.Status}
		runs[i] = SweepRun{Value: e.Settings.Alpha, Iterations: o.Result.Iterations, Status: o.Result.Status}
	}
	return largeOutcomes{keys, runs}, nil
})

// largeOutcomes are the outcomes of the large sweep's runs.
type largeOutcomes struct {
	keys []CurveKey
	runs []SweepRun
}

// largeCurves returns the large sweep's chosen curves and caption.
func largeCurves(t *testing.T) ([]CurveKey, []int, []Curve, string) {
	large, err := largeSweep()
	if err != nil {
		t.Fatal(err)
	}
	keys := large.keys
	chosen, caption := SelectCurves(FieldOf("alpha", true), keys)
	var curves []Curve
	for _, i := range chosen {
		o, curve := runOf(t, article(engine.Settings{Alpha: keys[i].Value, Tolerance: 1e-3, MaxIterations: 1000}, 0))
		curves = append(curves, Curve{Value: keys[i].Value, Status: o.Result.Status, Points: curve})
	}
	return keys, chosen, curves, caption
}

func TestCurvesOfALargeSweep(t *testing.T) {
	keys, chosen, curves, caption := largeCurves(t)
	svg, err := Curves(&CurvesChart{Title: "lr-20000: SSR of the runs", Field: FieldOf("alpha", true), Curves: curves, Floor: floorOf(), Caption: caption})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "curves-20000.svg"), svg)
	if len(svg) > 300<<10 {
		t.Errorf("%d bytes, want at most 300 KB", len(svg))
	}
	// The rule, as the caption states it: every k-th run in order of α
	// (here the order of the runs), the first and the last, and the runs
	// on each side of each status change.
	m := regexp.MustCompile(`^(\d+) of 20,000 runs drawn: every (\d+)(?:st|nd|rd|th) by α, the first and the last, and the runs on each side of (\d+) status changes\.$`).FindStringSubmatch(caption)
	if m == nil {
		t.Fatalf("caption %q", caption)
	}
	k, _ := strconv.Atoi(m[2])
	want := map[int]bool{len(keys) - 1: true}
	changes := 0
	for i := range keys {
		if i%k == 0 {
			want[i] = true
		}
		if i+1 < len(keys) && keys[i].Status != keys[i+1].Status {
			want[i], want[i+1] = true, true
			changes++
		}
	}
	if strconv.Itoa(changes) != m[3] || strconv.Itoa(len(want)) != m[1] || len(chosen) != len(want) {
		t.Errorf("caption %q; %d runs chosen; the rule gives %d of them and %d changes", caption, len(chosen), len(want), changes)
	}
	for _, i := range chosen {
		if !want[i] {
			t.Errorf("run %d (α = %g) chosen, which the rule leaves out", i, keys[i].Value)
		}
	}
	checkCurves(t, svg, curves, keys[0].Value, keys[len(keys)-1].Value)
}

// checkCurves checks a curves chart's SVG: one line for each curve, and
// one end mark of its status; a colour bar whose end labels are the swept
// range's ends.
func checkCurves(t *testing.T, svg []byte, curves []Curve, lo, hi float64) {
	t.Helper()
	es := parseSVG(t, svg)
	viridisColours := map[string]bool{}
	for _, c := range viridis {
		viridisColours[hex(viridisAt(float64(slices.Index(viridis[:], c))/255))] = true
	}
	lines := 0
	for _, e := range es {
		if e.name == "path" && viridisColours[e.style["stroke"]] && e.style["stroke-width"] == "1.1" {
			lines++
		}
	}
	if lines != len(curves) {
		t.Errorf("%d lines drawn in viridis, want one for each of %d curves", lines, len(curves))
	}
	// End marks: a dot (filled) for converged, a square or a cross
	// (stroked, in thicker lines) for the others, in viridis colours; the
	// legend's are grey.
	marks := map[engine.Status]int{}
	for _, e := range es {
		switch {
		case e.name != "path":
		case viridisColours[e.style["fill"]] && e.style["stroke"] == "":
			if strings.Contains(e.d, "A") {
				marks[engine.Converged]++
			}
		case viridisColours[e.style["stroke"]] && e.style["stroke-width"] == "1.2":
			if e.subpaths() == 2 {
				marks[engine.Diverged]++
			} else {
				marks[engine.MaxIterations]++
			}
		}
	}
	want := map[engine.Status]int{}
	for _, c := range curves {
		want[c.Status]++
	}
	for _, s := range statuses {
		if marks[s] != want[s] {
			t.Errorf("%d end marks of %s, want %d", marks[s], s, want[s])
		}
	}
	// The colour bar's labels are the texts at its right, all at one x,
	// the rightmost of any two texts; its ends are the swept range's.
	byX := map[float64][]svgElement{}
	for _, e := range es {
		if e.name == "text" {
			byX[e.x] = append(byX[e.x], e)
		}
	}
	right := math.Inf(-1)
	for x, group := range byX {
		if len(group) >= 2 && x > right {
			right = x
		}
	}
	bar := byX[right]
	slices.SortFunc(bar, func(a, b svgElement) int { return -cmpFloat(a.y, b.y) }) // from the bottom
	if len(bar) < 2 || bar[0].text != strconv.FormatFloat(lo, 'g', -1, 64) || bar[len(bar)-1].text != strconv.FormatFloat(hi, 'g', -1, 64) {
		t.Errorf("colour bar labelled %q from bottom to top, want %g to %g", texts(bar), lo, hi)
	}
}

// cmpFloat orders numbers.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSweepOfALargeSweep(t *testing.T) {
	large, err := largeSweep()
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Sweep(&SweepChart{Title: "lr-20000: iterations of each run", X: FieldOf("alpha", true), Series: []SweepSeries{{Runs: large.runs}}, N: 3})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "sweep-20000.svg"), svg)
	if len(svg) > 300<<10 {
		t.Errorf("%d bytes, want at most 300 KB", len(svg))
	}
}

func TestCurvesOfTheAlphaSweepCheckOut(t *testing.T) {
	curves := alphaSweep(t)
	svg, err := Curves(&CurvesChart{Title: "learning-rates", Field: FieldOf("alpha", false), Curves: curves, Floor: floorOf()})
	if err != nil {
		t.Fatal(err)
	}
	checkCurves(t, svg, curves, learningRates[0], learningRates[len(learningRates)-1])
}
