package report

import (
	"io"

	"runner/internal/batch"
)

// MaxDetailed is the largest number of experiments for which the terminal
// shows each one's iterations and published values; beyond it, the
// summary alone.
const MaxDetailed = 3

// WriteTerminal shows the outcomes on the terminal: for a few experiments,
// each one's iterations and published values, then the summary.
func WriteTerminal(w io.Writer, outcomes []batch.Outcome) error {
	p := &printer{w: w}
	if len(outcomes) <= MaxDetailed {
		for i := range outcomes {
			writeDetail(p, &outcomes[i])
		}
	}
	p.printf("summary\n")
	p.table(summaryTable(outcomes, false), boxed)
	return p.err
}

// writeDetail shows one run: its iterations, how it ended, and its checks.
func writeDetail(p *printer, o *batch.Outcome) {
	p.printf("%s: %s\n", o.Experiment.Name, setup(o))
	p.table(iterationsTable(o), boxed)
	p.printf("%s\n", ending(o))
	if s := omission(len(o.Trace.Iterations)); s != "" {
		p.printf("%s\n", s)
	}
	if len(o.Checks) > 0 {
		t, notes := checksTable(o)
		p.printf("\n%s: %s\n", o.Experiment.Name, checksVerdict(o))
		p.table(t, boxed)
		for i, n := range notes {
			p.printf("note %d: %s\n", i+1, n)
		}
	}
	p.printf("\n")
}
