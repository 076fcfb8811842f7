package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/pkg/engine"
)

// SweepRun is what a sweep's picture shows of a run: the value of the
// swept field, the iterations it took, and how it ended.
type SweepRun struct {
	Value      float64
	Iterations int
	Status     engine.Status
}

// SweepSeries is a line of a sweep chart: the runs at one combination of
// the values of the swept fields other than the chart's, which Label
// names ("starting b3 = 1"; empty when the sweep has one field).
type SweepSeries struct {
	Label string
	Runs  []SweepRun
}

// SweepChart is what a sweep chart shows.
type SweepChart struct {
	Title string
	// X is the swept field the iterations are drawn against.
	X      Field
	Series []SweepSeries
	// N, if positive, is the number of data points of a descent of b3
	// alone whose X is α: the chart draws the stability limit α = 1/N and
	// the error factor |1 − 2Nα| on a second axis along its top.
	N int
	// Caption, if set, is written under the chart, before what it says of
	// the series it leaves out.
	Caption string
}

// Limits of a sweep chart: of more series, every k-th (the first and the
// last too) is drawn; of more runs in all, every k-th run of each series
// (and its last).
const (
	MaxSweepSeries = 8
	MaxSweepPoints = 1000
)

// statuses are the statuses, in the order the legend lists them.
var statuses = []engine.Status{engine.Converged, engine.MaxIterations, engine.Diverged}

// seriesColors tell series apart: Okabe and Ito's colours, which readers
// with any common colour blindness tell apart, darkest first.
var seriesColors = []color.RGBA{
	{R: 0, G: 114, B: 178, A: 255},   // blue
	{R: 213, G: 94, B: 0, A: 255},    // vermillion
	{R: 0, G: 158, B: 115, A: 255},   // bluish green
	{R: 204, G: 121, B: 167, A: 255}, // reddish purple
	{R: 86, G: 180, B: 233, A: 255},  // sky blue
	{R: 230, G: 159, B: 0, A: 255},   // orange
	{R: 0, G: 0, B: 0, A: 255},       // black
	{R: 240, G: 228, B: 66, A: 255},  // yellow
}

// Sweep draws sweep.svg: the iterations each run took against the swept
// field X (each on a log axis where its values are log-spaced or span more
// than two decades, with round ticks), one line of marks per series, the
// marks' shape telling the statuses apart (a dot for converged, a square
// for max-iterations, a cross for diverged) and, of several series, their
// colour the series, with a legend. With N it draws the stability limit α
// = 1/N and the error factor |1 − 2Nα| along the top. It draws at most
// MaxSweepSeries series and MaxSweepPoints runs in all; the caption says
// which when there are more.
func Sweep(s *SweepChart) ([]byte, error) {
	return sweepFigure(s, nil)
}

// SweepChange draws the sweep chart of a change: the old side's series
// dashed, the new side's solid, as the legend says.
func SweepChange(old, new *SweepChart) ([]byte, error) {
	return sweepFigure(new, old)
}

// sidedSeries is a series on a side of a chart.
type sidedSeries struct {
	SweepSeries
	side  side
	color color.RGBA
}

