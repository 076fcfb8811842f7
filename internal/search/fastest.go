package search

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// fastestSearch looks for the value that converges in the fewest
// iterations. Iterations are whole numbers, so many values tie; among as
// many iterations, the lower Rate is faster: the geometric mean factor by
// which |step| shrank per iteration (engine.StepRate), a continuous
// measure that for b3 alone is |1 - 2Nα| exactly, least (0) at the fastest
// α = 1/(2N). Values that do not converge are slower than any that does;
// exact ties go to the lower value.
//
// Its first round scans Width+2 values evenly over the range, the ends
// included. Each round after keeps the bracket of the fastest value so far
// (best): the values probed nearest it on either side, or best itself at
// an end of the range. With Width 1 it is golden-section search: one value
// in the longer side, placed so that whichever is then the faster, the
// next bracket is in the golden ratio about its best, and narrower by 1/φ.
// With a larger width, the values are shared between the two sides so
// that their spacing is the least it can be (the larger share to the
// longer side), and spaced evenly within each: both sides narrow by the
// number of values they take, plus one. It stops once the bracket is
// within the precision. Like any bracketing method it assumes one fastest
// region: where there are several, it refines the one the scan found
// fastest.
type fastestSearch struct {
	spec   *Spec
	ax     axis
	rounds int
	probes []Probe // every probe, in increasing order of value
}

// faster reports whether probe a is faster than probe b.
func faster(a, b Probe) bool {
	switch {
	case a.Converged() != b.Converged():
		return a.Converged()
	case !a.Converged():
		return false
	case a.Iterations != b.Iterations:
		return a.Iterations < b.Iterations
	}
	return a.Rate < b.Rate
}

// best returns the index of the fastest probe, the first of equals.
func (f *fastestSearch) best() int {
	b := 0
	for i, p := range f.probes {
		if faster(p, f.probes[b]) {
			b = i
		}
	}
	return b
}

func (f *fastestSearch) propose() []float64 {
	if f.rounds == 0 {
		return f.scan()
	}
	i := f.best()
	x := f.ax.coord(f.probes[i].Value)
	left, right := x, x // the bracket's ends, in coordinates
	if i > 0 {
		left = f.ax.coord(f.probes[i-1].Value)
	}
	if i+1 < len(f.probes) {
		right = f.ax.coord(f.probes[i+1].Value)
	}
	if f.spec.within(math.Abs(right - left)) {
		return nil
	}
	var coords []float64
	if w := f.spec.width(); w == 1 {
		coords = []float64{goldenSection(left, x, right)}
	} else {
		coords = spread(left, x, right, w)
	}
	lo, hi := f.probes[max(i-1, 0)].Value, f.probes[min(i+1, len(f.probes)-1)].Value
	var values []float64
	for _, u := range coords {
		v := f.ax.value(u)
		if v >= lo && v <= hi && !slices.ContainsFunc(f.probes, func(p Probe) bool { return p.Value == v }) && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	slices.Sort(values)
	return values
}

// scan returns the first round's values: Width+2 evenly spaced in
// coordinates over the range, its ends exactly.
func (f *fastestSearch) scan() []float64 {
	n := f.spec.width() + 2
	from, to := f.ax.coord(f.spec.From), f.ax.coord(f.spec.To)
	values := []float64{f.spec.From}
	for j := 1; j < n-1; j++ {
		t := float64(j) / float64(n-1)
		if v := f.ax.value(from + float64(t*(to-from))); v > values[len(values)-1] && v < f.spec.To {
			values = append(values, v)
		}
	}
	values = append(values, f.spec.To)
	slices.SortFunc(values, cmp.Compare[float64])
	return values
}

// goldenSection returns the coordinate of golden-section search's next
// value in the bracket [left, right] about x: in the longer side, at 1/φ
// of the shorter side's length from x, which puts either outcome's
// bracket in the golden ratio; or, when x is an end (the shorter side is
// empty), at 1/φ² of the longer side from x.
func goldenSection(left, x, right float64) float64 {
	long, short := right-x, left-x // from x to either end
	if math.Abs(short) > math.Abs(long) {
		long, short = short, long
	}
	if short == 0 {
		return x + float64(long/(phi*phi))
	}
	return x + float64(math.Copysign(math.Abs(short)/phi, long))
}

// spread returns w coordinates in the bracket [left, right] about x,
// shared between its two sides to make the larger spacing the least (the
// smaller share left of x on a tie), and spaced evenly within each side.
func spread(left, x, right float64, w int) []float64 {
	l, r := x-left, right-x
	spacing := func(m int) float64 { // with m values on the left, w-m on the right
		return max(math.Abs(l)/float64(m+1), math.Abs(r)/float64(w-m+1))
	}
	share := 0
	for m := 1; m <= w; m++ {
		if spacing(m) < spacing(share) {
			share = m
		}
	}
	coords := make([]float64, 0, w)
	for j := 1; j <= share; j++ {
		coords = append(coords, x-float64(l*(float64(j)/float64(share+1))))
	}
	for j := 1; j <= w-share; j++ {
		coords = append(coords, x+float64(r*(float64(j)/float64(w-share+1))))
	}
	return coords
}

func (f *fastestSearch) take(probes []Probe) error {
	f.probes = append(f.probes, probes...)
	slices.SortFunc(f.probes, func(a, b Probe) int { return cmp.Compare(a.Value, b.Value) })
	f.rounds++
	if f.rounds == 1 && !f.probes[f.best()].Converged() {
		return &Failure{Msg: fmt.Sprintf("none of the %d values scanned from %g to %g converges: move the range to take in values that converge",
			len(probes), f.spec.From, f.spec.To)}
	}
	return nil
}

func (f *fastestSearch) answer() Answer {
	i := f.best()
	lo, hi := f.probes[max(i-1, 0)].Value, f.probes[min(i+1, len(f.probes)-1)].Value
	ax := f.ax
	return Answer{
		Best: f.probes[i], Low: lo, High: hi,
		Width:   f.spec.relativeWidth(lo, hi),
		Reached: f.spec.within(math.Abs(ax.coord(hi) - ax.coord(lo))),
	}
}
