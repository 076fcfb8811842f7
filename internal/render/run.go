package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// KeptRows is how many of the first and of the last rows of a trace a
// run's table shows.
const KeptRows = 10

// RunView is what the tables of a run show: its record, and the rows of
// its trace at each end (kept as the trace is written, or read from its
// ends).
type RunView struct {
	Record *results.Record
	// Rows are the first KeptRows and the last KeptRows rows of the trace
	// (all of them if there are at most 2·KeptRows), in order.
	Rows []engine.Iteration
	// Gap reports whether rows were left out between the first and the
	// last KeptRows.
	Gap bool
	// All reports whether Rows are every row asked for (runner show --rows
	// or --all), rather than the ends of the trace.
	All bool
}

// Terminal says how tables are shown on a terminal.
type Terminal struct {
	// Width is the terminal's width in columns; tables wider than it leave
	// out columns. Zero means no limit.
	Width int
	// Wide shows every column, whatever the width.
	Wide bool
	// Color colours statuses and published values that do not hold.
	Color bool
	// Digits is the number of significant digits of numbers; zero means
	// ReadableDigits.
	Digits int
}

func (t Terminal) digits() int {
	if t.Digits > 0 {
		return t.Digits
	}
	return ReadableDigits
}

// IterationsMarkdown renders a run's iterations.md: what the run does,
// its iterations as a table (the first and last KeptRows rows of its
// trace), and how it ended. runner show --md prints the same.
func IterationsMarkdown(w io.Writer, r *RunView) error {
	p := NewPrinter(w)
	rec := r.Record
	p.Printf("# %s\n\n%s\n\n", rec.Run, setup(&rec.Inputs))
	t, omitted := iterationsTable(r, ReadableDigits)
	p.table(t, markdown, nil)
	p.Printf("\n%s\n", ending(rec, ReadableDigits))
	if omitted != "" {
		p.Printf("%s\n", omitted)
	}
	p.Printf("\nNumbers are rounded to %d significant figures; trace.csv has %d.\n", ReadableDigits, rec.Inputs.CSVDigits)
	return p.err
}

// ExpectedMarkdown renders a run's expected.md: each published value
// beside the computed one, and the reasons for widened tolerances.
func ExpectedMarkdown(w io.Writer, rec *results.Record) error {
	p := NewPrinter(w)
	p.Printf("# %s: published values\n\n", rec.Run)
	p.Printf("%s A value holds when the computed one is within half a unit of its last printed digit, or within the tolerance its entry states.\n\n", checksVerdict(rec))
	t, notes := checksTable(rec)
	p.table(t, markdown, nil)
	if len(notes) > 0 {
		p.Printf("\nNotes:\n\n")
		for i, n := range notes {
			p.Printf("%d. %s\n", i+1, EscapeText(n))
		}
	}
	return p.err
}

// Detail shows a run on a terminal: what it does, its iterations, how it
// ended, and its published values.
func Detail(w io.Writer, r *RunView, term Terminal) error {
	p := NewPrinter(w)
	rec := r.Record
	paint := term.painter()
	p.Printf("%s\n", term.wrap(rec.Run+": "+setup(&rec.Inputs)))
	t, omitted := iterationsTable(r, term.digits())
	t, left := term.fit(t, 2, "predicted")
	p.table(t, boxed, nil)
	for _, line := range []string{left, paintWords(term.wrap(ending(rec, term.digits())), paint), term.wrap(omitted)} {
		if line != "" {
			p.Printf("%s\n", line)
		}
	}
	if len(rec.Outcome.Checks) > 0 {
		t, notes := checksTable(rec)
		t, left := term.fit(t, 2, "tolerance", "printed")
		p.Printf("\n%s: %s\n", rec.Run, paintWords(checksVerdict(rec), paint))
		p.table(t, boxed, paint)
		if left != "" {
			p.Printf("%s\n", left)
		}
		for i, n := range notes {
			p.Printf("%s\n", term.wrap(fmt.Sprintf("note %d: %s", i+1, Escape(n))))
		}
	}
	p.Printf("\n")
	return p.err
}

