package report

import (
	"io"

	"github.com/descentlab/runner/internal/batch"
)

// Limits of what the terminal shows.
const (
	// MaxDetailed is the most runs for which the terminal shows each one's
	// iterations and published values; beyond it, the summary alone.
	MaxDetailed = 3
	// MaxSummaryRows is the most runs the terminal's summary shows; beyond
	// it, the first and last halves.
	MaxSummaryRows = 50
)

// WriteDetail shows one run on the terminal: its iterations, how it ended,
// and its published values.
func WriteDetail(w io.Writer, o *batch.Outcome) error {
	p := &printer{w: w}
	p.printf("%s: %s\n", o.Run.ID, setup(o))
	t, omitted := iterationsTable(o)
	p.table(t, boxed)
	p.printf("%s\n", ending(o))
	if omitted != "" {
		p.printf("%s\n", omitted)
	}
	if len(o.Checks) > 0 {
		t, notes := checksTable(o)
		p.printf("\n%s: %s\n", o.Run.ID, checksVerdict(o))
		p.table(t, boxed)
		for i, n := range notes {
			p.printf("note %d: %s\n", i+1, n)
		}
	}
	p.printf("\n")
	return p.err
}

// WriteSummary shows the summary of runs on the terminal.
func WriteSummary(w io.Writer, records []Record) error {
	p := &printer{w: w}
	p.printf("summary\n")
	t, omitted := summaryTable(records, false, MaxSummaryRows)
	p.table(t, boxed)
	if omitted != "" {
		p.printf("%s\n", omitted)
	}
	return p.err
}
