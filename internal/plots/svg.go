package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/descentlab/runner/pkg/engine"
)

// Colours of the pictures: the article's pink SSR curve and green fit.
var (
	pink      = color.RGBA{R: 220, G: 60, B: 140, A: 255}
	green     = color.RGBA{R: 40, G: 150, B: 70, A: 255}
	grey      = color.RGBA{R: 140, G: 140, B: 140, A: 255}
	stepColor = color.RGBA{R: 30, G: 90, B: 180, A: 255}
	// markColor fills the markers of a descent's iterations and of the
	// data, and nothing else: a test counts them by it.
	markColor = color.RGBA{R: 20, G: 60, B: 140, A: 255}
)

// statusColors tell the statuses apart in a sweep's picture.
var statusColors = map[engine.Status]color.RGBA{
	engine.Converged:     green,
	engine.MaxIterations: color.RGBA{R: 230, G: 150, B: 20, A: 255},
	engine.Diverged:      color.RGBA{R: 200, G: 30, B: 30, A: 255},
}

// fontFamily is the font the pictures are laid out with (gonum/plot's
// default), which SVG names but does not embed; fontFallbacks names it
// with fonts of the same metrics, and the generic serif, for viewers that
// do not have it: without them, a viewer's default font may be wider, and
// labels are cut.
const (
	fontFamily    = "Liberation Serif"
	fontFallbacks = "'Liberation Serif','Times New Roman',Times,serif"
)

// roundingCanvas draws on an SVG canvas with every position and length
// rounded to a millionth of a point first. gonum/plot computes positions
// in arithmetic that arm64 fuses into multiply-adds, so they may differ
// from amd64's in the last bit; a position exactly half-way between two
// printed values (a tick at 219.375, printed to 5 digits) would then print
// differently. Rounded to a grid far finer than what is printed, and far
// coarser than that difference, both print the same.
type roundingCanvas struct{ *vgsvg.Canvas }

func roundLength(l vg.Length) vg.Length {
	return vg.Length(math.Round(float64(l)*1e6) / 1e6)
}

func roundPoint(p vg.Point) vg.Point {
	return vg.Point{X: roundLength(p.X), Y: roundLength(p.Y)}
}

func roundPath(path vg.Path) vg.Path {
	out := make(vg.Path, len(path))
	for i, comp := range path {
		comp.Pos, comp.Radius = roundPoint(comp.Pos), roundLength(comp.Radius)
		if comp.Control != nil {
			control := make([]vg.Point, len(comp.Control))
			for j, p := range comp.Control {
				control[j] = roundPoint(p)
			}
			comp.Control = control
		}
		out[i] = comp
	}
	return out
}

func (c roundingCanvas) Stroke(p vg.Path)         { c.Canvas.Stroke(roundPath(p)) }
func (c roundingCanvas) Fill(p vg.Path)           { c.Canvas.Fill(roundPath(p)) }
func (c roundingCanvas) Translate(pt vg.Point)    { c.Canvas.Translate(roundPoint(pt)) }
func (c roundingCanvas) SetLineWidth(w vg.Length) { c.Canvas.SetLineWidth(roundLength(w)) }

func (c roundingCanvas) FillString(f font.Face, pt vg.Point, text string) {
	c.Canvas.FillString(f, roundPoint(pt), text)
}

func (c roundingCanvas) SetLineDash(pattern []vg.Length, offset vg.Length) {
	rounded := make([]vg.Length, len(pattern))
	for i, l := range pattern {
		rounded[i] = roundLength(l)
	}
	c.Canvas.SetLineDash(rounded, roundLength(offset))
}

// columnOf arranges plots as rows of one.
func columnOf(plots []*plot.Plot) [][]*plot.Plot {
	rows := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		rows[i] = []*plot.Plot{p}
	}
	return rows
}

// span returns the range to show for values: from their least to their
// largest, padded by a tenth on each side, or by 1 if they are all equal.
func span(values ...float64) (lo, hi float64) {
	lo, hi = values[0], values[0]
	for _, v := range values[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	pad := hi/10 - lo/10 // not (hi-lo)/10, which may overflow
	if pad == 0 {
		pad = 1
	}
	return max(lo-pad, -math.MaxFloat64), min(hi+pad, math.MaxFloat64)
}

// bounds returns the box that holds points, which must be finite.
func bounds(xys plotter.XYs) box {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, p := range xys {
		b.xmin, b.xmax = min(b.xmin, p.X), max(b.xmax, p.X)
		b.ymin, b.ymax = min(b.ymin, p.Y), max(b.ymax, p.Y)
	}
	return b
}

// union returns the box that holds both boxes.
func (b box) union(o box) box {
	return box{min(b.xmin, o.xmin), max(b.xmax, o.xmax), min(b.ymin, o.ymin), max(b.ymax, o.ymax)}
}

// drawable reports whether an axis can show the box: its ends and their
// distances are finite.
func (b box) drawable() bool {
	return isFinite(b.xmin) && isFinite(b.xmax) && isFinite(b.ymin) && isFinite(b.ymax) &&
		isFinite(b.xmax-b.xmin) && isFinite(b.ymax-b.ymin)
}

// set makes a plot's axes show the box.
func (b box) set(p *plot.Plot) {
	p.X.Min, p.X.Max = b.xmin, b.xmax
	p.Y.Min, p.Y.Max = b.ymin, b.ymax
}

// nothingToDraw draws a plot that says its run has no finite values to
// show: a run that diverged to infinities at once.
func nothingToDraw(p *plot.Plot) ([]byte, error) {
	label, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 0.5, Y: 0.5}}, Labels: []string{"no finite values to draw"}})
	if err != nil {
		return nil, err
	}
	p.Add(label)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.HideAxes()
	return render(5*vg.Inch, 3.5*vg.Inch, p)
}
