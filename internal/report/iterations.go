package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// iterationsTable is a run's iterations as the article tabulates them,
// rounded for reading: the iterations its outcome keeps, which leave out
// the middle of long runs; the note says what is left out. When one parameter trains, each row shows its
// value, the predictions, SSR, the gradient, the step and the new value, as
// the article does; when several train, each row shows their values, the
// predictions, SSR and their gradients (steps are α times the gradients,
// and the next row holds the new values).
func iterationsTable(o *batch.Outcome) (*table, string) {
	params := o.Run.Settings.Trained().List()
	header := []string{"iteration"}
	for _, p := range params {
		header = append(header, p.String())
	}
	header = append(header, "predicted", "SSR")
	if len(params) == 1 {
		header = append(header, "gradient", "step size", "new "+params[0].String())
	} else {
		for _, p := range params {
			header = append(header, "gradient "+p.String())
		}
	}
	t := newTable(header)
	its := o.Iterations()
	for i := range its {
		if i == batch.KeptIterations && its[i].N > its[i-1].N+1 {
			t.addGap()
		}
		it := &its[i]
		row := []string{strconv.Itoa(it.N)}
		row = appendReadable(row, it.Values...)
		row = append(row, readableList(it.Predicted))
		row = appendReadable(row, it.SSR)
		if len(params) == 1 {
			row = appendReadable(row, it.Gradient[0], it.Step[0], it.Next[0])
		} else {
			row = appendReadable(row, it.Gradient...)
		}
		t.add(row...)
	}
	shown := elision{head: batch.KeptIterations, tail: batch.KeptIterations, n: o.Result.Iterations}
	return t, shown.note("Iterations", "trace.csv has every iteration")
}

func appendReadable(cells []string, values ...float64) []string {
	for _, v := range values {
		cells = append(cells, FormatReadable(v))
	}
	return cells
}

func readableList(values []float64) string {
	return strings.Join(appendReadable(nil, values...), ", ")
}

// setup describes what a run does, in a sentence.
func setup(o *batch.Outcome) string {
	s, n := o.Run.Settings, o.Run.Start
	params := s.Trained().List()
	names, starts := make([]string, len(params)), make([]string, len(params))
	for i, p := range params {
		names[i] = p.String()
		starts[i] = p.String() + " = " + experiment.FormatValue(n.Get(p))
	}
	with := "α = " + experiment.FormatValue(s.Alpha)
	if n.Activation != engine.Softplus {
		with += fmt.Sprintf(" and %v hidden nodes", n.Activation)
	}
	until := "|step size|"
	if len(params) > 1 {
		until = "every |step size|"
	}
	return fmt.Sprintf("Gradient descent on %s from %s with %s, until %s < %s or %d iterations.",
		andList(names), strings.Join(starts, ", "), with, until, experiment.FormatValue(s.Tolerance), s.MaxIterations)
}

// andList joins words as in "w3, w4 and b3".
func andList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// ending says how a run ended, in a sentence.
func ending(o *batch.Outcome) string {
	r := o.Result
	var final []string
	for _, p := range o.Run.Settings.Trained().List() {
		final = append(final, fmt.Sprintf("%v = %s", p, FormatReadable(r.Final.Get(p))))
	}
	values := strings.Join(append(final, "SSR = "+FormatReadable(r.FinalSSR)), ", ")
	switch r.Status {
	case engine.Converged:
		return fmt.Sprintf("Converged after %d iterations: %s.", r.Iterations, values)
	case engine.MaxIterations:
		return fmt.Sprintf("Stopped after %d iterations, the most allowed, without converging: %s.", r.Iterations, values)
	case engine.Diverged:
		return fmt.Sprintf("Diverged at iteration %d (a value overflowed or SSR ran away): %s.", r.Iterations, values)
	}
	return fmt.Sprintf("Ended with status %v after %d iterations: %s.", r.Status, r.Iterations, values)
}
