package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// viridis is matplotlib's perceptually uniform colour map that colour-blind
// readers see in order, and that prints in grey in order too: 256 colours
// as 0xRRGGBB, from dark purple through blue and green to yellow. By
// Nathaniel J. Smith, Stéfan van der Walt and Eric Firing, released under
// CC0; the values are matplotlib's (_cm_listed.py), rounded to 8 bits.
var viridis = [256]uint32{
	0x440154, 0x440256, 0x450457, 0x450559, 0x46075a, 0x46085c, 0x460a5d, 0x460b5e,
	0x470d60, 0x470e61, 0x471063, 0x471164, 0x471365, 0x481467, 0x481668, 0x481769,
	0x48186a, 0x481a6c, 0x481b6d, 0x481c6e, 0x481d6f, 0x481f70, 0x482071, 0x482173,
	0x482374, 0x482475, 0x482576, 0x482677, 0x482878, 0x482979, 0x472a7a, 0x472c7a,
	0x472d7b, 0x472e7c, 0x472f7d, 0x46307e, 0x46327e, 0x46337f, 0x463480, 0x453581,
	0x453781, 0x453882, 0x443983, 0x443a83, 0x443b84, 0x433d84, 0x433e85, 0x423f85,
	0x424086, 0x424186, 0x414287, 0x414487, 0x404588, 0x404688, 0x3f4788, 0x3f4889,
	0x3e4989, 0x3e4a89, 0x3e4c8a, 0x3d4d8a, 0x3d4e8a, 0x3c4f8a, 0x3c508b, 0x3b518b,
	0x3b528b, 0x3a538b, 0x3a548c, 0x39558c, 0x39568c, 0x38588c, 0x38598c, 0x375a8c,
	0x375b8d, 0x365c8d, 0x365d8d, 0x355e8d, 0x355f8d, 0x34608d, 0x34618d, 0x33628d,
	0x33638d, 0x32648e, 0x32658e, 0x31668e, 0x31678e, 0x31688e, 0x30698e, 0x306a8e,
	0x2f6b8e, 0x2f6c8e, 0x2e6d8e, 0x2e6e8e, 0x2e6f8e, 0x2d708e, 0x2d718e, 0x2c718e,
	0x2c728e, 0x2c738e, 0x2b748e, 0x2b758e, 0x2a768e, 0x2a778e, 0x2a788e, 0x29798e,
	0x297a8e, 0x297b8e, 0x287c8e, 0x287d8e, 0x277e8e, 0x277f8e, 0x27808e, 0x26818e,
	0x26828e, 0x26828e, 0x25838e, 0x25848e, 0x25858e, 0x24868e, 0x24878e, 0x23888e,
	0x23898e, 0x238a8d, 0x228b8d, 0x228c8d, 0x228d8d, 0x218e8d, 0x218f8d, 0x21908d,
	0x21918c, 0x20928c, 0x20928c, 0x20938c, 0x1f948c, 0x1f958b, 0x1f968b, 0x1f978b,
	0x1f988b, 0x1f998a, 0x1f9a8a, 0x1e9b8a, 0x1e9c89, 0x1e9d89, 0x1f9e89, 0x1f9f88,
	0x1fa088, 0x1fa188, 0x1fa187, 0x1fa287, 0x20a386, 0x20a486, 0x21a585, 0x21a685,
	0x22a785, 0x22a884, 0x23a983, 0x24aa83, 0x25ab82, 0x25ac82, 0x26ad81, 0x27ad81,
	0x28ae80, 0x29af7f, 0x2ab07f, 0x2cb17e, 0x2db27d, 0x2eb37c, 0x2fb47c, 0x31b57b,
	0x32b67a, 0x34b679, 0x35b779, 0x37b878, 0x38b977, 0x3aba76, 0x3bbb75, 0x3dbc74,
	0x3fbc73, 0x40bd72, 0x42be71, 0x44bf70, 0x46c06f, 0x48c16e, 0x4ac16d, 0x4cc26c,
	0x4ec36b, 0x50c46a, 0x52c569, 0x54c568, 0x56c667, 0x58c765, 0x5ac864, 0x5cc863,
	0x5ec962, 0x60ca60, 0x63cb5f, 0x65cb5e, 0x67cc5c, 0x69cd5b, 0x6ccd5a, 0x6ece58,
	0x70cf57, 0x73d056, 0x75d054, 0x77d153, 0x7ad151, 0x7cd250, 0x7fd34e, 0x81d34d,
	0x84d44b, 0x86d549, 0x89d548, 0x8bd646, 0x8ed645, 0x90d743, 0x93d741, 0x95d840,
	0x98d83e, 0x9bd93c, 0x9dd93b, 0xa0da39, 0xa2da37, 0xa5db36, 0xa8db34, 0xaadc32,
	0xaddc30, 0xb0dd2f, 0xb2dd2d, 0xb5de2b, 0xb8de29, 0xbade28, 0xbddf26, 0xc0df25,
	0xc2df23, 0xc5e021, 0xc8e020, 0xcae11f, 0xcde11d, 0xd0e11c, 0xd2e21b, 0xd5e21a,
	0xd8e219, 0xdae319, 0xdde318, 0xdfe318, 0xe2e418, 0xe5e419, 0xe7e419, 0xeae51a,
	0xece51b, 0xefe51c, 0xf1e51d, 0xf4e61e, 0xf6e620, 0xf8e621, 0xfbe723, 0xfde725,
}

