package report

import (
	"fmt"
	"strconv"
	"strings"

	"runner/internal/batch"
	"runner/internal/experiment"
	"runner/pkg/engine"
)

// Tables of long runs show the first headRows and last tailRows iterations
// only; trace.csv has them all.
const (
	headRows = 10
	tailRows = 10
)

// iterationsTable is a run's iterations as the article tabulates them,
// rounded for reading, with the middle of long runs left out; the note
// says what is left out.
func iterationsTable(o *batch.Outcome) (*table, string) {
	t := newTable([]string{"iteration", "b3", "predicted", "SSR", "gradient", "step size", "new b3"})
	its := o.Trace.Iterations
	shown := elision{head: headRows, tail: tailRows, n: len(its)}
	for i := range its {
		if shown.omits(i) {
			if i == shown.head {
				t.addGap()
			}
			continue
		}
		it := &its[i]
		t.add(strconv.Itoa(it.N), FormatReadable(it.B3), readableList(it.Predicted), FormatReadable(it.SSR),
			FormatReadable(it.Gradient), FormatReadable(it.Step), FormatReadable(it.Next))
	}
	return t, shown.note("Iterations", "trace.csv has every iteration")
}

func readableList(values []float64) string {
	cells := make([]string, len(values))
	for i, v := range values {
		cells[i] = FormatReadable(v)
	}
	return strings.Join(cells, ", ")
}

// setup describes what a run does, in a sentence.
func setup(r *batch.Outcome) string {
	s, p := r.Run.Settings, r.Run.Start
	return fmt.Sprintf("Gradient descent on b3 from b3 = %s with α = %s, until |step size| < %s or %d iterations.",
		experiment.FormatValue(p.B3), experiment.FormatValue(s.Alpha), experiment.FormatValue(s.Tolerance), s.MaxIterations)
}

// ending says how a run ended, in a sentence.
func ending(o *batch.Outcome) string {
	r := o.Result
	final := fmt.Sprintf("b3 = %s, SSR = %s", FormatReadable(r.Final.B3), FormatReadable(r.FinalSSR))
	switch r.Status {
	case engine.Converged:
		return fmt.Sprintf("Converged after %d iterations: %s.", r.Iterations, final)
	case engine.MaxIterations:
		return fmt.Sprintf("Stopped after %d iterations, the most allowed, without converging: %s.", r.Iterations, final)
	case engine.Diverged:
		return fmt.Sprintf("Diverged at iteration %d (a value overflowed or SSR ran away): %s.", r.Iterations, final)
	}
	return fmt.Sprintf("Ended with status %v after %d iterations: %s.", r.Status, r.Iterations, final)
}
