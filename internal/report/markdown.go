package report

import (
	"fmt"
	"io"

	"github.com/descentlab/runner/internal/batch"
)

// writeIterationsMarkdown writes a run's iterations.md: what the run does,
// its iterations as a table, and how it ended.
func writeIterationsMarkdown(w io.Writer, o *batch.Outcome) error {
	e := o.Run.Experiment
	p := &printer{w: w}
	p.printf("# %s\n\n", o.Run.ID)
	if e.Description != "" {
		p.printf("%s\n\n", e.Description)
	}
	p.printf("%s\n\n", setup(o))
	t, omitted := iterationsTable(o)
	p.table(t, markdown)
	p.printf("\n%s\n", ending(o))
	if omitted != "" {
		p.printf("%s\n", omitted)
	}
	p.printf("\nNumbers are rounded to %d significant figures; trace.csv has %d.\n", ReadableDigits, csvDigits(&o.Run))
	return p.err
}

// writeExpectedMarkdown writes a run's expected.md: each published value
// beside the computed one, and the reasons for widened tolerances.
func writeExpectedMarkdown(w io.Writer, o *batch.Outcome) error {
	p := &printer{w: w}
	p.printf("# %s: published values\n\n", o.Run.ID)
	p.printf("%s A value holds when the computed one is within half a unit of its last printed digit, or within the tolerance its entry states.\n\n", checksVerdict(o))
	t, notes := checksTable(o)
	p.table(t, markdown)
	if len(notes) > 0 {
		p.printf("\nNotes:\n\n")
		for i, n := range notes {
			p.printf("%d. %s\n", i+1, n)
		}
	}
	return p.err
}

// writeSummaryMarkdown writes summary.md: one row per run.
func writeSummaryMarkdown(w io.Writer, records []Record) error {
	p := &printer{w: w}
	p.printf("# Summary\n\n")
	t, omitted := summaryTable(records, true, MaxSummaryMarkdownRows)
	p.table(t, markdown)
	if omitted != "" {
		p.printf("\n%s\n", omitted)
	}
	p.printf("\nb3* is the b3 that minimises SSR, and error factor = |1 - 2·N·α| the factor by which each step multiplies the distance to it (N data points): descent converges when it is below 1. summary.csv has the same rows with full precision.\n")
	return p.err
}

// printer writes text and tables, keeping the first error so that a
// document can be written without checking every call.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) table(t *table, s style) {
	if p.err == nil {
		p.err = t.render(p.w, s)
	}
}
