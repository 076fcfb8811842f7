package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/search"
)

// ruleStyles tell a range test's suggestions apart by colour (from Okabe
// and Ito's palette, which colour-blind readers tell apart too) and by the
// shape of their markers.
var ruleStyles = map[search.Rule]struct {
	color color.Color
	shape draw.GlyphDrawer
}{
	search.Steepest:     {color.RGBA{R: 213, G: 94, B: 0, A: 255}, draw.PyramidGlyph{}},
	search.Valley:       {color.RGBA{R: 0, G: 114, B: 178, A: 255}, draw.BoxGlyph{}},
	search.MinimumTenth: {color.RGBA{R: 0, G: 158, B: 115, A: 255}, draw.CircleGlyph{}},
}

// LRRange draws a range test's lr-range.svg: the SSR of each iteration
// (grey) and its smoothed value (pink) against α on log axes, where the
// test stopped (a dashed grey line), and each rule's suggestion as a
// dashed line at the α it suggests, in the rule's colour, with a marker
// on the smoothed curve at the point the rule read (for minimum/10, the
// least smoothed SSR, at ten times the α suggested); the legend below
// names each, with its α. title names the run.
func LRRange(title string, a *search.RangeAnalysis) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title + "\n" + rangeOutcome(a)
	raw, smoothed := rangeCurves(a)
	if len(smoothed) == 0 {
		return nothingToDraw(p)
	}
	data := bounds(append(append(plotter.XYs{}, raw...), smoothed...))
	for _, s := range a.Suggestions {
		data.xmin, data.xmax = min(data.xmin, s.Alpha), max(data.xmax, s.Alpha)
	}
	axis := scale{log: true}
	xlo, xhi := axis.pad(data.xmin, data.xmax)
	ylo, yhi := axis.pad(data.ymin, data.ymax)
	axis.setAxis(&p.X, xlo, xhi)
	axis.setAxis(&p.Y, ylo, yhi)
	p.X.Label.Text, p.Y.Label.Text = "α (log scale)", "SSR (log scale)"
	at := func(x, y float64) plotter.XY { return plotter.XY{X: axis.at(x), Y: axis.at(y)} }
	var legend []legendEntry
	for _, curve := range []struct {
		xys   plotter.XYs
		style draw.LineStyle
		label string
	}{
		{raw, draw.LineStyle{Color: grey, Width: vg.Points(0.75)}, "SSR"},
		{smoothed, draw.LineStyle{Color: pink, Width: vg.Points(1.5)}, fmt.Sprintf("smoothed SSR (β = %g)", search.RangeBeta)},
	} {
		pts := make(plotter.XYs, len(curve.xys))
		for i, xy := range curve.xys {
			pts[i] = at(xy.X, xy.Y)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.LineStyle = curve.style
		p.Add(l)
		legend = append(legend, legendEntry{label: curve.label, key: styledLineKey(curve.style, nil)})
	}
	mark := func(x float64, c color.Color) (draw.LineStyle, error) {
		style := draw.LineStyle{Color: c, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		l, err := plotter.NewLine(plotter.XYs{{X: axis.at(x), Y: p.Y.Min}, {X: axis.at(x), Y: p.Y.Max}})
		if err == nil {
			l.LineStyle = style
			p.Add(l)
		}
		return style, err
	}
	if a.Stopped {
		style, err := mark(a.Points[len(a.Points)-1].Alpha, grey)
		if err != nil {
			return nil, err
		}
		legend = append(legend, legendEntry{label: fmt.Sprintf("stop: smoothed SSR > %g × its least", float64(search.RangeStopFactor)), key: styledLineKey(style, nil)})
	}
	for _, s := range a.Suggestions {
		rule := ruleStyles[s.Rule]
		style, err := mark(s.Alpha, rule.color)
		if err != nil {
			return nil, err
		}
		pt := a.Points[s.Point]
		m, err := plotter.NewScatter(plotter.XYs{at(pt.Alpha, pt.Smoothed)})
		if err != nil {
			return nil, err
		}
		m.GlyphStyle = draw.GlyphStyle{Color: rule.color, Radius: vg.Points(3.5), Shape: rule.shape}
		p.Add(m)
		legend = append(legend, legendEntry{label: fmt.Sprintf("%v: α = %.3g", s.Rule, s.Alpha), key: styledLineKey(style, &m.GlyphStyle)})
	}
	f := &figure{width: 6.5 * vg.Inch, height: 4.4 * vg.Inch, plot: p, legend: legend}
	return f.render()
}

// styledLineKey draws a legend key of a line in its style, with a glyph
// in its middle if g is not nil.
func styledLineKey(style draw.LineStyle, g *draw.GlyphStyle) func(draw.Canvas) {
	return func(c draw.Canvas) {
		y := (c.Min.Y + c.Max.Y) / 2
		c.StrokeLine2(style, c.Min.X, y, c.Max.X, y)
		if g != nil {
			c.DrawGlyph(*g, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y})
		}
	}
}

// rangeOutcome says how a range test ended, and why it suggests nothing
// if it does not.
func rangeOutcome(a *search.RangeAnalysis) string {
	n := len(a.Points)
	outcome := fmt.Sprintf("all %d iterations run", n)
	if a.Stopped {
		outcome = fmt.Sprintf("stopped at iteration %d", n)
	}
	if len(a.Suggestions) == 0 {
		outcome += ", too few to suggest"
	}
	return outcome
}

// rangeCurves returns the points of a range test's SSR and smoothed SSR
// that a log axis can show: finite and above 0.
func rangeCurves(a *search.RangeAnalysis) (raw, smoothed plotter.XYs) {
	for _, pt := range a.Points {
		if pt.SSR > 0 {
			raw = append(raw, plotter.XY{X: pt.Alpha, Y: pt.SSR})
		}
		if pt.Smoothed > 0 {
			smoothed = append(smoothed, plotter.XY{X: pt.Alpha, Y: pt.Smoothed})
		}
	}
	return finite(raw), finite(smoothed)
}
