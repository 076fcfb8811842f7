package plots

import (
	"slices"

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
	Status     string
}

// MaxSweepPoints bounds the runs a sweep's picture marks: a larger sweep is
// thinned to every k-th run and the last, evenly over its runs in order.
const MaxSweepPoints = 1000

// statuses are the statuses, in the order the legend lists them.
var statuses = []string{"converged", "max-iterations", "diverged"}

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
		p.Legend.Add(status, s)
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
	if len(runs) <= MaxSweepPoints {
		return runs
	}
	k := (len(runs) + MaxSweepPoints - 2) / (MaxSweepPoints - 1)
	var kept []SweepRun
	for i := 0; i < len(runs)-1; i += k {
		kept = append(kept, runs[i])
	}
	return append(kept, runs[len(runs)-1])
}
