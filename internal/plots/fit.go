package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/pkg/engine"
)

// Fit draws a run's fit.svg: the network's predicted curve over the data's
// x range (and a tenth beyond on each side) with the starting parameters
// and with the final ones, and the data points.
func Fit(o *batch.Outcome) ([]byte, error) {
	r := &o.Run
	data := make(plotter.XYs, len(r.Experiment.Data))
	xs := make([]float64, len(data))
	for i, pt := range r.Experiment.Data {
		data[i] = plotter.XY{X: pt.X, Y: pt.Y}
		xs[i] = pt.X
	}
	lo, hi := span(xs...)

	p := plot.New()
	p.Title.Text = title(o)
	p.X.Label.Text = "x (dosage)"
	p.Y.Label.Text = "y, predicted"
	p.X.Min, p.X.Max = lo, hi
	// The curves do not widen the axes by themselves: cover them, and the
	// data, with room above for the legend.
	ys := make([]float64, 0, 2*curveSamples+len(data))
	for _, pt := range data {
		ys = append(ys, pt.Y)
	}
	for i := range curveSamples {
		x := lo + (hi-lo)*float64(i)/(curveSamples-1)
		ys = append(ys, r.Start.Predict(x), o.Result.Final.Predict(x))
	}
	p.Y.Min, p.Y.Max = span(ys...)
	p.Y.Max += (p.Y.Max - p.Y.Min) / 4
	start, final := curveOf(r.Start), curveOf(o.Result.Final)
	start.Color, start.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
	final.Color, final.Width = green, vg.Points(1.5)
	points, err := plotter.NewScatter(data)
	if err != nil {
		return nil, err
	}
	points.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(start, final, points)
	p.Legend.Add("start", start)
	p.Legend.Add("final", final)
	p.Legend.Add("data", points)
	p.Legend.Top = true
	return render(5*vg.Inch, 3.5*vg.Inch, p)
}

// curveSamples is how many points draw a curve.
const curveSamples = 200

// curveOf draws a network's prediction as a function of x.
func curveOf(n engine.Network) *plotter.Function {
	f := plotter.NewFunction(n.Predict)
	f.Samples, f.Width = curveSamples, vg.Points(1)
	return f
}