// sweepFigure draws a sweep chart, and for a change its old side.
func sweepFigure(s, old *SweepChart) ([]byte, error) {
	series, note := chosenSeries(s.Series)
	notes := []string{s.Caption, note}
	var all []sidedSeries
	for i, ss := range series {
		all = append(all, sidedSeries{ss, newSide, seriesColors[i%len(seriesColors)]})
	}
	if old != nil {
		oldSeries, _ := chosenSeries(old.Series)
		var olds []sidedSeries
		for _, ss := range oldSeries {
			i := slices.IndexFunc(series, func(n SweepSeries) bool { return n.Label == ss.Label })
			if i < 0 {
				i = len(series) + len(olds)
			}
			olds = append(olds, sidedSeries{ss, oldSide, seriesColors[i%len(seriesColors)]})
		}
		all = append(olds, all...)
	}
	perSeries := MaxSweepPoints / max(len(all), 1)
	values, iterations := emptyRange, emptyRange
	for i := range all {
		all[i].Runs = thinnedTo(finiteRuns(all[i].Runs), perSeries)
		for _, r := range all[i].Runs {
			values.widen(r.Value)
			iterations.widen(float64(max(r.Iterations, 1)))
		}
	}
	if values.empty() {
		values, iterations = valueRange{0, 0}, valueRange{1, 1}
	}
	p := plot.New()
	p.Title.Text = s.Title
	xScale := scale{log: logScaleFor(s.X.Log, values.lo, values.hi)}
	yScale := scale{log: logScaleFor(false, iterations.lo, iterations.hi)}
	xlo, xhi := xScale.pad(values.lo, values.hi)
	xScale = xScale.fit(xlo, xhi)
	ylo, yhi := yScale.pad(iterations.lo, iterations.hi)
	if !yScale.log {
		ylo = 0
	}
	factor := s.N > 0 && s.X.Key == "alpha"
	if factor { // room at the top for the error factor's axis
		if yScale.log {
			yhi = min(float64(yhi*pow10Frac((log10(yhi)-log10(ylo))/6)), math.MaxFloat64)
		} else {
			yhi += (yhi - ylo) / 6
		}
	}
	xScale.setAxis(&p.X, xlo, xhi)
	yScale.setAxis(&p.Y, ylo, yhi)
	p.X.Label.Text, p.Y.Label.Text = s.X.axisLabel(xScale), (Field{Label: "iterations"}).axisLabel(yScale)
	single := len(all) == 1 || (old != nil && len(series) == 1 && len(all) == 2)
	for _, ss := range all {
		if err := addSeries(p, ss, xScale, yScale, single); err != nil {
			return nil, err
		}
	}
	f := &figure{width: 6.5 * vg.Inch, height: 4.4 * vg.Inch, plot: p, caption: joinNotes(notes),
		legend: sweepLegend(all, single, factor, old != nil)}
	if factor {
		limit := 1 / float64(s.N)
		if at := xScale.at(limit); at >= p.X.Min && at <= p.X.Max {
			if err := addLimit(p, at); err != nil {
				return nil, err
			}
		}
		p.Add(errorFactorAxis{n: s.N, x: xScale})
	}
	return f.render()
}

// chosenSeries returns the series drawn: all of at most MaxSweepSeries,
// else every k-th, the first and the last; and a note saying so.
func chosenSeries(series []SweepSeries) ([]SweepSeries, string) {
	if len(series) <= MaxSweepSeries {
		return series, ""
	}
	keep := everyKth(len(series), MaxSweepSeries)
	var kept []SweepSeries
	for _, i := range keep {
		kept = append(kept, series[i])
	}
	return kept, fmt.Sprintf("%s of the %s series drawn, every %s.", prose.Thousands(len(kept)), prose.Thousands(len(series)), ordinal(keep[1]-keep[0]))
}

// finiteRuns returns the runs whose value is finite, in order of value.
func finiteRuns(runs []SweepRun) []SweepRun {
	var out []SweepRun
	for _, r := range runs {
		if isFinite(r.Value) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b SweepRun) int {
		switch {
		case a.Value < b.Value:
			return -1
		case a.Value > b.Value:
			return 1
		}
		return 0
	})
	return out
}

