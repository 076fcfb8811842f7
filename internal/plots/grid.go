package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/pkg/engine"
)

// GridCell is a run on a grid: its values of the two fields on the axes,
// the iterations it took, and how it ended.
type GridCell struct {
	X, Y       float64
	Iterations int
	Status     engine.Status
}

// GridPanel is one grid of a chart: the runs at one combination of the
// values of the other swept fields, which Label names ("tolerance =
// 0.001"); empty when the sweep has just the two fields.
type GridPanel struct {
	Label string
	Cells []GridCell
}

// GridChart is what a grid chart shows: the runs of a sweep of two
// fields, or of more as small multiples, one panel for each combination
// of the values of the fields other than X and Y.
type GridChart struct {
	Title  string
	X, Y   Field
	Panels []GridPanel
	// Caption, if set, is written under the chart, before what it says of
	// the values and panels it leaves out.
	Caption string
}

// Limits of a grid chart: of more panels than MaxGridPanels, every k-th
// is drawn (the first and the last too); of more values of a field than
// MaxGridValues, or than make MaxGridCells cells in all, every k-th.
const (
	MaxGridValues = 40
	MaxGridPanels = 9
	MaxGridCells  = 1600
)

// Grid draws grid.svg for an experiment that sweeps two fields: a heat map
// of one cell per combination of their values, in the order of the values
// (equal cells, so a log-spaced sweep is drawn on log axes, and a list of
// values in its order), the values written along the axes. A converged
// run's cell is coloured through viridis by the iterations it took (on a
// log scale if they span more than two decades), with a colour bar, and
// the iterations written in it where it is large enough; a max-iterations
// run's cell is light grey with a square, a diverged run's darker grey
// with a cross, as the legend says. A combination with no run is left
// white.
//
// For three or more swept fields it draws small multiples: a grid like
// the one above for each combination of the values of the other fields,
// labelled with them, in rows of three, sharing one colour bar, so that a
// cell's colour means the same in every panel and each panel reads as the
// grid of two fields does. (A parallel-coordinates chart was the other
// choice: it takes any number of fields, but its lines, one per run, hide
// each other in the thousands and show iterations only as a position on
// the last axis but one; a grid shows every run of a panel at once.)
//
// It draws at most MaxGridPanels panels, MaxGridValues values on each
// axis and MaxGridCells cells in all (the caption says which when there
// are more), so the file stays under 300 KB.
func Grid(g *GridChart) ([]byte, error) {
	return gridFigure(g, nil)
}

// GridChange draws the grid chart of a change: a cell whose run changed
// (or is on one side only) is cut along its diagonal, the old run in its
// upper-left half and the new in its lower-right, as the legend says; the
// others are drawn whole.
func GridChange(old, new *GridChart) ([]byte, error) {
	return gridFigure(new, old)
}

// gridFigure draws a grid chart, and for a change its old side.
func gridFigure(g, old *GridChart) ([]byte, error) {
	panels := g.Panels
	if old != nil {
		panels = mergePanels(old.Panels, g.Panels)
	}
	var notes []string
	if g.Caption != "" {
		notes = append(notes, g.Caption)
	}
	if len(panels) > MaxGridPanels {
		keep := everyKth(len(panels), MaxGridPanels)
		notes = append(notes, fmt.Sprintf("%s of %s drawn, every %s.", prose.Thousands(len(keep)), prose.Count(len(panels), "panel"), ordinal(keep[1]-keep[0])))
		var kept []GridPanel
		for _, i := range keep {
			kept = append(kept, panels[i])
		}
		panels = kept
	}
	most := min(MaxGridValues, max(2, int(math.Sqrt(float64(MaxGridCells/max(len(panels), 1))))))
	xs, xNote := gridValues(panels, g.X, most, func(c GridCell) float64 { return c.X })
	ys, yNote := gridValues(panels, g.Y, most, func(c GridCell) float64 { return c.Y })
	notes = append(notes, xNote, yNote)
	var oldCells map[gridKey]GridCell
	if old != nil {
		oldCells = cellsOf(old.Panels)
	}
	iterations := emptyRange
	for _, p := range panels {
		for _, c := range p.Cells {
			if c.Status == engine.Converged {
				iterations.widen(float64(c.Iterations))
			}
		}
	}
	for _, c := range oldCells {
		if c.Status == engine.Converged {
			iterations.widen(float64(c.Iterations))
		}
	}
	if iterations.empty() {
		iterations = valueRange{1, 1}
	}
	colours := newColourScale(false, iterations.lo, iterations.hi, 1)
	cols := min(len(panels), 3)
	f := &figure{width: 6.5 * vg.Inch, height: 4.6 * vg.Inch,
		bar:     &colourBar{colourScale: colours, title: "iterations to converge" + map[bool]string{true: "\n(log scale)"}[colours.log]},
		legend:  gridLegend(old != nil),
		caption: joinNotes(notes)}
	rows := (len(panels) + cols - 1) / cols
	if len(panels) > 1 {
		f.title, f.height = g.Title, vg.Length(float64(2.2*float64(rows))+1.2)*vg.Inch
	}
	// The length of a panel's axes, roughly: the figure's, less the colour
	// bar's and the axes' labels.
	width := (5.4*vg.Inch)/vg.Length(cols) - 0.7*vg.Inch
	height := (f.height-1.6*vg.Inch)/vg.Length(rows) - 0.5*vg.Inch
	var plots []*plot.Plot
	for i, panel := range panels {
		p := plot.New()
		p.Title.Text = panel.Label
		if len(panels) == 1 {
			p.Title.Text = g.Title
		} else {
			p.Title.TextStyle.Font.Size = vg.Points(10)
		}
		labelAxis(&p.X, xs, g.X, width, textStyle.Width)
		labelAxis(&p.Y, ys, g.Y, height, textStyle.Height)
		if i%cols != 0 {
			p.Y.Label.Text = "" // said once a row, at its left
		}
		p.Add(&gridCells{panel: panel, old: oldCells, xs: xs, ys: ys, colours: colours})
		plots = append(plots, p)
	}
	if len(plots) == 1 {
		f.plot = plots[0]
	} else {
		for i := 0; i < len(plots); i += cols {
			row := make([]*plot.Plot, cols)
			copy(row, plots[i:min(i+cols, len(plots))])
			f.rows = append(f.rows, row)
		}
	}
	return f.render()
}

