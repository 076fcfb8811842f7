package plots

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/runner/pkg/engine"
)

// Field describes a swept field on an axis or a colour bar.
type Field struct {
	// Key names the field as run folders do: "alpha", "b3_initial",
	// "tolerance", "max_iterations", "w1_initial", …
	Key string
	// Label names it as people read it: "α", "starting b3", "tolerance".
	Label string
	// Log says that the sweep's values are spaced in log scale: they are
	// drawn on a log axis or colour scale (as are positive values that span
	// more than two decades, whatever Log says). Values that are not all
	// positive are drawn on a linear one.
	Log bool
}

// FieldOf returns the field a run-folder key names, labelled as people
// read it: α for alpha, "starting b3" for b3_initial, "max iterations" for
// max_iterations.
func FieldOf(key string, log bool) Field {
	label := key
	switch {
	case key == "alpha":
		label = "α"
	case strings.HasSuffix(key, "_initial"):
		label = "starting " + strings.TrimSuffix(key, "_initial")
	default:
		label = strings.ReplaceAll(key, "_", " ")
	}
	return Field{Key: key, Label: label, Log: log}
}

// axisLabel labels an axis or a colour bar of the field, saying when its
// scale is log.
func (f Field) axisLabel(s scale) string {
	if s.log {
		return f.Label + " (log scale)"
	}
	return f.Label
}

// side is a side of a picture of a change: the old results, drawn dashed,
// or the new, drawn solid. Pictures of one set of results draw everything
// as new.
type side int

const (
	newSide side = iota
	oldSide
)

// dashes returns the line dashes of a side.
func (s side) dashes() []vg.Length {
	if s == oldSide {
		return []vg.Length{vg.Points(4), vg.Points(2.5)}
	}
	return nil
}

// statusGlyphs mark how runs ended, by shape as well as colour: a dot for
// converged, a square for max-iterations, a cross for diverged.
var statusGlyphs = map[engine.Status]draw.GlyphDrawer{
	engine.Converged:     draw.CircleGlyph{},
	engine.MaxIterations: squareGlyph{},
	engine.Diverged:      crossGlyph{},
}

// statusGlyph returns the glyph style that marks a status, in a colour.
func statusGlyph(s engine.Status, c color.Color) draw.GlyphStyle {
	g := draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: statusGlyphs[s]}
	if s == engine.Diverged {
		g.Radius = vg.Points(3.5)
	}
	if g.Shape == nil { // a status the engine does not have
		g.Shape = draw.RingGlyph{}
	}
	return g
}

// glyphLine is the width of the lines of glyphs drawn with lines.
var glyphLine = vg.Points(1.2)

// crossGlyph draws a diagonal cross, in lines thick enough to see.
type crossGlyph struct{}

// DrawGlyph draws the cross at pt.
func (crossGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: glyphLine})
	r := vg.Length(float64(float64(sty.Radius) * math.Sqrt2 / 2))
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	c.Stroke(p)
}

// squareGlyph draws the outline of a square, in lines thick enough to see.
type squareGlyph struct{}

// DrawGlyph draws the square at pt.
func (squareGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: glyphLine})
	r := vg.Length(float64(float64(sty.Radius) * 0.8))
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Close()
	c.Stroke(p)
}
