package search

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// edgeSearch bisects the boundary between values that converge and
// values that do not. Its first round probes the two ends of the range,
// one of which must converge and the other not. Each round after divides
// the bracket, in coordinates (the logarithm, on a log scale), into
// Width+1 equal parts, probes the Width values between them, and keeps
// the part where, walking from the converging end, the first value that
// does not converge is met: the bracket narrows by Width+1 each round,
// whatever the outcomes. Where convergence flips more than once inside a
// bracket, the search follows the flip nearest the converging end.
type edgeSearch struct {
	spec *Spec
	ax   axis
	// started reports whether the ends are probed; conv and not are then
	// the bracket: a probe that converged and one that did not, with no
	// probe between them.
	started   bool
	conv, not Probe
}

func (e *edgeSearch) propose() []float64 {
	if !e.started {
		return []float64{e.spec.From, e.spec.To}
	}
	from, to := e.ax.coord(e.conv.Value), e.ax.coord(e.not.Value)
	if e.spec.within(math.Abs(to - from)) {
		return nil
	}
	lo, hi := min(e.conv.Value, e.not.Value), max(e.conv.Value, e.not.Value)
	w := e.spec.width()
	var values []float64
	for j := 1; j <= w; j++ {
		t := float64(j) / float64(w+1)
		v := e.ax.value(from + float64(t*(to-from)))
		if v > lo && v < hi && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	slices.Sort(values)
	return values
}

func (e *edgeSearch) take(probes []Probe) error {
	if !e.started {
		e.started = true
		from, to := probes[0], probes[1]
		switch {
		case from.Converged() && to.Converged():
			return &Failure{Msg: fmt.Sprintf("both ends converge (from %g in %d iterations, to %g in %d): the edge is not between them; widen the range to a value that does not converge",
				from.Value, from.Iterations, to.Value, to.Iterations)}
		case !from.Converged() && !to.Converged():
			return &Failure{Msg: fmt.Sprintf("neither end converges (from %g: %v, to %g: %v): the edge, if any, is not between them; move the range to take in a value that converges",
				from.Value, from.Status, to.Value, to.Status)}
		case from.Converged():
			e.conv, e.not = from, to
		default:
			e.conv, e.not = to, from
		}
		return nil
	}
	start := e.ax.coord(e.conv.Value)
	walk := slices.Clone(probes)
	slices.SortFunc(walk, func(a, b Probe) int {
		return cmp.Compare(math.Abs(e.ax.coord(a.Value)-start), math.Abs(e.ax.coord(b.Value)-start))
	})
	for _, p := range walk {
		if !p.Converged() {
			e.not = p
			break
		}
		e.conv = p
	}
	return nil
}

func (e *edgeSearch) answer() Answer {
	lo, hi := min(e.conv.Value, e.not.Value), max(e.conv.Value, e.not.Value)
	return Answer{
		Best: e.conv, Beyond: e.not, Low: lo, High: hi,
		Width:   e.spec.relativeWidth(lo, hi),
		Reached: e.spec.within(math.Abs(e.ax.coord(e.not.Value) - e.ax.coord(e.conv.Value))),
	}
}
