package plots

import (
	"bytes"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// figure is a picture of one plot, or of plots in rows and columns under
// a title, with, as it needs, a colour bar at their right, a row or two of
// legend entries below them, and a caption under those.
type figure struct {
	width, height vg.Length
	title         string // over plots in rows and columns
	plot          *plot.Plot
	rows          [][]*plot.Plot // plots in rows and columns, if not plot
	bar           *colourBar
	legend        []legendEntry
	caption       string
	// beforeDraw, if set, is called with the size of the plot's data
	// area once it is laid out, before the plot is drawn: a chart that
	// thins its lines to what the area shows adds them then.
	beforeDraw func(area vg.Point) error
}

// legendEntry is an entry of a figure's legend: its key, drawn in a small
// box, and its text.
type legendEntry struct {
	label string
	key   func(c draw.Canvas)
}

// fallbackRoom is the part of a line that text is laid out to fill: a
// viewer without the font that text is measured with draws it in one up
// to a sixth wider (DejaVu Serif, say).
const fallbackRoom = 0.75

// Sizes of legends and captions.
var (
	keyWidth  = vg.Points(22)
	entryGap  = vg.Points(20)
	rowGap    = vg.Points(3)
	textStyle = text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, 10),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
)

// render draws the figure as SVG, made taller by the rows of its legend
// after the first two.
func (f *figure) render() ([]byte, error) {
	inner := f.width - 2*margin
	height := f.height + max(0, f.legendHeight(inner)-2*(textStyle.Height("Mg")+rowGap))
	return drawSVG(f.width, height, func(c draw.Canvas) error {
		c.Min.Y = f.drawCaption(c)
		c.Min.Y = f.drawLegend(c)
		if f.title != "" {
			sty := textStyle
			sty.Font.Size, sty.XAlign, sty.YAlign = vg.Points(12), draw.XCenter, draw.YTop
			c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.title)
			c.Max.Y -= sty.Height(f.title) + vg.Points(6)
		}
		main := c
		if f.bar != nil {
			main.Max.X -= f.bar.width(textStyle)
		} else {
			main.Max.X -= vg.Points(8) // room for the last tick's label in a wider font
		}
		rows, canvases := f.rows, [][]draw.Canvas{{main}}
		if f.plot != nil {
			rows = [][]*plot.Plot{{f.plot}}
		} else {
			canvases = plot.Align(rows, draw.Tiles{Rows: len(rows), Cols: len(rows[0]), PadX: vg.Points(10), PadY: vg.Points(10)}, main)
		}
		if f.beforeDraw != nil {
			if err := f.beforeDraw(rows[0][0].DataCanvas(canvases[0][0]).Size()); err != nil {
				return err
			}
		}
		for i, row := range rows {
			for j, p := range row {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
		if f.bar != nil {
			top := rows[0][0].DataCanvas(canvases[0][0])
			last := len(rows) - 1
			bottom := rows[last][0].DataCanvas(canvases[last][0])
			bar := c
			bar.Min.X = main.Max.X
			f.bar.draw(bar, bottom.Min.Y, top.Max.Y, textStyle)
		}
		return nil
	})
}

// drawCaption writes the caption at the bottom of c, wrapped to its
// width, and returns the top of what it took.
func (f *figure) drawCaption(c draw.Canvas) vg.Length {
	lines := wrap(f.caption, vg.Length(float64(c.Size().X)*fallbackRoom), textStyle)
	line := textStyle.Height("Mg") + rowGap
	top := c.Min.Y + line*vg.Length(len(lines))
	for i, l := range lines { // from the top, in the order they are read
		c.FillText(textStyle, vg.Point{X: c.Min.X, Y: top - line*vg.Length(i+1) + textStyle.FontExtents().Descent}, l)
	}
	return top
}

// drawLegend draws the legend's entries in rows at the bottom of c, left
// to right, and returns the top of what they took.
func (f *figure) drawLegend(c draw.Canvas) vg.Length {
	rows := f.legendRows(c.Size().X)
	if len(rows) == 0 {
		return c.Min.Y
	}
	height := textStyle.Height("Mg")
	y := c.Min.Y + vg.Points(4)
	for i := len(rows) - 1; i >= 0; i-- {
		x := c.Min.X
		for _, e := range rows[i] {
			key := c
			key.Min, key.Max = vg.Point{X: x, Y: y}, vg.Point{X: x + keyWidth, Y: y + height}
			e.key(key)
			c.FillText(textStyle, vg.Point{X: x + keyWidth + vg.Points(4), Y: y + textStyle.FontExtents().Descent}, e.label)
			x += entryWidth(e) + entryGap
		}
		y += height + rowGap
	}
	return y + vg.Points(4)
}

// legendRows lays the legend's entries out in rows of a width.
func (f *figure) legendRows(width vg.Length) [][]legendEntry {
	var rows [][]legendEntry
	x := width // start a row at the first entry
	for _, e := range f.legend {
		w := entryWidth(e)
		if x+w > width {
			rows, x = append(rows, nil), 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w + entryGap
	}
	return rows
}

// entryWidth is the width a legend entry takes: its key and its text, with
// room for the text in a font wider than it is measured in.
func entryWidth(e legendEntry) vg.Length {
	return keyWidth + vg.Points(4) + vg.Length(float64(textStyle.Width(e.label))/fallbackRoom)
}

// legendHeight is the height the legend's rows take in a width.
func (f *figure) legendHeight(width vg.Length) vg.Length {
	return vg.Length(len(f.legendRows(width))) * (textStyle.Height("Mg") + rowGap)
}

// wrap breaks text into lines no wider than width, at spaces.
func wrap(s string, width vg.Length, sty text.Style) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && sty.Width(line+" "+word) > width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// render draws plots stacked in one column on an SVG canvas of the given
// size, and returns the SVG.
func render(width, height vg.Length, plots ...*plot.Plot) ([]byte, error) {
	return drawSVG(width, height, func(area draw.Canvas) error {
		canvases := plot.Align(columnOf(plots), draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(8)}, area)
		for i, p := range plots {
			p.Draw(canvases[i][0])
		}
		return nil
	})
}

// drawSVG draws on an SVG canvas of the given size, within a margin all
// round so that nothing touches the picture's edge, and returns the SVG.
func drawSVG(width, height vg.Length, draw func(draw.Canvas) error) ([]byte, error) {
	c := vgsvg.New(width, height)
	if err := draw(cropped(roundingCanvas{c}, margin)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b.Bytes(), []byte("font-family:"+fontFamily+";"), []byte("font-family:"+fontFallbacks+";")), nil
}

// margin is the space left blank all round a picture.
var margin = vg.Points(4)

// cropped returns the area of a canvas within a margin.
func cropped(c vg.CanvasSizer, margin vg.Length) draw.Canvas {
	return draw.Crop(draw.New(c), margin, -margin, margin, -margin)
}
