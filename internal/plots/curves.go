package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/pkg/engine"
)

// Curve is a run on a curves chart: its swept value, which colours its
// curve, how it ended, which its curve's end marks, and its SSR curve.
type Curve struct {
	Value  float64
	Status engine.Status
	Points *CurveThinner
}

// CurvesChart is what a curves chart shows.
type CurvesChart struct {
	Title string
	// Field is the swept field whose value colours each curve.
	Field Field
	// Curves are the runs drawn, at most MaxCurves (of more, those
	// SelectCurves chooses).
	Curves []Curve
	// Floor, if positive, is the least SSR there is (that at b3*, when b3
	// alone trains), drawn as a horizontal line.
	Floor float64
	// Caption says which runs are drawn when not all are, as SelectCurves
	// writes it.
	Caption string
}

// Limits of a curves chart's file: its curves are simplified to what its
// pixels show (points nearer than a fraction of a point to the line
// through their neighbours left out), more coarsely if they would
// otherwise have more than maxChartPoints in all.
const (
	maxChartPoints = 12_000
	curveTolerance = 0.2 // points
)

// Curves draws curves.svg: the SSR of every run against its iterations,
// both on log scales, each curve coloured by its run's swept value through
// viridis, with a colour bar of the field; each curve ends in a mark of
// its status (a dot for converged, a square for max-iterations, a cross
// for diverged, drawn up to its last finite SSR); the SSR floor as a
// dotted line; the caption below. An SSR of 0 is drawn at the bottom of
// the axis. It draws at most MaxCurves curves and maxChartPoints points,
// so the file stays under 300 KB whatever the sweep.
func Curves(c *CurvesChart) ([]byte, error) {
	return curvesFigure(c, nil)
}

// CurvesChange draws the curves chart of a change: the curves of the old
// results dashed and those of the new solid, over one colour bar and one
// pair of axes, in a picture titled as the new one.
func CurvesChange(old, new *CurvesChart) ([]byte, error) {
	return curvesFigure(new, old)
}

// sidedCurve is a curve on a side of a chart.
type sidedCurve struct {
	Curve
	side side
	pts  plotter.XYs // its points, on the chart's axes
}

// curvesFigure draws a curves chart, of the new side and, for a change,
// the old.
func curvesFigure(c, old *CurvesChart) ([]byte, error) {
	caption := c.Caption
	curves := sidedCurves(c, newSide, &caption)
	if old != nil {
		oldCaption := old.Caption
		curves = append(sidedCurves(old, oldSide, &oldCaption), curves...)
		if oldCaption != caption && oldCaption != "" {
			caption = "Old: " + oldCaption + " New: " + caption
		}
	}
	p := plot.New()
	p.Title.Text = c.Title
	values, ssrs, last := curvesRange(curves, c.Floor)
	yScale, xScale := scale{log: true}, scale{log: true}
	ylo, yhi := yScale.pad(ssrs.lo, ssrs.hi)
	xlo, xhi := xScale.pad(1, float64(max(last, 2)))
	yScale.setAxis(&p.Y, ylo, yhi)
	xScale.setAxis(&p.X, xlo, xhi)
	p.X.Label.Text, p.Y.Label.Text = "iteration (log scale)", "SSR (log scale)"
	colours := newColourScale(c.Field.Log, values.lo, values.hi, lineTop)
	for i := range curves {
		curves[i].pts = onAxes(curves[i].Points, ylo)
	}
	f := &figure{width: 6.5 * vg.Inch, height: 4.4 * vg.Inch, plot: p, caption: caption,
		bar:    &colourBar{colourScale: colours, title: c.Field.axisLabel(colours.scale)},
		legend: curvesLegend(curves, c.Floor > 0, old != nil)}
	f.beforeDraw = func(area vg.Point) error {
		if c.Floor > 0 && isFinite(c.Floor) {
			if err := addFloor(p, log10(c.Floor)); err != nil {
				return err
			}
		}
		return addCurves(p, curves, colours, area)
	}
	return f.render()
}

// lineTop is how far up viridis curves' colours go: short of its palest
// yellows, which lines on white cannot be seen in.
const lineTop = 0.9

