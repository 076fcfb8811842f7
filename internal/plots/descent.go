package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/pkg/engine"
)

// Descent draws a run's descent.svg, titled with label (which names the
// run and its swept values, as "learning-rates: α = 0.1") over how the run
// ended. When b3 alone trains, it draws SSR as a function of b3 over the
// run's path and the optimum, and marks each iteration kept by path at
// its (b3, SSR), joined in order, the start and the end labelled. When
// several parameters train, it draws SSR against the iteration, on a log
// scale with round ticks, over the parameters' paths.
func Descent(o *batch.Outcome, path *Path, label string) ([]byte, error) {
	pts := path.points()
	if o.Run.Settings.Trained() == engine.NewParamSet(engine.B3) {
		return descentOfB3(o, pts, label)
	}
	return descentOfMany(o, pts, label)
}

// descentOfB3 draws SSR over b3 and the steps down it.
func descentOfB3(o *batch.Outcome, pts []point, label string) ([]byte, error) {
	r := &o.Run
	var steps plotter.XYs
	for _, p := range pts {
		steps = append(steps, plotter.XY{X: p.values[0], Y: p.ssr})
	}
	steps = finite(steps)
	p := plot.New()
	p.Title.Text = title(label, o)
	p.X.Label.Text = "b3"
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.Y.Label.Text = "SSR"
	// A range centred on the optimum, to show the whole bowl, that covers
	// the path.
	best := engine.Optimum(r.Start, r.Experiment.Data)
	b := bounds(steps)
	reach := max(best-b.xmin, b.xmax-best, 0.1)
	if xmin, xmax := best-reach, best+reach; isFinite(xmin) && isFinite(xmax) && isFinite(xmax-xmin) {
		b.xmin, b.xmax = xmin, xmax
	}
	if len(steps) == 0 || !b.drawable() {
		return nothingToDraw(p)
	}
	b.xmax += b.xmax/16 - b.xmin/16 // room for the label of a step at the right edge
	ssr := func(b3 float64) float64 {
		n := r.Start
		n.B3 = b3
		return n.SSR(r.Experiment.Data)
	}
	bowl := sample(ssr, b.xmin, b.xmax, curveSamples)
	if low := finite(bowl); len(low) > 0 {
		b.ymin = min(b.ymin, bounds(low).ymin) // down to the bottom of the bowl
	}
	for _, piece := range b.clip(bowl) {
		curve, err := plotter.NewLine(piece)
		if err != nil {
			return nil, err
		}
		curve.Color, curve.Width = pink, vg.Points(1.5)
		p.Add(curve)
	}
	line, marks, err := stepsOf(steps)
	if err != nil {
		return nil, err
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    plotter.XYs{steps[0], steps[len(steps)-1]},
		Labels: []string{" start", " end"},
	})
	if err != nil {
		return nil, err
	}
	p.Add(line, marks, labels)
	b.set(p)
	return render(5*vg.Inch, 3.5*vg.Inch, p)
}

// title writes a picture's label over how its run ended.
func title(label string, o *batch.Outcome) string {
	return fmt.Sprintf("%s\n%v after %d iterations", label, o.Result.Status, o.Result.Iterations)
}

// roomForLegend widens a plot's x axis to the right of the data, so that
// a legend in the top right corner covers none of it.
func roomForLegend(p *plot.Plot) {
	p.X.Max += (p.X.Max - p.X.Min) / 4
}

// stepsOf draws points joined in order, marked with markColor.
func stepsOf(xys plotter.XYs) (*plotter.Line, *plotter.Scatter, error) {
	line, marks, err := plotter.NewLinePoints(xys)
	if err != nil {
		return nil, nil, err
	}
	line.Color, line.Width = stepColor, vg.Points(0.75)
	marks.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	return line, marks, nil
}

// descentOfMany draws SSR over the iterations, on a log scale, and each
// trained parameter's path below it.
func descentOfMany(o *batch.Outcome, pts []point, label string) ([]byte, error) {
	r := &o.Run
	var ssr plotter.XYs
	for _, p := range pts {
		ssr = append(ssr, plotter.XY{X: float64(p.n), Y: max(p.ssr, math.SmallestNonzeroFloat64)})
	}
	ssr = finite(ssr)
	top := plot.New()
	top.Title.Text = title(label, o)
	if len(ssr) == 0 || !bounds(ssr).drawable() {
		return nothingToDraw(top)
	}
	top.Y.Label.Text = "SSR (log scale)"
	logY := scale{log: true}
	ylo, yhi := logY.pad(bounds(ssr).ymin, bounds(ssr).ymax)
	logY.setAxis(&top.Y, ylo, yhi)
	for i := range ssr {
		ssr[i].Y = logY.at(ssr[i].Y)
	}
	top.X.Tick.Marker = linearTicks{}
	line, err := plotter.NewLine(ssr)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width = stepColor, vg.Points(1)
	top.Add(line)

	bottom := plot.New()
	bottom.X.Label.Text = "iteration"
	bottom.Y.Label.Text = "parameters"
	bottom.X.Tick.Marker = linearTicks{}
	var all plotter.XYs
	for j, k := range r.Settings.Trained().List() {
		var xys plotter.XYs
		for _, p := range pts {
			xys = append(xys, plotter.XY{X: float64(p.n), Y: p.values[j]})
		}
		if xys = finite(xys); len(xys) == 0 {
			continue
		}
		all = append(all, xys...)
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(j), vg.Points(1)
		bottom.Add(l)
		bottom.Legend.Add(k.String(), l)
	}
	if len(all) == 0 || !bounds(all).drawable() {
		return render(6*vg.Inch, 3*vg.Inch, top)
	}
	bottom.Legend.Top = true
	roomForLegend(bottom)
	top.X.Min, top.X.Max = bottom.X.Min, bottom.X.Max
	return render(6*vg.Inch, 6*vg.Inch, top, bottom)
}
