package plots

import (
	"math"

	"gonum.org/v1/plot/plotter"
)

// The pictures must be the same bytes on every architecture. gonum/plot
// clips lines that leave a plot by computing where they cross its edges,
// in arithmetic that arm64 fuses into multiply-adds, and for points far
// outside the plot a difference in the last bit becomes one in a printed
// digit. So lines are clipped here, before they reach gonum/plot, with
// every product rounded on its own (float64(x*y), which the Go
// specification forbids fusing), and curves are sampled here the same way:
// what gonum/plot is given lies within its axes, and it clips nothing.

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// finite returns the points whose coordinates are both finite: a run
// that diverged may have reached infinities, which no axis can show.
func finite(xys plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for _, p := range xys {
		if isFinite(p.X) && isFinite(p.Y) {
			out = append(out, p)
		}
	}
	return out
}

// box is the area a plot shows, in data coordinates.
type box struct{ xmin, xmax, ymin, ymax float64 }

// inside reports whether a point is in the box.
func (b box) inside(p plotter.XY) bool {
	return p.X >= b.xmin && p.X <= b.xmax && p.Y >= b.ymin && p.Y <= b.ymax
}

// clip cuts a polyline to the box, returning the pieces that lie in it.
// Points that are not finite break the line.
func (b box) clip(line plotter.XYs) []plotter.XYs {
	var pieces []plotter.XYs
	var cur plotter.XYs
	flush := func() {
		if len(cur) > 1 {
			pieces = append(pieces, cur)
		}
		cur = nil
	}
	for i := 1; i < len(line); i++ {
		p, q := line[i-1], line[i]
		if !isFinite(p.X) || !isFinite(p.Y) || !isFinite(q.X) || !isFinite(q.Y) {
			flush()
			continue
		}
		a, c, ok := b.segment(p, q)
		if !ok {
			flush()
			continue
		}
		if len(cur) == 0 || cur[len(cur)-1] != a {
			flush()
			cur = append(cur, a)
		}
		cur = append(cur, c)
		if c != q { // the segment leaves the box
			flush()
		}
	}
	flush()
	return pieces
}

// segment clips the segment from p to q to the box (Liang–Barsky), and
// reports whether any of it is inside.
func (b box) segment(p, q plotter.XY) (plotter.XY, plotter.XY, bool) {
	if b.inside(p) && b.inside(q) {
		return p, q, true
	}
	dx, dy := q.X-p.X, q.Y-p.Y
	t0, t1 := 0.0, 1.0
	for _, e := range [4]struct{ d, dist float64 }{
		{-dx, p.X - b.xmin}, {dx, b.xmax - p.X},
		{-dy, p.Y - b.ymin}, {dy, b.ymax - p.Y},
	} {
		if e.d == 0 {
			if e.dist < 0 {
				return p, q, false
			}
			continue
		}
		t := e.dist / e.d
		if e.d < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
	}
	if t0 > t1 {
		return p, q, false
	}
	at := func(t float64) plotter.XY {
		switch t {
		case 0:
			return p
		case 1:
			return q
		}
		return plotter.XY{X: p.X + float64(t*dx), Y: p.Y + float64(t*dy)}
	}
	return at(t0), at(t1), true
}

// sample evaluates f at n points evenly spaced from lo to hi, both
// included.
func sample(f func(float64) float64, lo, hi float64, n int) plotter.XYs {
	xys := make(plotter.XYs, n)
	step := (hi - lo) / float64(n-1)
	for i := range xys {
		x := lo + float64(float64(i)*step)
		if i == n-1 {
			x = hi
		}
		xys[i] = plotter.XY{X: x, Y: f(x)}
	}
	return xys
}
