package plots

import (
	"bytes"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
var statusColors = map[engine.Status]color.Color{
	engine.Converged:     green,
	engine.MaxIterations: color.RGBA{R: 230, G: 150, B: 20, A: 255},
	engine.Diverged:      color.RGBA{R: 200, G: 30, B: 30, A: 255},
}

// render draws plots stacked in one column on an SVG canvas of the given
// size, and returns the SVG.
func render(width, height vg.Length, plots ...*plot.Plot) ([]byte, error) {
	c := vgsvg.New(width, height)
	canvases := plot.Align(columnOf(plots), draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(8)}, draw.New(c))
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
	pad := (hi - lo) / 10
	if pad == 0 {
		pad = 1
	}
	return lo - pad, hi + pad
}