// joinNotes joins the notes that are not empty with spaces.
func joinNotes(notes []string) string {
	s := ""
	for _, n := range notes {
		if n != "" {
			if s != "" {
				s += " "
			}
			s += n
		}
	}
	return s
}

// gridKey is a cell's place: its panel and values.
type gridKey struct {
	panel string
	x, y  float64
}

// cellsOf returns the cells of panels by their place.
func cellsOf(panels []GridPanel) map[gridKey]GridCell {
	cells := map[gridKey]GridCell{}
	for _, p := range panels {
		for _, c := range p.Cells {
			cells[gridKey{p.Label, c.X, c.Y}] = c
		}
	}
	return cells
}

// mergePanels returns the panels of the new side, with a place held (a
// cell with no run) for each run of the old side that the new does not
// have, and the old side's panels that the new does not have, so that
// every old run has its place on the axes.
func mergePanels(old, new []GridPanel) []GridPanel {
	merged := slices.Clone(new)
	index := map[string]int{}
	places := map[gridKey]bool{}
	for i, p := range new {
		index[p.Label] = i
		for _, c := range p.Cells {
			places[gridKey{p.Label, c.X, c.Y}] = true
		}
	}
	for _, p := range old {
		i, ok := index[p.Label]
		if !ok {
			i = len(merged)
			index[p.Label] = i
			merged = append(merged, GridPanel{Label: p.Label})
		}
		for _, c := range p.Cells {
			if key := (gridKey{p.Label, c.X, c.Y}); !places[key] {
				places[key] = true
				merged[i].Cells = append(slices.Clip(merged[i].Cells), GridCell{X: c.X, Y: c.Y})
			}
		}
	}
	return merged
}

// gridValues returns the distinct values of a field over the panels' cells,
// in order, every k-th of more than most (the first and the last too),
// and a note saying so.
func gridValues(panels []GridPanel, f Field, most int, value func(GridCell) float64) ([]float64, string) {
	var vs []float64
	for _, p := range panels {
		for _, c := range p.Cells {
			if isFinite(value(c)) {
				vs = append(vs, value(c))
			}
		}
	}
	slices.Sort(vs)
	vs = slices.Compact(vs)
	if len(vs) <= most {
		return vs, ""
	}
	keep := everyKth(len(vs), most)
	kept := make([]float64, len(keep))
	for i, k := range keep {
		kept[i] = vs[k]
	}
	return kept, fmt.Sprintf("%s of the %s values of %s drawn, every %s.", prose.Thousands(len(kept)), prose.Thousands(len(vs)), f.Label, ordinal(keep[1]-keep[0]))
}

// everyKth returns every k-th of n indices and the last, at most most of
// them (most >= 2).
func everyKth(n, most int) []int {
	k := ceilDiv(n-1, most-2)
	var keep []int
	for i := 0; i < n-1; i += k {
		keep = append(keep, i)
	}
	return append(keep, n-1)
}