// sidedCurves returns a chart's curves on a side: at most MaxCurves, those
// SelectCurves chooses of more (whose caption then replaces an empty one).
func sidedCurves(c *CurvesChart, s side, caption *string) []sidedCurve {
	curves := c.Curves
	if len(curves) > MaxCurves {
		keys := make([]CurveKey, len(curves))
		for i, cv := range curves {
			keys[i] = CurveKey{cv.Value, cv.Status}
		}
		chosen, words := SelectCurves(c.Field, keys)
		if *caption == "" {
			*caption = words
		}
		curves = nil
		for _, i := range chosen {
			curves = append(curves, c.Curves[i])
		}
	}
	out := make([]sidedCurve, 0, len(curves))
	for _, cv := range curves {
		if cv.Points != nil {
			out = append(out, sidedCurve{Curve: cv, side: s})
		}
	}
	return out
}

// valueRange is the range of some values.
type valueRange struct{ lo, hi float64 }

// widen widens the range to hold v.
func (r *valueRange) widen(v float64) {
	r.lo, r.hi = min(r.lo, v), max(r.hi, v)
}

// empty reports whether the range holds no value.
func (r valueRange) empty() bool { return r.lo > r.hi }

// emptyRange holds no value.
var emptyRange = valueRange{math.Inf(1), math.Inf(-1)}

// curvesRange returns the range of the curves' finite values, that of
// their positive SSR (and the floor), and their last iteration.
func curvesRange(curves []sidedCurve, floor float64) (values, ssrs valueRange, last int) {
	values, ssrs = emptyRange, emptyRange
	if floor > 0 && isFinite(floor) {
		ssrs.widen(floor)
	}
	for _, c := range curves {
		if isFinite(c.Value) {
			values.widen(c.Value)
		}
		for _, p := range c.Points.points() {
			if p.ssr > 0 {
				ssrs.widen(p.ssr)
			}
			last = max(last, p.n)
		}
	}
	if values.empty() {
		values = valueRange{0, 0}
	}
	if ssrs.empty() { // no positive SSR: all drawn at the bottom
		ssrs = valueRange{1, 1}
	}
	return values, ssrs, last
}

// onAxes returns a curve's points on the chart's log axes, an SSR below
// the axis (0) at its bottom.
func onAxes(t *CurveThinner, bottom float64) plotter.XYs {
	pts := t.points()
	xys := make(plotter.XYs, len(pts))
	for i, p := range pts {
		xys[i] = plotter.XY{X: log10(float64(p.n)), Y: log10(max(p.ssr, bottom))}
	}
	return xys
}

// addCurves adds the curves to the plot, simplified for a data area of
// the given size, then their end marks over them.
func addCurves(p *plot.Plot, curves []sidedCurve, colours colourScale, area vg.Point) error {
	lines := make([]plotter.XYs, len(curves))
	for i, c := range curves {
		lines[i] = c.pts
	}
	lines = simplifyAll(lines, box{p.X.Min, p.X.Max, p.Y.Min, p.Y.Max}, area)
	for i, c := range curves {
		l, err := plotter.NewLine(lines[i])
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = colours.colour(c.Value), vg.Points(1.1), c.side.dashes()
		p.Add(l)
	}
	for _, c := range curves {
		if len(c.pts) == 0 {
			continue
		}
		end, err := plotter.NewScatter(plotter.XYs{c.pts[len(c.pts)-1]})
		if err != nil {
			return err
		}
		end.GlyphStyle = statusGlyph(c.Status, colours.colour(c.Value))
		p.Add(end)
	}
	return nil
}

// floorColor draws the SSR floor, and the keys of legends.
var floorColor = color.RGBA{R: 90, G: 90, B: 90, A: 255}

// addFloor adds a dotted horizontal line at y across the plot.
func addFloor(p *plot.Plot, y float64) error {
	l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}})
	if err != nil {
		return err
	}
	l.Color, l.Width, l.Dashes = floorColor, vg.Points(1), []vg.Length{vg.Points(1), vg.Points(2)}
	p.Add(l)
	return nil
}

