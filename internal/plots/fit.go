package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/pkg/engine"
)

// Fit draws a run's fit.svg, titled with label (as Descent is): the
// network's predicted curve over the data's x range (and a tenth beyond on
// each side) with the starting parameters and with the final ones, and the
// data points. A curve with no finite value (a run that diverged to
// infinities) is left out.
func Fit(o *batch.Outcome, label string) ([]byte, error) {
	r := &o.Run
	data := make(plotter.XYs, len(r.Experiment.Data))
	for i, pt := range r.Experiment.Data {
		data[i] = plotter.XY{X: pt.X, Y: pt.Y}
	}
	p := plot.New()
	p.Title.Text = title(label, o)
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.X.Label.Text = "x (dosage)"
	p.Y.Label.Text = "y, predicted"
	xs := bounds(data)
	b := xs
	b.xmin, b.xmax = span(xs.xmin, xs.xmax)
	start, final := r.Start, o.Result.Final
	for i, n := range []*engine.Network{&start, &final} {
		xys := finite(sample(n.Predict, b.xmin, b.xmax, curveSamples))
		if len(xys) < 2 || !bounds(xys).drawable() {
			continue
		}
		c, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		c.Width = vg.Points(1)
		if i == 0 {
			c.Color, c.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
		} else {
			c.Color, c.Width = green, vg.Points(1.5)
		}
		b = b.union(bounds(xys))
		p.Add(c)
		p.Legend.Add([]string{"start", "final"}[i], c)
	}
	// The curves and the data, with room above for the legend.
	b.ymin, b.ymax = span(b.ymin, b.ymax)
	b.ymax += (b.ymax - b.ymin) / 4
	points, err := plotter.NewScatter(data)
	if err != nil {
		return nil, err
	}
	points.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(points)
	p.Legend.Add("data", points)
	p.Legend.Top = true
	b.set(p)
	return render(5*vg.Inch, 3.5*vg.Inch, p)
}

// curveSamples is how many points draw a curve.
const curveSamples = 200