// labelAxis makes an axis show one cell per value, of an axis about
// length long, labelled with the values where their labels (measured
// along the axis by size) do not overlap, and with the field's name.
func labelAxis(a *plot.Axis, values []float64, f Field, length vg.Length, size func(string) vg.Length) {
	a.Min, a.Max = -0.5, float64(max(len(values), 1))-0.5
	a.Label.Text = f.Label
	if f.Log {
		a.Label.Text += " (log-spaced)"
	}
	labels := distinctLabels(values)
	cell := length / vg.Length(max(len(values), 1))
	ticks := make(plot.ConstantTicks, 0, len(values))
	end := vg.Length(math.Inf(-1)) // of the last label placed
	for i, label := range labels {
		t := plot.Tick{Value: float64(i)}
		centre, half := cell*vg.Length(float64(i)+0.5), size(label)/2
		if centre-half >= end+vg.Points(6) {
			t.Label, end = label, centre+half
		}
		ticks = append(ticks, t)
	}
	a.Tick.Marker = ticks
	a.Padding = 0
}

// distinctLabels writes values to 4 significant digits, or as many more
// as tell them apart.
func distinctLabels(values []float64) []string {
	labels := make([]string, len(values))
	for digits := 4; digits <= 17; digits++ {
		for i, v := range values {
			labels[i] = tidyExponent(strconv.FormatFloat(v, 'g', digits, 64))
		}
		if len(slices.Compact(slices.Clone(labels))) == len(labels) {
			break
		}
	}
	return labels
}

// Greys of the cells of runs that did not converge, and of their marks.
var (
	maxIterationsFill = color.RGBA{R: 232, G: 232, B: 232, A: 255}
	divergedFill      = color.RGBA{R: 190, G: 190, B: 190, A: 255}
	markGrey          = color.RGBA{R: 40, G: 40, B: 40, A: 255}
)

// fillOf returns the colour of a run's cell.
func fillOf(c GridCell, colours colourScale) color.RGBA {
	switch c.Status {
	case engine.Converged:
		return colours.colour(float64(c.Iterations))
	case engine.MaxIterations:
		return maxIterationsFill
	case engine.Diverged:
		return divergedFill
	}
	return color.RGBA{R: 255, G: 255, B: 255, A: 255} // no run
}

// gridCells draws a panel's cells, as a plotter on axes of value indices.
type gridCells struct {
	panel   GridPanel
	old     map[gridKey]GridCell // for a change, the old side's cells
	xs, ys  []float64
	colours colourScale
}

// Plot draws the cells: their fills, one path a colour; the marks of the
// statuses, one path a shape; the iterations.
func (g *gridCells) Plot(c draw.Canvas, p *plot.Plot) {
	xi, yi := indexOf(g.xs), indexOf(g.ys)
	fills := &pathSet{}
	marks := &pathSet{}
	type label struct {
		at   vg.Point
		text string
		dark bool
	}
	var labels []label
	width := c.X(p.X.Norm(0.5)) - c.X(p.X.Norm(-0.5))
	height := c.Y(p.Y.Norm(0.5)) - c.Y(p.Y.Norm(-0.5))
	sty := textStyle
	sty.Font.Size = vg.Points(8)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for _, cell := range g.panel.Cells {
		i, okx := xi[cell.X]
		j, oky := yi[cell.Y]
		if !okx || !oky {
			continue
		}
		x0, x1 := c.X(p.X.Norm(float64(i)-0.5)), c.X(p.X.Norm(float64(i)+0.5))
		y0, y1 := c.Y(p.Y.Norm(float64(j)-0.5)), c.Y(p.Y.Norm(float64(j)+0.5))
		oldCell, hasOld := g.old[gridKey{g.panel.Label, cell.X, cell.Y}]
		if g.old != nil && (!hasOld || oldCell != cell) {
			// Cut along the diagonal: old upper left, new lower right.
			ul := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}}
			lr := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}}
			third := func(a, b vg.Length, n float64) vg.Length { return a + vg.Length(float64(float64(b-a)*n)) }
			half := func(c GridCell, tri []vg.Point, at vg.Point) {
				fills.add(fillOf(c, g.colours), tri)
				text := fmt.Sprint(c.Iterations)
				switch {
				case c.Status != engine.Converged:
					marks.mark(c.Status, at, min(width, height)/8)
				case sty.Width(text)+vg.Points(3) <= width/2 && sty.Height(text)+vg.Points(2) <= height/2:
					labels = append(labels, label{at, text, g.colours.fraction(float64(c.Iterations)) < 0.55})
				}
			}
			if hasOld {
				half(oldCell, ul, vg.Point{X: third(x0, x1, 0.3), Y: third(y0, y1, 0.7)})
			}
			if cell.Status != 0 {
				half(cell, lr, vg.Point{X: third(x0, x1, 0.7), Y: third(y0, y1, 0.3)})
			}
			continue
		}
		if cell.Status == 0 {
			continue // a place held for the old side, which has no run there
		}
		fills.add(fillOf(cell, g.colours), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		centre := vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}
		size := min(width, height) / 4
		if cell.Status != engine.Converged {
			marks.mark(cell.Status, centre, min(size, vg.Points(5)))
			continue
		}
		text := fmt.Sprint(cell.Iterations)
		if sty.Width(text)+vg.Points(3) <= width && sty.Height(text)+vg.Points(2) <= height {
			labels = append(labels, label{centre, text, g.colours.fraction(float64(cell.Iterations)) < 0.55})
		}
	}
	fills.fill(c)
	marks.stroke(c)
	for _, l := range labels {
		s := sty
		s.Color = color.Black
		if l.dark {
			s.Color = color.White
		}
		c.FillText(s, l.at, l.text)
	}
}