// curvesLegend explains the end marks of the statuses drawn, the floor,
// and the sides of a change.
func curvesLegend(curves []sidedCurve, floor, change bool) []legendEntry {
	var entries []legendEntry
	for _, s := range statuses {
		for _, c := range curves {
			if c.Status == s {
				entries = append(entries, legendEntry{label: s.String(), key: lineEndKey(statusGlyph(s, floorColor), nil)})
				break
			}
		}
	}
	if floor {
		entries = append(entries, legendEntry{label: "least SSR (at b3*)", key: lineKey(vg.Points(1), []vg.Length{vg.Points(1), vg.Points(2)})})
	}
	if change {
		entries = append(entries,
			legendEntry{label: "old", key: lineKey(vg.Points(1.1), oldSide.dashes())},
			legendEntry{label: "new", key: lineKey(vg.Points(1.1), nil)})
	}
	return entries
}

// lineKey draws a legend key of a line.
func lineKey(width vg.Length, dashes []vg.Length) func(draw.Canvas) {
	return func(c draw.Canvas) {
		y := (c.Min.Y + c.Max.Y) / 2
		c.StrokeLine2(draw.LineStyle{Color: floorColor, Width: width, Dashes: dashes}, c.Min.X, y, c.Max.X, y)
	}
}

// lineEndKey draws a legend key of a line ending in a glyph.
func lineEndKey(g draw.GlyphStyle, dashes []vg.Length) func(draw.Canvas) {
	return func(c draw.Canvas) {
		y := (c.Min.Y + c.Max.Y) / 2
		end := c.Max.X - vg.Points(4)
		c.StrokeLine2(draw.LineStyle{Color: floorColor, Width: vg.Points(1.1), Dashes: dashes}, c.Min.X, y, end, y)
		c.DrawGlyph(g, vg.Point{X: end, Y: y})
	}
}

// simplifyAll simplifies lines drawn in a box of data shown in an area of
// the given size (in points): each to the points that lie farther than a
// tolerance from the line through the points kept around them
// (Ramer–Douglas–Peucker), the tolerance doubled until they have at most
// maxChartPoints in all.
func simplifyAll(lines []plotter.XYs, b box, area vg.Point) []plotter.XYs {
	sx := float64(area.X) / (b.xmax - b.xmin)
	sy := float64(area.Y) / (b.ymax - b.ymin)
	if !isFinite(sx) || !isFinite(sy) {
		sx, sy = 1, 1
	}
	out := make([]plotter.XYs, len(lines))
	for tol := curveTolerance; ; tol *= 2 {
		total := 0
		for i, l := range lines {
			out[i] = simplify(l, sx, sy, tol)
			total += len(out[i])
		}
		if total <= maxChartPoints || tol > float64(area.X+area.Y) {
			return out
		}
	}
}

// simplify returns the points of a line that lie farther than tol from
// the line through the points kept around them, its ends always kept,
// with x and y scaled by sx and sy (to points).
func simplify(line plotter.XYs, sx, sy, tol float64) plotter.XYs {
	if len(line) <= 2 {
		return line
	}
	keep := make([]bool, len(line))
	keep[0], keep[len(line)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(line) - 1}}
	tol2 := float64(tol * tol)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, farthest := -1, tol2
		for i := s.a + 1; i < s.b; i++ {
			if d := distance2(line[s.a], line[s.b], line[i], sx, sy); d > farthest {
				far, farthest = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{s.a, far}, span{far, s.b})
		}
	}
	var out plotter.XYs
	for i, k := range keep {
		if k {
			out = append(out, line[i])
		}
	}
	return out
}

// distance2 returns the square of the distance from p to the segment from
// a to b, scaled by sx and sy, each product rounded on its own.
func distance2(a, b, p plotter.XY, sx, sy float64) float64 {
	dx, dy := float64((b.X-a.X)*sx), float64((b.Y-a.Y)*sy)
	px, py := float64((p.X-a.X)*sx), float64((p.Y-a.Y)*sy)
	length2 := float64(dx*dx) + float64(dy*dy)
	t := 0.0
	if length2 > 0 {
		t = min(max((float64(px*dx)+float64(py*dy))/length2, 0), 1)
	}
	ex, ey := px-float64(t*dx), py-float64(t*dy)
	return float64(ex*ex) + float64(ey*ey)
}