// addSeries adds a series: a thin line through its runs, and their marks.
// A single series' marks are coloured by status, several series' by
// series.
func addSeries(p *plot.Plot, ss sidedSeries, xScale, yScale scale, single bool) error {
	xys := make(plotter.XYs, len(ss.Runs))
	for i, r := range ss.Runs {
		xys[i] = plotter.XY{X: xScale.at(r.Value), Y: yScale.at(float64(max(r.Iterations, 1)))}
	}
	lineColor := ss.color
	if single {
		lineColor = grey
	}
	if len(xys) > 1 {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = lineColor, vg.Points(0.75), ss.side.dashes()
		p.Add(l)
	}
	m := &marks{}
	for i, r := range ss.Runs {
		c := ss.color
		if single {
			c = statusColors[r.Status]
		}
		m.add(statusGlyph(r.Status, c), xys[i])
	}
	p.Add(m)
	return nil
}

// addLimit adds the stability limit α = 1/N: a dashed vertical line at x.
func addLimit(p *plot.Plot, x float64) error {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
	if err != nil {
		return err
	}
	l.Color, l.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(l)
	return nil
}

// sweepLegend names the series (of several), the statuses' marks, the
// stability limit and the sides of a change.
func sweepLegend(all []sidedSeries, single, limit, change bool) []legendEntry {
	var entries []legendEntry
	if !single {
		seen := map[string]bool{}
		for _, ss := range all {
			if !seen[ss.Label] {
				seen[ss.Label] = true
				entries = append(entries, legendEntry{label: ss.Label, key: colouredLineKey(ss.color)})
			}
		}
	}
	for _, st := range statuses {
		c := floorColor
		if single {
			c = statusColors[st]
		}
		g := statusGlyph(st, c)
		entries = append(entries, legendEntry{label: st.String(), key: func(c draw.Canvas) {
			c.DrawGlyph(g, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2})
		}})
	}
	if limit {
		entries = append(entries, legendEntry{label: "α = 1/N", key: lineKey(vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)})})
	}
	if change {
		entries = append(entries,
			legendEntry{label: "old", key: lineKey(vg.Points(1.1), oldSide.dashes())},
			legendEntry{label: "new", key: lineKey(vg.Points(1.1), nil)})
	}
	return entries
}

// colouredLineKey draws a legend key of a line of a colour.
func colouredLineKey(c color.Color) func(draw.Canvas) {
	return func(cv draw.Canvas) {
		y := (cv.Min.Y + cv.Max.Y) / 2
		cv.StrokeLine2(draw.LineStyle{Color: c, Width: vg.Points(2)}, cv.Min.X, y, cv.Max.X, y)
	}
}

// marks draws glyphs at points, all those of one style as one path: one
// SVG element, however many runs.
type marks struct {
	styles []draw.GlyphStyle
	at     [][]plotter.XY
}

// add adds a glyph at a point.
func (m *marks) add(g draw.GlyphStyle, xy plotter.XY) {
	i := slices.IndexFunc(m.styles, func(s draw.GlyphStyle) bool { return s == g })
	if i < 0 {
		m.styles, m.at, i = append(m.styles, g), append(m.at, nil), len(m.styles)
	}
	m.at[i] = append(m.at[i], xy)
}

// Plot draws the glyphs.
func (m *marks) Plot(c draw.Canvas, p *plot.Plot) {
	for i, g := range m.styles {
		var path vg.Path
		for _, xy := range m.at[i] {
			glyphPath(&path, g, vg.Point{X: c.X(p.X.Norm(xy.X)), Y: c.Y(p.Y.Norm(xy.Y))})
		}
		c.SetColor(g.Color)
		if _, dot := g.Shape.(draw.CircleGlyph); dot {
			c.Fill(path)
			continue
		}
		c.SetLineStyle(draw.LineStyle{Color: g.Color, Width: glyphLine})
		c.Stroke(path)
	}
}

// GlyphBoxes gives the glyphs room at the plot's edges.
func (m *marks) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var boxes []plot.GlyphBox
	for i, g := range m.styles {
		for _, xy := range m.at[i] {
			boxes = append(boxes, plot.GlyphBox{X: p.X.Norm(xy.X), Y: p.Y.Norm(xy.Y), Rectangle: g.Rectangle()})
		}
	}
	return boxes
}