// colourScale colours values from lo to hi, on a linear or log scale,
// through viridis up to top (in [0, 1]): lines on white stop short of its
// palest yellow, which they could not be seen in.
type colourScale struct {
	scale
	lo, hi float64
	top    float64
}

// newColourScale returns the colour scale of values from lo to hi (lo <=
// hi, finite), log if the field is and they are positive.
func newColourScale(logField bool, lo, hi, top float64) colourScale {
	return colourScale{scale: scale{log: logScaleFor(logField, lo, hi)}, lo: lo, hi: hi, top: top}
}

// fraction returns where v lies from lo (0) to hi (1); 0.5 if they are
// equal.
func (s colourScale) fraction(v float64) float64 {
	if s.hi <= s.lo {
		return 0.5
	}
	var t float64
	if s.log {
		t = (log10(v) - log10(s.lo)) / (log10(s.hi) - log10(s.lo))
	} else {
		t = (v/2 - s.lo/2) / (s.hi/2 - s.lo/2) // halves, which cannot overflow
	}
	return min(max(t, 0), 1)
}

// colour returns the colour of v.
func (s colourScale) colour(v float64) color.RGBA {
	return viridisAt(float64(s.fraction(v) * s.top))
}

// viridisAt returns viridis' colour at t in [0, 1].
func viridisAt(t float64) color.RGBA {
	i := int(math.Round(float64(t * 255)))
	c := viridis[min(max(i, 0), 255)]
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 255}
}

// colourBar is a colour scale's key: a vertical bar of its colours, the
// values at its ends and round values between on its right, and its title
// along it.
type colourBar struct {
	colourScale
	title string
}

// colourBands is how many bands of colour draw a colour bar.
const colourBands = 64

// Sizes of a colour bar.
var (
	barGap   = vg.Points(10) // between the plot and the bar
	barWidth = vg.Points(12)
	barTick  = vg.Points(3)
)

// labels returns the bar's labelled values: its ends, written in full, and
// the round values of its scale that are not too near them.
func (b colourBar) labels(height vg.Length, sty text.Style) []barLabel {
	ends := []barLabel{{0, shortest(b.lo)}, {1, shortest(b.hi)}}
	if b.hi <= b.lo {
		return []barLabel{{0.5, shortest(b.lo)}}
	}
	room := float64(sty.Height("0") / height) // a label's height, as a fraction of the bar
	at := func(v float64) float64 { return (v - b.at(b.lo)) / (b.at(b.hi) - b.at(b.lo)) }
	if !b.log {
		at = func(v float64) float64 { return b.fraction(v) }
	}
	labels := ends
	for _, t := range b.ticker(b.lo, b.hi).Ticks(b.at(b.lo), b.at(b.hi)) {
		f := at(t.Value)
		if t.Label != "" && f > 1.2*room && f < 1-1.2*room {
			labels = append(labels, barLabel{f, t.Label})
		}
	}
	return labels
}

// barLabel is a label of a colour bar, at a fraction of its height.
type barLabel struct {
	at   float64
	text string
}

// width returns the width the bar takes with its labels and title.
func (b colourBar) width(sty text.Style) vg.Length {
	widest := vg.Length(0)
	for _, l := range b.labels(1000*vg.Inch, sty) { // every label there may be
		widest = max(widest, sty.Width(l.text))
	}
	// Room for the labels in a font wider than they are measured in.
	widest = vg.Length(float64(widest) / fallbackRoom)
	return barGap + barWidth + barTick + vg.Points(2) + widest + vg.Points(4) + sty.Height(b.title)
}

// draw draws the bar at the left of c, from bottom to top.
func (b colourBar) draw(c draw.Canvas, bottom, top vg.Length, sty text.Style) {
	x0 := c.Min.X + barGap
	x1 := x0 + barWidth
	height := top - bottom
	for i := range colourBands {
		// Each band overlaps the next, which is drawn over it: no seam
		// between them where a viewer smooths their edges.
		y0 := bottom + vg.Length(float64(height)*float64(i)/colourBands)
		y1 := min(top, bottom+vg.Length(float64(height)*float64(i+1)/colourBands)+vg.Points(0.5))
		t := (float64(i) + 0.5) / colourBands
		c.FillPolygon(viridisAt(float64(t*b.top)), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	c.StrokeLines(line, []vg.Point{{X: x0, Y: bottom}, {X: x1, Y: bottom}, {X: x1, Y: top}, {X: x0, Y: top}, {X: x0, Y: bottom}})
	labelStyle := sty
	labelStyle.XAlign, labelStyle.YAlign = draw.XLeft, draw.YCenter
	widest := vg.Length(0)
	for _, l := range b.labels(height, sty) {
		y := bottom + vg.Length(float64(height)*l.at)
		c.StrokeLine2(line, x1, y, x1+barTick, y)
		c.FillText(labelStyle, vg.Point{X: x1 + barTick + vg.Points(2), Y: y}, l.text)
		widest = max(widest, sty.Width(l.text))
	}
	titleStyle := sty
	titleStyle.Rotation, titleStyle.XAlign, titleStyle.YAlign = math.Pi/2, draw.XCenter, draw.YTop
	widest = vg.Length(float64(widest) / fallbackRoom)
	c.FillText(titleStyle, vg.Point{X: x1 + barTick + vg.Points(2) + widest + vg.Points(4), Y: (bottom + top) / 2}, b.title)
}
