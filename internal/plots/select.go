package plots

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/pkg/engine"
)

// MaxCurves bounds the runs a curves chart draws: beyond them, lines
// cannot be told apart, and the file would grow with the sweep.
const MaxCurves = 60

// maxEdgeCurves bounds the runs SelectCurves chooses because their status
// differs from a neighbour's.
const maxEdgeCurves = MaxCurves / 3

// CurveKey is what choosing the curves of a chart needs of a run: its
// swept value, the one that colours its curve, and how it ended.
type CurveKey struct {
	Value  float64
	Status engine.Status
}

// SelectCurves chooses which runs a curves chart of many draws: all of at
// most MaxCurves runs; of more, in order of swept value (and of the runs
// for equal values), every k-th run, the first and the last, and every run
// whose status differs from the run before or after it, so that the edge
// of stability stays visible. At most a third of MaxCurves are chosen for
// their status: if more runs border a change of status, those on both
// sides of every j-th change are. It returns the chosen runs' indices in
// increasing order, at most MaxCurves of them, and a caption that says
// which they are (empty when all are drawn). The choice depends on the
// runs' values and statuses alone, and is the same for the same runs.
func SelectCurves(field Field, runs []CurveKey) (chosen []int, caption string) {
	n := len(runs)
	if n <= MaxCurves {
		for i := range runs {
			chosen = append(chosen, i)
		}
		return chosen, ""
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(runs[a].Value, runs[b].Value) })
	// The changes of status, between order[p] and order[p+1].
	var changes []int
	for p := 0; p+1 < n; p++ {
		if runs[order[p]].Status != runs[order[p+1]].Status {
			changes = append(changes, p)
		}
	}
	every := 1
	if 2*len(changes) > maxEdgeCurves {
		every = ceilDiv(len(changes), maxEdgeCurves/2)
	}
	pick := map[int]bool{}
	edges := 0
	for i := 0; i < len(changes); i += every {
		for _, p := range []int{changes[i], changes[i] + 1} {
			if !pick[order[p]] {
				pick[order[p]] = true
				edges++
			}
		}
	}
	k := ceilDiv(n-1, MaxCurves-edges-2)
	for p := 0; p < n; p += k {
		pick[order[p]] = true
	}
	pick[order[n-1]] = true
	for i := range runs {
		if pick[i] {
			chosen = append(chosen, i)
		}
	}
	return chosen, curvesCaption(field, n, len(chosen), k, len(changes), every)
}

// curvesCaption says which runs a curves chart draws.
func curvesCaption(field Field, runs, drawn, k, changes, every int) string {
	s := fmt.Sprintf("%s of %s drawn: every %s by %s, the first and the last",
		prose.Thousands(drawn), prose.Count(runs, "run"), ordinal(k), field.Label)
	switch {
	case changes == 0:
	case every == 1:
		s += fmt.Sprintf(", and the runs on each side of %s", prose.Count(changes, "status change"))
	default:
		s += fmt.Sprintf(", and the runs on each side of every %s of the %s status changes", ordinal(every), prose.Thousands(changes))
	}
	return s + "."
}

// ordinal writes k as "2nd", "3rd", "400th".
func ordinal(k int) string {
	suffix := "th"
	switch {
	case k%100 >= 11 && k%100 <= 13:
	case k%10 == 1:
		suffix = "st"
	case k%10 == 2:
		suffix = "nd"
	case k%10 == 3:
		suffix = "rd"
	}
	return prose.Thousands(k) + suffix
}

// ceilDiv returns a/b rounded up, for a >= 0 and b > 0 (1 for b <= 0).
func ceilDiv(a, b int) int {
	if b <= 0 {
		return max(a, 1)
	}
	return max((a+b-1)/b, 1)
}
