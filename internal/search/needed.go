package search

import "math"

// phi is the golden ratio, by which golden-section refinement narrows
// its bracket at each probe.
const phi = 1.618033988749895

// Needed returns how many runs the search takes at most to reach its
// precision, for a check of its budget before anything runs. It is exact
// for an edge search, whose rounds narrow the bracket by the same factor
// whatever their outcomes, and an upper bound for a fastest search:
//
//   - edge: the two ends, then rounds of Width values, each dividing the
//     bracket into Width+1 equal parts, until it is within the precision;
//   - fastest: a scan of Width+2 values, then rounds of Width values: with
//     Width 1, golden-section refinement narrows the bracket from at most
//     twice the scan's spacing to at most φ times it in the first round,
//     and by 1/φ in each round after; with a larger width, each round
//     narrows the longer side of the bracket, at most the scan's spacing
//     to start with, by at least 1/(⌊Width/2⌋+1);
//   - lr-range: one run.
//
// It returns 0 for a spec that Check refuses for other reasons.
func (s *Spec) Needed() int {
	if s.Find == LRRange {
		return 1
	}
	ax := s.axis()
	span := math.Abs(ax.coord(s.To) - ax.coord(s.From))
	target, _ := s.target()
	if !isFinite(span) || !(target > 0) {
		return 0
	}
	w := s.width()
	if s.Find == Edge {
		return 2 + w*roundsToNarrow(span, target, func(width float64, _ int) float64 { return width / float64(w+1) })
	}
	spacing := span / float64(w+1) // between the w+2 values of the scan
	narrow := func(width float64, round int) float64 {
		switch {
		case w > 1:
			return width / float64(w/2+1)
		case round == 0:
			return float64(phi * spacing) // from 2·spacing, the scan's best with a neighbour on each side
		}
		return width / phi
	}
	if w > 1 {
		// The bound is on the longer side of the bracket, at most the
		// spacing to start with; the bracket is at most twice as wide.
		return w + 2 + w*roundsToNarrow(spacing, target/2, narrow)
	}
	return w + 2 + w*roundsToNarrow(2*spacing, target, narrow)
}

// roundsToNarrow returns how many rounds narrow a width, round after round
// by narrow, to at most target.
func roundsToNarrow(width, target float64, narrow func(width float64, round int) float64) int {
	rounds := 0
	for width > target {
		width = narrow(width, rounds)
		rounds++
	}
	return rounds
}
