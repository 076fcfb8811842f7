package plots

import (
	"slices"

	"github.com/descentlab/runner/pkg/engine"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepRun is what a sweep's picture shows of a run: the value of the
// swept field, the iterations it took, and how it ended.
type SweepRun struct {
	Value      float64
	Iterations int
	Status     engine.Status
}

// MaxSweepPoints bounds the runs a sweep's picture marks: a larger sweep is
// thinned to every k-th run and the last, evenly over its runs in order.
const MaxSweepPoints = 1000

// statuses are the statuses, in the order the legend lists them.
var statuses = []engine.Status{engine.Converged, engine.MaxIterations, engine.Diverged}

// Sweep draws a sweep's sweep.svg: the iterations each run took against
// the swept field, on a log axis when its values span more than two
// decades, marked by status; and, if limit > 0, a line at that value (the
// stability limit α = 1/N of b3-only descent). A sweep of more than
// MaxSweepPoints runs is thinned.
func Sweep(name, field string, runs []SweepRun, limit float64) ([]byte, error) {
	runs = thinned(runs)
	p := plot.New()
	p.Title.Text = name
	p.X.Label.Text = field
	p.Y.Label.Text = "iterations"
	values := make([]float64, len(runs))
	for i, r := range runs {
		values[i] = r.Value
	}
	lo, hi := slices.Min(values), slices.Max(values)
	if lo > 0 && hi/lo > 100 {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	} else {
		p.X.Min, p.X.Max = span(values...)
	}
	for _, status := range statuses {
		var xys plotter.XYs
		for _, r := range runs {
			if r.Status == status {
				xys = append(xys, plotter.XY{X: r.Value, Y: float64(r.Iterations)})
			}
		}
		if len(xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: statusColors[status], Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(status.String(), s)
	}
	if limit > 0 && limit >= p.X.Min && limit <= p.X.Max {
		l, err := plotter.NewLine(plotter.XYs{{X: limit, Y: 0}, {X: limit, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("α = 1/N", l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min = 0
	p.Y.Max += (p.Y.Max - p.Y.Min) / 3 // room for the legend
	return render(6*vg.Inch, 4*vg.Inch, p)
}

// thinned keeps at most MaxSweepPoints runs: every k-th and the last.
func thinned(runs []SweepRun) []SweepRun {
	keep := NewSweepPoints(len(runs))
	for i, r := range runs {
		keep.Add(i, r)
	}
	return keep.Points()
}

// SweepPoints keeps the runs of a sweep that its picture marks, as they
// come: all of at most MaxSweepPoints runs, else every k-th and the last,
// so that memory does not grow with the sweep.
type SweepPoints struct {
	n, k int
	kept []SweepRun
}

// NewSweepPoints keeps the points of a sweep of n runs.
func NewSweepPoints(n int) *SweepPoints {
	k := 1
	if n > MaxSweepPoints {
		k = (n + MaxSweepPoints - 2) / (MaxSweepPoints - 1)
	}
	return &SweepPoints{n: n, k: k}
}

// Add offers run i (from 0) of the sweep.
func (s *SweepPoints) Add(i int, r SweepRun) {
	if i == s.n-1 || i%s.k == 0 {
		s.kept = append(s.kept, r)
	}
}

// Points returns the runs kept, in order.
func (s *SweepPoints) Points() []SweepRun {
	return s.kept
}
