package report

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/descentlab/runner/internal/batch"
)

// checksTable lists each published value beside the computed one. Values
// whose tolerance was widened refer to a numbered note, as given by notes.
func checksTable(o *batch.Outcome) (*table, []string) {
	t := newTable([]string{"where", "value", "printed", "computed", "tolerance", "holds"}, "where", "value", "holds")
	var notes []string
	for _, c := range o.Checks {
		where := "final"
		if !c.Pin.Final() {
			where = "iteration " + strconv.Itoa(c.Pin.Iteration)
		}
		computed := "not reached"
		if c.Reached {
			computed = formatComputed(c.Computed)
		}
		holds := "yes"
		if !c.Holds {
			holds = "NO"
		}
		if c.Pin.Note != "" {
			if !slices.Contains(notes, c.Pin.Note) {
				notes = append(notes, c.Pin.Note)
			}
			holds += fmt.Sprintf(" (note %d)", slices.Index(notes, c.Pin.Note)+1)
		}
		t.add(where, c.Pin.Column, c.Pin.Printed, computed, FormatReadable(c.Pin.Tolerance), holds)
	}
	return t, notes
}

// formatComputed shows a computed value with a few more digits than
// published values have, so that the comparison can be seen.
func formatComputed(v float64) string {
	return format(v, 6)
}

// checksVerdict sums up the checks in a sentence.
func checksVerdict(o *batch.Outcome) string {
	failed, n := len(o.Failed()), len(o.Checks)
	switch {
	case n == 1 && failed == 0:
		return "The published value holds."
	case n == 1:
		return "The published value does not hold."
	case failed == 0:
		return fmt.Sprintf("All %d published values hold.", n)
	}
	return fmt.Sprintf("%d of %d published values do not hold.", failed, n)
}