// glyphPath adds a glyph's outline at pt to a path: a circle (to fill),
// or the lines of a square or a cross (to stroke).
func glyphPath(p *vg.Path, g draw.GlyphStyle, pt vg.Point) {
	r := g.Radius
	switch g.Shape.(type) {
	case draw.CircleGlyph:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
	case squareGlyph:
		r = vg.Length(float64(float64(r) * 0.8))
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X - r, Y: pt.Y + r})
		p.Close()
	default:
		r = vg.Length(float64(float64(r) * math.Sqrt2 / 2))
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	}
}

// errorFactors are the values of the error factor |1 − 2Nα| marked on its
// axis: below its zero at α = 1/(2N), and above it, where 1 is the
// stability limit.
var errorFactors = struct{ below, above []float64 }{
	below: []float64{0.99, 0.9, 0.5, 0},
	above: []float64{0.5, 1, 2, 5, 10, 100},
}

// errorFactorAxis draws the error factor |1 − 2Nα| of a descent of b3
// alone over N data points as an axis along the top of the plot, inside
// it: its ticks hang from the top at the α where the factor takes round
// values, on both sides of its zero at α = 1/(2N), labelled where they do
// not overlap.
type errorFactorAxis struct {
	n int
	x scale
}

// Plot draws the axis.
func (e errorFactorAxis) Plot(c draw.Canvas, p *plot.Plot) {
	sty := textStyle
	sty.Font.Size = vg.Points(8)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	line := draw.LineStyle{Color: floorColor, Width: vg.Points(0.5)}
	top := c.Max.Y
	title := "error factor |1 − 2Nα| of b3's steps"
	titleStyle := sty
	titleStyle.XAlign = draw.XLeft
	c.FillText(titleStyle, vg.Point{X: c.Min.X + vg.Points(4), Y: top - vg.Points(16)}, title)
	titleEnd := c.Min.X + vg.Points(8) + titleStyle.Width(title)
	type tick struct {
		x     vg.Length
		label string
	}
	var ticks []tick
	add := func(f, alpha float64) {
		if at := e.x.at(alpha); alpha > 0 && at >= p.X.Min && at <= p.X.Max {
			ticks = append(ticks, tick{c.X(p.X.Norm(at)), shortest(f)})
		}
	}
	for _, f := range errorFactors.below {
		add(f, (1-f)/float64(2*e.n))
	}
	for _, f := range errorFactors.above {
		add(f, (1+f)/float64(2*e.n))
	}
	end := vg.Length(math.Inf(-1))
	for _, t := range ticks {
		c.StrokeLine2(line, t.x, top, t.x, top-vg.Points(4))
		half := sty.Width(t.label) / 2
		if t.x-half > end+vg.Points(3) && (t.x-half > titleEnd || t.x+half < c.Min.X) {
			c.FillText(sty, vg.Point{X: t.x, Y: top - vg.Points(5)}, t.label)
			end = t.x + half
		}
	}
}

// thinned keeps at most MaxSweepPoints runs: every k-th and the last.
func thinned(runs []SweepRun) []SweepRun {
	return thinnedTo(runs, MaxSweepPoints)
}

// thinnedTo keeps at most most runs (most >= 2): every k-th and the last.
func thinnedTo(runs []SweepRun, most int) []SweepRun {
	if len(runs) <= most {
		return runs
	}
	var kept []SweepRun
	for _, i := range everyKth(len(runs), max(most, 2)) {
		kept = append(kept, runs[i])
	}
	return kept
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

// Add offers run i (from 0) of the sweep, and reports whether it is kept.
func (s *SweepPoints) Add(i int, r SweepRun) bool {
	if i == s.n-1 || i%s.k == 0 {
		s.kept = append(s.kept, r)
		return true
	}
	return false
}

// Points returns the runs kept, in order.
func (s *SweepPoints) Points() []SweepRun {
	return s.kept
}