// iterationsTable is a run's iterations as the article tabulates them,
// rounded for reading: the rows it keeps of the trace, which leave out
// the middle of long runs; the note says what is left out. When one
// parameter trains, each row shows its value, the predictions, SSR, the
// gradient, the step and the new value, as the article does; when several
// train, each row shows their values, the predictions, SSR and their
// gradients (steps are α times the gradients, and the next row holds the
// new values).
func iterationsTable(r *RunView, digits int) (*table, string) {
	params := r.Record.Inputs.Train.List()
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
	omitted := ""
	for i := range r.Rows {
		it := &r.Rows[i]
		if i == KeptRows && r.Gap && !r.All {
			t.addGap()
			omitted = fmt.Sprintf("Iterations %d to %d are left out here; trace.csv has every one kept.", r.Rows[i-1].N+1, it.N-1)
		}
		row := []string{strconv.Itoa(it.N)}
		row = appendDigits(row, digits, it.Values...)
		row = append(row, strings.Join(appendDigits(nil, digits, it.Predicted...), ", "))
		row = appendDigits(row, digits, it.SSR)
		if len(params) == 1 {
			row = appendDigits(row, digits, it.Gradient[0], it.Step[0], it.Next[0])
		} else {
			row = appendDigits(row, digits, it.Gradient...)
		}
		t.add(row...)
	}
	return t, omitted
}

func appendDigits(cells []string, digits int, values ...float64) []string {
	for _, v := range values {
		cells = append(cells, results.FormatCSV(v, digits))
	}
	return cells
}

// setup describes what a run does, in a sentence.
func setup(in *results.Inputs) string {
	params := in.Train.List()
	names, starts := make([]string, len(params)), make([]string, len(params))
	for i, p := range params {
		names[i] = p.String()
		starts[i] = p.String() + " = " + experiment.FormatValue(in.Start.Get(p))
	}
	with := "α = " + experiment.FormatValue(in.Alpha)
	if in.Start.Activation != engine.Softplus {
		with += fmt.Sprintf(" and %v hidden nodes", in.Start.Activation)
	}
	if in.RangeTo != 0 {
		return fmt.Sprintf("A learning-rate range test: gradient descent on %s from %s, with α growing geometrically from %s to %s over %d iterations, stopped once the smoothed SSR exceeds %v times its least.",
			prose.And(names), strings.Join(starts, ", "), experiment.FormatValue(in.Alpha), experiment.FormatValue(in.RangeTo), in.MaxIterations, search.RangeStopFactor)
	}
	until := "|step size|"
	if len(params) > 1 {
		until = "every |step size|"
	}
	return fmt.Sprintf("Gradient descent on %s from %s with %s, until %s < %s or %d iterations.",
		prose.And(names), strings.Join(starts, ", "), with, until, experiment.FormatValue(in.Tolerance), in.MaxIterations)
}

// ending says how a run ended, in a sentence.
func ending(rec *results.Record, digits int) string {
	o := &rec.Outcome
	var final []string
	for _, p := range rec.Inputs.Train.List() {
		final = append(final, fmt.Sprintf("%v = %s", p, results.FormatCSV(o.Final.Get(p), digits)))
	}
	values := strings.Join(append(final, "SSR = "+results.FormatCSV(o.SSR, digits)), ", ")
	switch o.Status {
	case engine.Converged:
		return fmt.Sprintf("Converged after %s: %s.", prose.Count(o.Iterations, "iteration"), values)
	case engine.MaxIterations:
		return fmt.Sprintf("Stopped after %s, the most allowed, without converging: %s.", prose.Count(o.Iterations, "iteration"), values)
	case engine.Diverged:
		return fmt.Sprintf("Diverged at iteration %d (a value overflowed or SSR ran away): %s.", o.Iterations, values)
	}
	return fmt.Sprintf("Ended with status %v after %s: %s.", o.Status, prose.Count(o.Iterations, "iteration"), values)
}

// checksTable lists each published value beside the computed one. Values
// whose tolerance was widened refer to a numbered note, as given by notes.
func checksTable(rec *results.Record) (*table, []string) {
	t := newTable([]string{"where", "value", "printed", "computed", "tolerance", "holds"}, "where", "value", "holds")
	var notes []string
	for i, pin := range rec.Inputs.Expected {
		c := rec.Outcome.Checks[i]
		where := "final"
		if pin.Iteration > 0 {
			where = "iteration " + strconv.Itoa(pin.Iteration)
		}
		computed := "not reached"
		if c.Reached {
			computed = results.FormatCSV(c.Computed, 6) // a few more digits than published values have
		}
		holds := "yes"
		if !c.Holds {
			holds = "NO"
		}
		if pin.Note != "" {
			if !slices.Contains(notes, pin.Note) {
				notes = append(notes, pin.Note)
			}
			holds += fmt.Sprintf(" (note %d)", slices.Index(notes, pin.Note)+1)
		}
		t.add(where, pin.Column, pin.Printed, computed, results.FormatCSV(pin.Tolerance, ReadableDigits), holds)
	}
	return t, notes
}

// checksVerdict sums up the checks in a sentence.
func checksVerdict(rec *results.Record) string {
	n := len(rec.Outcome.Checks)
	failed := n - rec.Outcome.Held()
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