// indexOf returns the index of each value.
func indexOf(values []float64) map[float64]int {
	m := make(map[float64]int, len(values))
	for i, v := range values {
		m[v] = i
	}
	return m
}

// pathSet gathers polygons and marks into one path per colour or shape,
// in the order they first come: one SVG element each, however many cells.
type pathSet struct {
	colours []color.RGBA
	paths   []vg.Path
}

// path returns the path of a colour.
func (s *pathSet) path(c color.RGBA) *vg.Path {
	if i := slices.Index(s.colours, c); i >= 0 {
		return &s.paths[i]
	}
	s.colours, s.paths = append(s.colours, c), append(s.paths, nil)
	return &s.paths[len(s.paths)-1]
}

// add adds a polygon of a colour.
func (s *pathSet) add(c color.RGBA, pts []vg.Point) {
	p := s.path(c)
	p.Move(pts[0])
	for _, pt := range pts[1:] {
		p.Line(pt)
	}
	p.Close()
}

// mark adds the mark of a status that did not converge, of half-size r,
// at pt: a square for max-iterations, a cross for diverged.
func (s *pathSet) mark(st engine.Status, pt vg.Point, r vg.Length) {
	p := s.path(color.RGBA{R: uint8(st)}) // a key per status, not a colour
	switch st {
	case engine.MaxIterations:
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X - r, Y: pt.Y + r})
		p.Close()
	case engine.Diverged:
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	}
}

// fill fills each colour's path.
func (s *pathSet) fill(c draw.Canvas) {
	for i, p := range s.paths {
		c.SetColor(s.colours[i])
		c.Fill(p)
	}
}

// stroke strokes each status' marks.
func (s *pathSet) stroke(c draw.Canvas) {
	for _, p := range s.paths {
		if len(p) > 0 {
			c.SetLineStyle(draw.LineStyle{Color: markGrey, Width: vg.Points(1)})
			c.Stroke(p)
		}
	}
}

// gridLegend explains the cells of runs that did not converge, and the
// halves of a changed cell.
func gridLegend(change bool) []legendEntry {
	cellKey := func(fill color.RGBA, st engine.Status) func(draw.Canvas) {
		return func(c draw.Canvas) {
			r := (c.Max.Y - c.Min.Y) / 2
			mid := vg.Point{X: c.Min.X + r*2, Y: (c.Min.Y + c.Max.Y) / 2}
			c.FillPolygon(fill, []vg.Point{{X: mid.X - r, Y: mid.Y - r}, {X: mid.X + r, Y: mid.Y - r}, {X: mid.X + r, Y: mid.Y + r}, {X: mid.X - r, Y: mid.Y + r}})
			marks := &pathSet{}
			marks.mark(st, mid, r/2)
			marks.stroke(c)
		}
	}
	entries := []legendEntry{
		{label: "max-iterations", key: cellKey(maxIterationsFill, engine.MaxIterations)},
		{label: "diverged", key: cellKey(divergedFill, engine.Diverged)},
	}
	if change {
		half := func(upper bool) func(draw.Canvas) {
			return func(c draw.Canvas) {
				r := (c.Max.Y - c.Min.Y) / 2
				x0, x1, y0, y1 := c.Min.X+r, c.Min.X+3*r, c.Min.Y, c.Max.Y
				tri := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}}
				if upper {
					tri = []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}}
				}
				c.FillPolygon(floorColor, tri)
			}
		}
		entries = append(entries, legendEntry{label: "old: upper left", key: half(true)}, legendEntry{label: "new: lower right", key: half(false)})
	}
	return entries
}
